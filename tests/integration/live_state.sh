# live_state.sh - state in the live runtime: a windowed aggregation (COUNT and SUM per card,
# TUMBLING 5 MINUTES over event timestamps) run by `weir run` on the development broker and
# killed with SIGKILL at random points while its input flows, then restarted on the same state
# directory.  At the end the last value of every (card, window) in the output topic must equal
# the value computed independently (Python) from the input: no record counted twice (the state
# resumes from the offsets committed with it) and none missed (outputs are acknowledged before
# the state is committed).  Also: outputs are coalesced per commit interval
# (cache.max.bytes.buffering; 0 produces every update), and a state that starts with a 1 MiB
# LMDB map (weir.state.map.size) grows it and goes on.
. "$(dirname "$0")/lib.sh"

start_broker --topic tx:4 --topic tx2:2

cat >"$T/q.sql" <<'EOF'
CREATE STREAM tx (card STRING KEY, kind STRING, amount INT, ts BIGINT)
  WITH (kafka_topic='tx', value_format='JSON', timestamp='ts');
CREATE TABLE velocity WITH (kafka_topic='velocity', partitions=4) AS
  SELECT card, COUNT(*) AS n, SUM(amount) AS total
  FROM tx WINDOW TUMBLING (SIZE 5 MINUTES)
  GROUP BY card EMIT CHANGES;
EOF
# a short session timeout: after kill -9 the group must not wait 45 s for the dead member
# (the mock broker takes about 11 s to hand a dead member's partitions over: the test's time
# goes mostly into these rejoins, so 3 kills and an input that flows for about 40 s)
cat >"$T/run.properties" <<'EOF'
auto.offset.reset=earliest
commit.interval.ms=300
librdkafka.session.timeout.ms=6000
librdkafka.heartbeat.interval.ms=500
EOF
ARGS=(--state-dir "$T/state" --config "$T/run.properties" --service-id velo)

field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

# ---- 1. kill -9 at random points while the input flows, restart on the same state dir
gen 12000 150 7 "$T/in.tsv"
run_start run0 "$T/q.sql" "${ARGS[@]}"
wait_for 30 log_has "$T/run0.log" "assigned 4 partition"
produce tx --delay-ms 3 <"$T/in.tsv" &
PROD=$!
# at random points 0.3 to 2 s into the run's processing
kill_restarts 3 0.3 2 "assigned 4 partition" run "$T/q.sql" "${ARGS[@]}"
kills=$KILLS
check "killed weir run with SIGKILL $kills times while the input flowed" test "$kills" -ge 3
wait "$PROD"
check "the 12 000 input records were produced" test $? -eq 0
last_log="$T/run$kills.log"
check "after a restart, the partitions resume at the offsets committed with the state" \
    log_has "$last_log" "partition\(s\) resume at the offsets committed with the state"
wait_for 60 compare velocity "$T/in.tsv.expected"
res=$(compare velocity "$T/in.tsv.expected")
echo "# $res"
check "every (card, window) ends with the uninterrupted value ($res)" \
    quiet compare velocity "$T/in.tsv.expected"
records=$(field records "$res")
check "outputs are coalesced per commit interval ($records records for 12 000 updates)" \
    test "${records:-12000}" -lt 9000
run_stop "$RUN_PID" TERM
check "SIGTERM: exit 0 after the drain and the state commit" test "$RUN_RC" -eq 0
check "the shutdown committed the state" log_has "$last_log" "state commits"

# ---- 2. cache.max.bytes.buffering=0: every update is produced (the same 12 000 records)
sed 's/velocity/every/g' "$T/q.sql" >"$T/q3.sql"
{ cat "$T/run.properties"; echo "cache.max.bytes.buffering=0"; } >"$T/run3.properties"
run_start every "$T/q3.sql" --state-dir "$T/state3" --config "$T/run3.properties" --service-id every
wait_for 40 at_least 12000 topic_count every
sleep 0.5
n=$(topic_count every)
check "cache.max.bytes.buffering=0: one output per update ($n of 12 000)" test "$n" -eq 12000
check "... with the same final values" quiet compare every "$T/in.tsv.expected"
run_stop "$RUN_PID" TERM

# ---- 3. a 1 MiB LMDB map fills up: weir grows it and goes on
sed 's/kafka_topic=.tx.,/kafka_topic='"'"'tx2'"'"',/; s/velocity/velocity2/g' "$T/q.sql" >"$T/q2.sql"
cat "$T/run.properties" - >"$T/run2.properties" <<'EOF'
weir.state.map.size=1048576
EOF
gen 30000 30000 11 "$T/in2.tsv"
produce tx2 <"$T/in2.tsv"
check "30 000 records with distinct cards produced" test $? -eq 0
run_start grow "$T/q2.sql" --state-dir "$T/state2" --config "$T/run2.properties" --service-id grow
wait_for 60 compare velocity2 "$T/in2.tsv.expected"
res=$(compare velocity2 "$T/in2.tsv.expected")
check "30 000 keys aggregated correctly ($res)" quiet compare velocity2 "$T/in2.tsv.expected"
check "the LMDB map was full and grew (logged)" log_has "$T/grow.log" "LMDB map was full and grew"
check "no error was logged" sh -c "! grep -q ' ERROR ' '$T/grow.log'"
run_stop "$RUN_PID" TERM
check "SIGTERM: exit 0" test "$RUN_RC" -eq 0
[ "$NFAIL" -eq 0 ] || { for f in "$T"/run*.log "$T/grow.log"; do show "$f" 15; done; }
[ "$NFAIL" -eq 0 ]
