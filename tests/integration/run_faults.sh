# run_faults.sh - `weir run` through broker faults injected on the development broker's control
# FIFO while records flow: a broker down and up again, Produce requests failing with
# NOT_LEADER_FOR_PARTITION, a slow broker (rtt), partition leaders moved across 3 brokers.
# weir keeps running, nothing is lost, and SIGTERM still ends in a clean drain (exit 0).  Then
# a drain that cannot finish (broker down): a second SIGTERM exits at once, nothing lost.
. "$(dirname "$0")/lib.sh"

start_broker --brokers 3 --topic in:4
cat >"$T/q.sql" <<'EOF'
CREATE STREAM src (id STRING KEY, n INT) WITH (kafka_topic='in', value_format='JSON');
CREATE STREAM dst WITH (kafka_topic='out', partitions=4) AS
  SELECT id, n * 10 AS n10 FROM src WHERE n >= 0 EMIT CHANGES;
EOF
cat >"$T/run.properties" <<'EOF'
auto.offset.reset=earliest
commit.interval.ms=300
librdkafka.session.timeout.ms=6000
librdkafka.heartbeat.interval.ms=500
EOF
# spread the leaders: partitions of both topics on brokers 1, 2, 3
for p in 0 1 2 3; do broker_ctl "leader in $p $((p % 3 + 1))"; done
run_start run "$T/q.sql" --state-dir "$T/state" --config "$T/run.properties"
check "weir run starts on a 3-broker cluster" kill -0 "$RUN_PID"
wait_for 10 sh -c "kcat -b '$BOOTSTRAP' -L -t out | grep -q 'topic \"out\" with 4 partitions'"
for p in 0 1 2 3; do broker_ctl "leader out $p $(((p + 1) % 3 + 1))"; done
# faults while weir itself consumes and produces: after its group join
wait_for 20 log_has "$T/run.log" "CSAS_DST_0: assigned 4 partition"

N=1500
for ((i = 0; i < N; i++)); do printf 'k%04d\t{"n":%d}\n' "$i" "$i"; done >"$T/in.txt"
produce in --delay-ms 2 <"$T/in.txt" &
PROD=$!
sleep 0.7; broker_ctl "error Produce NOT_LEADER_FOR_PARTITION 5"
sleep 0.5; broker_ctl "rtt 1 200"
sleep 0.7; broker_ctl "leader out 0 3"; broker_ctl "leader in 1 1"
sleep 0.5; broker_ctl "down 2"
sleep 1.5; broker_ctl "up 2"
sleep 0.5; broker_ctl "rtt 1 0"
wait "$PROD"
check "the producer got every input record acknowledged" test $? -eq 0
check "weir run survived the faults" kill -0 "$RUN_PID"
check "broker applied the faults" \
    sh -c "grep -q '^ok broker 2 down' '$T/broker.log' && grep -q '^ok next 5 Produce requests fail' '$T/broker.log'"

wait_for 40 at_least "$N" topic_distinct out
consume_all out 2 >"$T/out.json"
"$PY" - "$T/out.json" "$N" >"$T/out.check" 2>&1 <<'EOF'
import json, sys
n = int(sys.argv[2])
got = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    got[r["key"]] = json.loads(r["value"])
missing = [f"k{i:04d}" for i in range(n) if f"k{i:04d}" not in got]
assert not missing, f"{len(missing)} keys missing, e.g. {missing[:5]}"
bad = [k for k, v in got.items() if v != {"N10": int(k[1:]) * 10}]
assert not bad, f"wrong values for {bad[:5]}"
print("ok")
EOF
if [ "$(cat "$T/out.check")" = ok ]; then
    ok "every one of $N records reached the output with the right value"
else
    not_ok "records lost or wrong"; show "$T/out.check"
fi
check "output keys sit where murmur2 puts them" kc check-partitions 4 <"$T/out.json"
run_stop "$RUN_PID" TERM
check "SIGTERM after the faults: exit 0 (drained, committed)" test "$RUN_RC" -eq 0

# ---- a drain that cannot finish: every output partition on broker 3, broker 3 down.
# SIGTERM starts the drain; a second SIGTERM exits at once with status 1; after a restart
# (broker 3 back) nothing is lost.
for p in 0 1 2 3; do broker_ctl "leader in $p $((p % 2 + 1))"; broker_ctl "leader out $p 3"; done
run_start run2 "$T/q.sql" --state-dir "$T/state" --config "$T/run.properties"
wait_for 20 log_has "$T/run2.log" "CSAS_DST_0: assigned 4 partition"
broker_ctl "down 3"
for ((i = N; i < N + 100; i++)); do printf 'k%04d\t{"n":%d}\n' "$i" "$i"; done | produce in
sleep 2 # weir consumes them at once; their outputs wait for broker 3
kill -TERM "$RUN_PID"
wait_for 5 log_has "$T/run2.log" "shutting down: waiting for [1-9][0-9]* record"
check "the drain waits for the unacknowledged outputs" log_has "$T/run2.log" "shutting down: waiting for [1-9]"
check "still draining 1 s later" sh -c "sleep 1; kill -0 $RUN_PID"
run_stop "$RUN_PID" TERM 5
check "second SIGTERM during the drain: exit 1 at once" test "$RUN_RC" -eq 1
check "second SIGTERM: logged" log_has "$T/run2.log" "WARN  SIGTERM again: exiting now"
broker_ctl "up 3"
run_start run3 "$T/q.sql" --state-dir "$T/state" --config "$T/run.properties"
check "after the abrupt exit and a restart: all $((N + 100)) keys in the output" \
    wait_for 40 at_least $((N + 100)) topic_distinct out
run_stop "$RUN_PID" TERM
check "final SIGTERM: exit 0" test "$RUN_RC" -eq 0
[ "$NFAIL" -eq 0 ] || { show "$T/run.log" 60; show "$T/run2.log"; show "$T/run3.log"; show "$T/broker.log"; }
[ "$NFAIL" -eq 0 ]
