# run_config.sh - `weir run`'s command line and configuration: missing bootstrap (exit 2),
# --config files (comments, `key: value`, a bad line named by file:line, librdkafka.X passed to
# the Kafka clients), --define substitution with quoting, SQL errors with line and column
# (exit 1), push queries and files without a persistent query refused (exit 1).
. "$(dirname "$0")/lib.sh"

cat >"$T/ok.sql" <<'EOF'
CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='${src}', value_format='JSON');
CREATE STREAM t WITH (kafka_topic='${dst}') AS SELECT id, v, ${greeting} AS g FROM s EMIT CHANGES;
EOF

# ---- without a broker
"$WEIR" run "$T/ok.sql" >"$T/nobs.out" 2>&1
rc=$?
check "no bootstrap servers: usage error, exit 2" test "$rc" -eq 2
check "no bootstrap servers: the message says how to give them" \
    log_has "$T/nobs.out" "no Kafka bootstrap servers: give -b HOST:PORT, --bootstrap-file PATH, or bootstrap.servers"

printf '# a comment\n! another\n\nauto.offset.reset = earliest\nthis line is wrong\n' >"$T/bad.properties"
"$WEIR" run "$T/ok.sql" -b 127.0.0.1:1 --config "$T/bad.properties" >"$T/badcfg.out" 2>&1
rc=$?
check "bad config line: exit 2" test "$rc" -eq 2
check "bad config line: named by file and line number" \
    log_has "$T/badcfg.out" "bad.properties:5: expected \`key=value\` or \`key: value\`"
printf 'librdkafka.no.such.thing=1\n' >"$T/badrk.properties"
"$WEIR" run "$T/ok.sql" -b 127.0.0.1:1 --config "$T/badrk.properties" >"$T/badrk.out" 2>&1
check "unknown librdkafka property: exit 2 naming line 1" \
    sh -c "[ $? -eq 2 ] && grep -q 'badrk.properties:1: librdkafka.no.such.thing' '$T/badrk.out'"

printf 'CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic=%s, value_format=%s);\n\nSELECT * FROM s EMIT CHANGES;\n' "'a'" "'JSON'" >"$T/push.sql"
"$WEIR" run "$T/push.sql" -b 127.0.0.1:1 >"$T/push.out" 2>&1
rc=$?
check "push query in a service file: exit 1" test "$rc" -eq 1
check "push query: its line and 'belong in the shell'" \
    log_has "$T/push.out" "push.sql: Line: 3, Col: 1: .*push queries belong in the shell"

# ---- with a broker
start_broker --topic input:2
cat >"$T/run.properties" <<'EOF'
# ksqlDB-style server properties
auto.offset.reset: earliest
ksql.service.id = cfgsvc
librdkafka.client.id=weir-it-client
weir.stats.interval.ms=1000
bootstrap.servers = 127.0.0.1:1
EOF
# -b / --bootstrap-file win over bootstrap.servers from the file
# no --state-dir: $XDG_STATE_HOME/weir/<service id>
XDG_STATE_HOME="$T/xdg" run_start run "$T/ok.sql" --config "$T/run.properties" \
    --define src=input --define dst=greeted --define "greeting='it''s'"
check "ksql.service.id from --config" log_has "$T/run.log" "INFO  .*service id cfgsvc"
check "default state dir: \$XDG_STATE_HOME/weir/cfgsvc" \
    sh -c "grep -q 'INFO  state dir $T/xdg/weir/cfgsvc\$' '$T/run.log' && test -d '$T/xdg/weir/cfgsvc'"
check "librdkafka.client.id named in the log, its value not" \
    sh -c "grep -q 'librdkafka properties for every client: client.id' '$T/run.log' && ! grep -q weir-it-client '$T/run.log'"
check "--define substitutes the topic names" log_has "$T/run.log" "running CSAS_T_0: input -> greeted"
printf 'a\t{"v":1}\n' | produce input
consume greeted 1 30 >"$T/greeted.json"
# the value is SQL text with quotes ('it''s'): the DEFINE must carry them unchanged
check "--define value with quotes arrives unchanged" \
    grep -qF '"value": "{\"V\":1,\"G\":\"it'"'"'s\"}"' "$T/greeted.json"
check "a periodic stats line (weir.stats.interval.ms=1000)" \
    wait_for 5 log_has "$T/run.log" "^20[-0-9T:.]+Z INFO  stats: consumed 1, produced [0-9]+ \(acknowledged [0-9]+\), processing-log entries 0, dead letters 0, commits [0-9]+, queries 1$"
run_stop "$RUN_PID" INT
check "SIGINT: exit 0 after the drain" \
    sh -c "[ $RUN_RC -eq 0 ] && grep -q 'INFO  SIGINT: stopping' '$T/run.log'"

# a librdkafka property really reaches the clients: TLS towards a plaintext broker fails
printf 'librdkafka.security.protocol=ssl\n' >"$T/ssl.properties"
"$WEIR" run "$T/ok.sql" --bootstrap-file "$T/bootstrap" --state-dir "$T/state2" \
    --config "$T/ssl.properties" --define src=input --define dst=x --define greeting=1 -q \
    >"$T/ssl.out" 2>&1
rc=$?
check "librdkafka.security.protocol=ssl against a plaintext broker: cannot start, exit 1" test "$rc" -eq 1
check "-q: no INFO lines, the ERROR line is there" \
    sh -c "! grep -q ' INFO ' '$T/ssl.out' && grep -q 'Z ERROR cannot start: ' '$T/ssl.out'"

cat >"$T/err.sql" <<'EOF'
CREATE STREAM s (id STRING KEY, amount DOUBLE) WITH (kafka_topic='input', value_format='JSON');

CREATE STREAM big AS
  SELECT id, amountt FROM s EMIT CHANGES;
EOF
"$WEIR" run "$T/err.sql" --bootstrap-file "$T/bootstrap" --state-dir "$T/state3" >"$T/err.out" 2>&1
rc=$?
check "SQL error: exit 1" test "$rc" -eq 1
check "SQL error: file name, Line: 4, Col: 14 and the hint" \
    log_has "$T/err.out" "err.sql: Line: 4, Col: 14: .*AMOUNTT.*Did you mean 'AMOUNT'"
check "SQL error: the source line and a caret" \
    sh -c "grep -q '^  SELECT id, amountt FROM s EMIT CHANGES;' '$T/err.out' && grep -q '^             ^^^^^^^' '$T/err.out'"

printf "CREATE STREAM s (id STRING KEY, v INT) WITH (kafka_topic='input', value_format='JSON');\n" >"$T/none.sql"
"$WEIR" run "$T/none.sql" --bootstrap-file "$T/bootstrap" --state-dir "$T/state4" >"$T/none.out" 2>&1
rc=$?
check "no persistent query: exit 1, 'nothing to run'" \
    sh -c "[ $rc -eq 1 ] && grep -q 'none.sql: nothing to run' '$T/none.out'"
[ "$NFAIL" -eq 0 ]
