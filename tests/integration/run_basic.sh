# run_basic.sh - `weir run` end to end on the development broker: a filter + projection CSAS,
# PARTITION BY (new key, partition = Kafka's murmur2 of the key), INSERT INTO ... SELECT from a
# second stream into the same sink, topics created with the partition counts the statements
# ask for, the startup log, a clean SIGTERM.  Outputs are read by an independent client
# (kafka_check.py) and compared with what `weir test` gives for the same input.
. "$(dirname "$0")/lib.sh"

check "kafka_check's murmur2 matches Kafka's test vectors" kc selftest

start_broker --topic orders:4
cat >"$T/q.sql" <<'EOF'
-- orders in, three persistent queries out
CREATE STREAM orders (id STRING KEY, customer STRING, amount DOUBLE, region STRING)
  WITH (kafka_topic='orders', value_format='JSON');
CREATE STREAM big WITH (kafka_topic='big_orders', partitions=3) AS
  SELECT id, customer, amount * 2 AS doubled FROM orders WHERE amount > 100 EMIT CHANGES;
CREATE STREAM by_customer WITH (kafka_topic='by_customer', partitions=5) AS
  SELECT customer, id, amount FROM orders PARTITION BY customer EMIT CHANGES;
CREATE STREAM refunds (id STRING KEY, customer STRING, amount DOUBLE)
  WITH (kafka_topic='refunds', value_format='JSON', partitions=2);
INSERT INTO big SELECT id, customer, amount * 2 AS doubled FROM refunds WHERE amount > 100 EMIT CHANGES;
EOF
printf 'auto.offset.reset=earliest\ncommit.interval.ms=500\n' >"$T/run.properties"

run_start run "$T/q.sql" --state-dir "$T/state" --config "$T/run.properties" --service-id basic
check "weir run starts" kill -0 "$RUN_PID"
check "startup log: service id, bootstrap, state dir" \
    log_has "$T/run.log" "^20[0-9-]+T[0-9:.]+Z INFO  .*service id basic"
check "startup log: bootstrap servers" log_has "$T/run.log" "INFO  bootstrap servers $BOOTSTRAP"
check "startup log: state dir" log_has "$T/run.log" "INFO  state dir $T/state"
check "startup log: running CSAS_BIG_0: orders -> big_orders" \
    log_has "$T/run.log" "INFO  running CSAS_BIG_0: orders -> big_orders$"
check "startup log: running CSAS_BY_CUSTOMER_1" \
    log_has "$T/run.log" "INFO  running CSAS_BY_CUSTOMER_1: orders -> by_customer$"
check "startup log: running INSERTQUERY_2: refunds -> big_orders" \
    log_has "$T/run.log" "INFO  running INSERTQUERY_2: refunds -> big_orders$"

# topics made with the partition counts of the statements (through the broker's control topic)
for tp in big_orders:3 by_customer:5 refunds:2; do
    check "topic ${tp%:*} has ${tp#*:} partitions" \
        wait_for 10 sh -c "kcat -b '$BOOTSTRAP' -L -t '${tp%:*}' | grep -q 'topic \"${tp%:*}\" with ${tp#*:} partitions'"
done

printf '%s\t%s\n' \
    o1 '{"customer":"alice","amount":150.5,"region":"eu"}' \
    o2 '{"customer":"bob","amount":50,"region":"us"}' \
    o3 '{"customer":"carol","amount":1000,"region":"us"}' \
    o4 '{"customer":"alice","amount":101.25,"region":"eu"}' \
    o5 '{"customer":"erin","amount":100,"region":"apac"}' | produce orders
printf '%s\t%s\n' \
    r1 '{"customer":"bob","amount":500}' \
    r2 '{"customer":"dave","amount":20}' | produce refunds

# expected: what `weir test` records for the same input
cat >"$T/in.json" <<'EOF'
{"inputs":[
{"topic":"orders","key":"o1","value":{"customer":"alice","amount":150.5,"region":"eu"}},
{"topic":"orders","key":"o2","value":{"customer":"bob","amount":50,"region":"us"}},
{"topic":"orders","key":"o3","value":{"customer":"carol","amount":1000,"region":"us"}},
{"topic":"orders","key":"o4","value":{"customer":"alice","amount":101.25,"region":"eu"}},
{"topic":"orders","key":"o5","value":{"customer":"erin","amount":100,"region":"apac"}},
{"topic":"refunds","key":"r1","value":{"customer":"bob","amount":500}},
{"topic":"refunds","key":"r2","value":{"customer":"dave","amount":20}}
]}
EOF
"$WEIR" test -s "$T/q.sql" -i "$T/in.json" --record "$T/expected.json" >/dev/null
"$PY" - "$T/expected.json" >"$T/expected.lines" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["outputs"]:
    print(r["topic"], r["key"], json.dumps(r["value"], separators=(",", ":")))
EOF
cat >"$T/want.lines" <<'EOF'
big_orders o1 {"CUSTOMER":"alice","DOUBLED":301.0}
big_orders o3 {"CUSTOMER":"carol","DOUBLED":2000.0}
big_orders o4 {"CUSTOMER":"alice","DOUBLED":202.5}
big_orders r1 {"CUSTOMER":"bob","DOUBLED":1000.0}
by_customer alice {"ID":"o1","AMOUNT":150.5}
by_customer alice {"ID":"o4","AMOUNT":101.25}
by_customer bob {"ID":"o2","AMOUNT":50.0}
by_customer carol {"ID":"o3","AMOUNT":1000.0}
by_customer erin {"ID":"o5","AMOUNT":100.0}
EOF
check "weir test agrees with the expected records" \
    diff <(sort "$T/expected.lines") "$T/want.lines"

consume big_orders 4 30 --idle 2 >"$T/big.json"
consume by_customer 5 30 --idle 2 >"$T/byc.json"
"$PY" - "$T/big.json" "$T/byc.json" >"$T/got.lines" <<'EOF'
import json, sys
for path, topic in zip(sys.argv[1:], ["big_orders", "by_customer"]):
    for line in open(path):
        r = json.loads(line)
        print(topic, r["key"], json.dumps(json.loads(r["value"]), separators=(",", ":")))
EOF
if diff <(sort "$T/got.lines") "$T/want.lines" >"$T/diff"; then
    ok "filter + projection and PARTITION BY: keys and values as weir test gives them"
else
    not_ok "outputs differ from weir test's"; show "$T/diff"; show "$T/run.log"
fi
check "INSERT INTO: big_orders holds 3 records from orders + 1 from refunds" \
    test "$(wc -l <"$T/big.json")" -eq 4
check "PARTITION BY: the new key's partition is Kafka's murmur2 (5 partitions)" \
    kc check-partitions 5 <"$T/byc.json"
check "big_orders: keys partitioned with murmur2 (3 partitions)" \
    kc check-partitions 3 <"$T/big.json"

run_stop "$RUN_PID" TERM
check "SIGTERM: exit status 0 after the drain" test "$RUN_RC" -eq 0
check "SIGTERM: stop logged" log_has "$T/run.log" "INFO  SIGTERM: stopping"
check "stats line at exit: 12 records consumed (orders read by two queries, refunds by one)" \
    log_has "$T/run.log" "INFO  stats at exit: consumed 12, produced "
[ "$NFAIL" -eq 0 ] || show "$T/run.log"
[ "$NFAIL" -eq 0 ]
