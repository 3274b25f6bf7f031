# run_restart.sh - stopping and restarting `weir run` mid-stream with the same state dir and
# service id.  A clean SIGTERM drains and commits, so after the restart every input key is in
# the output exactly once (nothing lost, nothing emitted twice).  After kill -9 nothing is
# lost either; records after the last commit may come twice (at-least-once).
. "$(dirname "$0")/lib.sh"

start_broker --topic events:4
cat >"$T/q.sql" <<'EOF'
CREATE STREAM events (id STRING KEY, n INT, tag STRING) WITH (kafka_topic='events', value_format='JSON');
CREATE STREAM out WITH (kafka_topic='out', partitions=4) AS
  SELECT id, n, UCASE(tag) AS tag FROM events EMIT CHANGES;
EOF
# a short session timeout: after kill -9 the group must not wait 45 s for the dead member
cat >"$T/run.properties" <<'EOF'
auto.offset.reset=earliest
commit.interval.ms=200
librdkafka.session.timeout.ms=6000
librdkafka.heartbeat.interval.ms=500
EOF
ARGS=(--state-dir "$T/state" --config "$T/run.properties" --service-id restart)
records() { # FROM TO: "kNNNN<TAB>{...}" lines
    local i
    for ((i = $1; i < $2; i++)); do printf 'k%04d\t{"n":%d,"tag":"t%d"}\n' "$i" "$i" $((i % 7)); done
}
# distinct and total output counts so far
out_counts() {
    consume_all out 2 >"$T/out.json"
    "$PY" -c 'import json,sys; ks=[json.loads(l)["key"] for l in sys.stdin]; print(len(set(ks)), len(ks))' <"$T/out.json"
}

# ---- 1. SIGTERM mid-stream, restart: exactly once
run_start run1 "$T/q.sql" "${ARGS[@]}"
wait_for 20 log_has "$T/run1.log" "CSAS_OUT_0: assigned 4 partition"
records 0 2000 | produce events --delay-ms 2 &
PROD=$!
wait_for 30 at_least 300 topic_count out
run_stop "$RUN_PID" TERM
check "SIGTERM mid-stream: exit 0 after the drain" test "$RUN_RC" -eq 0
mid=$(topic_count out)
check "stopped mid-stream (some but not all of 2000 records out: $mid)" test "$mid" -gt 0 -a "$mid" -lt 2000
wait "$PROD"
check "producer finished" test $? -eq 0
run_start run2 "$T/q.sql" "${ARGS[@]}"
wait_for 40 at_least 2000 topic_count out
sleep 1 # anything emitted twice would arrive now
read -r distinct total <<<"$(out_counts)"
check "after SIGTERM + restart: all 2000 keys in the output" test "$distinct" -eq 2000
check "after SIGTERM + restart: nothing emitted twice ($total records)" test "$total" -eq 2000

# ---- 2. kill -9 mid-stream, restart: nothing lost
records 2000 4000 | produce events --delay-ms 2 &
PROD=$!
wait_for 30 at_least 2300 topic_count out
kill -KILL "$RUN_PID"
{ wait "$RUN_PID"; } 2>/dev/null
mid=$(topic_count out)
check "kill -9 mid-stream ($mid of 4000 out)" test "$mid" -lt 4000
wait "$PROD"
run_start run3 "$T/q.sql" "${ARGS[@]}"
check "restart after kill -9 (state dir lock released by the dead process)" kill -0 "$RUN_PID"
wait_for 45 at_least 4000 topic_distinct out
read -r distinct total <<<"$(out_counts)"
check "after kill -9 + restart: all 4000 keys in the output ($distinct)" test "$distinct" -eq 4000
check "after kill -9 + restart: at least once ($total records)" test "$total" -ge 4000
check "output values are right (k3999 -> N 3999, TAG T2)" \
    grep -q '"key": "k3999", "key_hex": "6b33393939", "offset": [0-9]*, "partition": [0-9], "value": "{\\"N\\":3999,\\"TAG\\":\\"T2\\"}"' "$T/out.json"
run_stop "$RUN_PID" TERM
check "final SIGTERM: exit 0" test "$RUN_RC" -eq 0
[ "$NFAIL" -eq 0 ] || { show "$T/run1.log"; show "$T/run2.log"; show "$T/run3.log"; }
[ "$NFAIL" -eq 0 ]
