# live_repartition.sh - an aggregation whose grouping key is not the message key goes through
# its repartition topic.  Payments keyed by transaction id, COUNT and SUM per card over 5-minute
# tumbling windows:
#   1. two `weir run` instances of one service share the 4 input partitions; every card's
#      records still meet in one instance (the one that owns the card's repartition partition),
#      so the last value of every (card, window) equals the count over all partitions.  Without
#      the topic each instance would count only its own input partitions.
#   2. one instance killed with SIGKILL while the input flows and restarted: source and
#      repartition offsets resume with the state, nothing is counted twice or missed.
. "$(dirname "$0")/lib.sh"

start_broker --topic pay:4 --topic pay2:4

query() { # SINK TOPIC
    cat <<EOF
CREATE STREAM $2 (txid STRING KEY, card STRING, amount INT, ts BIGINT)
  WITH (kafka_topic='$2', value_format='JSON', timestamp='ts');
CREATE TABLE $1 WITH (kafka_topic='$1', partitions=4) AS
  SELECT card, COUNT(*) AS n, SUM(amount) AS total
  FROM $2 WINDOW TUMBLING (SIZE 5 MINUTES)
  GROUP BY card EMIT CHANGES;
EOF
}
query per_card pay >"$T/q.sql"
cat >"$T/run.properties" <<'EOF'
auto.offset.reset=earliest
commit.interval.ms=300
librdkafka.session.timeout.ms=6000
librdkafka.heartbeat.interval.ms=500
EOF
RP=_confluent-ksql-scalequery_CTAS_PER_CARD_0-Aggregate-GroupBy-repartition

# ---- 1. two instances of service "scale"
ARGS=(--config "$T/run.properties" --service-id scale)
run_start a "$T/q.sql" --state-dir "$T/state-a" "${ARGS[@]}"
PID_A=$RUN_PID
run_start b "$T/q.sql" --state-dir "$T/state-b" "${ARGS[@]}"
PID_B=$RUN_PID
check "the repartition topic is named after the query, as ksqlDB's" \
    log_has "$T/a.log" "records go through $RP \(4 partitions\)"
# the group settles: each instance owns 2 of the 4 input and 2 of the 4 repartition partitions
wait_for 60 sh -c "grep -q 'assigned 4 partition' '$T/a.log' && grep -q 'assigned 4 partition' '$T/b.log'"
check "both instances hold half of the 8 partitions (input and repartition)" \
    sh -c "grep 'assigned' '$T/a.log' | tail -n 1 | grep -q 'assigned 4 partition' &&
           grep 'assigned' '$T/b.log' | tail -n 1 | grep -q 'assigned 4 partition'"
gen 6000 60 3 "$T/in.tsv" txid
produce pay <"$T/in.tsv"
check "6 000 payments keyed by transaction produced" test $? -eq 0
wait_for 60 compare per_card "$T/in.tsv.expected"
res=$(compare per_card "$T/in.tsv.expected")
echo "# $res"
check "every (card, window) ends with the count over all partitions ($res)" \
    quiet compare per_card "$T/in.tsv.expected"
check "both instances produced results" \
    sh -c "[ \"\$(kcat -b '$BOOTSTRAP' -C -t per_card -e -q -f '%p\n' | sort -u | wc -l)\" -ge 2 ]"
# an independent reader: every card's repartition records sit in one partition
kcat -b "$BOOTSTRAP" -C -t "$RP" -e -q -f '%k\t%p\n' 2>/dev/null >"$T/rp.txt"
n=$(wc -l <"$T/rp.txt")
check "the repartition topic holds one record per payment ($n)" test "$n" -eq 6000
split=$(sort -u "$T/rp.txt" | cut -f1 | sort | uniq -d | wc -l)
keys=$(cut -f1 "$T/rp.txt" | sort -u | wc -l)
check "each of the $keys cards is in exactly one repartition partition" \
    test "$split" -eq 0 -a "$keys" -eq 60
# both at once: an instance stopping alone would send the other into a rebalance
kill -TERM "$PID_B"
run_stop "$PID_A" TERM
rc_a=$RUN_RC
run_stop "$PID_B" TERM
check "SIGTERM: both instances exit 0" test "$rc_a" -eq 0 -a "$RUN_RC" -eq 0

# ---- 2. one instance, SIGKILL while the input flows, restart on the same state dir
query per_card2 pay2 >"$T/q2.sql"
ARGS=(--state-dir "$T/state-k" --config "$T/run.properties" --service-id kill)
gen 8000 100 5 "$T/in2.tsv" txid
run_start k0 "$T/q2.sql" "${ARGS[@]}"
wait_for 30 log_has "$T/k0.log" "assigned 8 partition"
produce pay2 --delay-ms 3 <"$T/in2.tsv" &
PROD=$!
kill_restarts 2 0.5 2 "assigned 8 partition" k "$T/q2.sql" "${ARGS[@]}"
kills=$KILLS
check "killed weir run with SIGKILL $kills times while the input flowed" test "$kills" -ge 2
wait "$PROD"
check "the 8 000 input records were produced" test $? -eq 0
wait_for 60 compare per_card2 "$T/in2.tsv.expected"
# replays after the kills write some repartition records twice; none may be counted twice
echo "# repartition records: $(topic_count _confluent-ksql-killquery_CTAS_PER_CARD2_0-Aggregate-GroupBy-repartition) for 8000 payments"
res=$(compare per_card2 "$T/in2.tsv.expected")
echo "# $res"
check "every (card, window) ends with the uninterrupted value ($res)" \
    quiet compare per_card2 "$T/in2.tsv.expected"
run_stop "$RUN_PID" TERM
check "SIGTERM: exit 0" test "$RUN_RC" -eq 0
# ---- 3. a table re-grouped: users move between regions and leave; each change travels with
# the user's old row, so the old region is decremented and the new one incremented
cat >"$T/q3.sql" <<'EOF'
CREATE TABLE users (id STRING PRIMARY KEY, region STRING)
  WITH (kafka_topic='users', value_format='JSON', partitions=4);
CREATE TABLE per_region WITH (kafka_topic='per_region', partitions=2) AS
  SELECT region, COUNT(*) AS n FROM users GROUP BY region EMIT CHANGES;
EOF
"$PY" - "$T/users.tsv" <<'EOF'
import json, random, sys
rnd = random.Random(9)
live = {}
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        u = "u%03d" % rnd.randrange(300)
        if rnd.random() < 0.1:
            f.write("%s\t<null>\n" % u)          # a tombstone: the user leaves
            live.pop(u, None)
        else:
            r = "r%d" % rnd.randrange(8)
            f.write("%s\t%s\n" % (u, json.dumps({"region": r})))
            live[u] = r
exp = {}
for r in live.values():
    exp[r] = exp.get(r, 0) + 1
json.dump(exp, open(sys.argv[1] + ".expected", "w"))
EOF
run_start t0 "$T/q3.sql" --state-dir "$T/state-t" --config "$T/run.properties" --service-id tbl
wait_for 30 log_has "$T/t0.log" "assigned 8 partition"
produce users <"$T/users.tsv"
check "3 000 user changes produced (tombstones included)" test $? -eq 0
regions_match() {
    consume_all per_region 2 >"$T/regions.json"
    "$PY" - "$T/regions.json" "$T/users.tsv.expected" <<'EOF'
import json, sys
last = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    last[bytes.fromhex(r["key_hex"]).decode()] = json.loads(r["value"])["N"] if r["value"] else 0
exp = json.load(open(sys.argv[2]))
bad = {k: (last.get(k), v) for k, v in exp.items() if last.get(k) != v}
bad.update({k: (v, 0) for k, v in last.items() if k not in exp and v})
print("regions=%d wrong=%s" % (len(exp), bad))
sys.exit(1 if bad else 0)
EOF
}
wait_for 60 regions_match
res=$(regions_match)
check "each region's count ends with the users it holds ($res)" quiet regions_match
run_stop "$RUN_PID" TERM
check "SIGTERM: exit 0" test "$RUN_RC" -eq 0

[ "$NFAIL" -eq 0 ] || { for f in "$T"/a.log "$T"/b.log "$T"/k*.log "$T"/t0.log; do show "$f" 15; done; }
[ "$NFAIL" -eq 0 ]
