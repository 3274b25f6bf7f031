# run_errors.sh - `weir run` and bad records: malformed JSON among good records goes to the
# processing log (topic default_ksql_processing_log, ksqlDB's entry shape: type 0 and the raw
# bytes in recordB64) while the good records after it still come through; with
# errors.deadletterqueue.topic.name set before a CSAS, the raw bad bytes also reach that topic
# with a weir.error.reason header.
. "$(dirname "$0")/lib.sh"

start_broker --topic readings:1
cat >"$T/q.sql" <<'EOF'
CREATE STREAM readings (id STRING KEY, v INT) WITH (kafka_topic='readings', value_format='JSON');
CREATE STREAM doubled WITH (kafka_topic='doubled') AS SELECT id, v * 2 AS v2 FROM readings EMIT CHANGES;
SET 'errors.deadletterqueue.topic.name' = 'dlq';
CREATE STREAM copied WITH (kafka_topic='copied') AS SELECT id, v FROM readings EMIT CHANGES;
EOF
printf 'auto.offset.reset=earliest\ncommit.interval.ms=500\n' >"$T/run.properties"
run_start run "$T/q.sql" --state-dir "$T/state" --config "$T/run.properties"
check "weir run starts with two queries" log_has "$T/run.log" "running CSAS_COPIED_1: readings -> copied"

# one partition: the order is kept; the bad records sit between good ones
printf '%s\t%s\n' \
    a '{"v":1}' \
    b '{"v":2' \
    c '{"v":3}' \
    d 'not json at all' \
    e '{"v":5}' | produce readings

consume doubled 3 30 --idle 1 >"$T/doubled.json"
check "good records before and after the bad ones come through, in order" \
    test "$("$PY" -c 'import json,sys; print(" ".join(json.loads(l)["key"] + "=" + json.loads(l)["value"] for l in sys.stdin))' <"$T/doubled.json")" \
    = 'a={"V2":2} c={"V2":6} e={"V2":10}'

# two queries read the two bad records: four processing-log entries
consume default_ksql_processing_log 4 30 --idle 1 >"$T/plog.json"
"$PY" - "$T/plog.json" >"$T/plog.check" 2>&1 <<'EOF'
import base64, json, sys
want = {b'{"v":2', b'not json at all'}
seen = {}
for line in open(sys.argv[1]):
    e = json.loads(json.loads(line)["value"])
    assert e["level"] == "ERROR", e
    assert e["logger"].startswith("processing.CSAS_"), e["logger"]
    m = e["message"]
    assert m["type"] == 0, m
    d = m["deserializationError"]
    assert d["target"] == "value", d
    assert d["topic"] == "readings", d
    assert d["errorMessage"], d
    raw = base64.b64decode(d["recordB64"])
    assert raw in want, raw
    for k in ("recordProcessingError", "productionError", "serializationError"):
        assert m.get(k) is None, (k, m)
    q = e["logger"].split(".")[1]
    seen.setdefault(q, set()).add(raw)
assert sorted(seen) == ["CSAS_COPIED_1", "CSAS_DOUBLED_0"], seen
assert all(v == want for v in seen.values()), seen
print("ok")
EOF
if [ "$(cat "$T/plog.check")" = ok ]; then
    ok "processing log: type 0 entries in ksqlDB's shape with the raw bytes in recordB64"
else
    not_ok "processing log entries"; show "$T/plog.check"; show "$T/plog.json"
fi

consume dlq 2 30 --idle 1 >"$T/dlq.json"
"$PY" - "$T/dlq.json" >"$T/dlq.check" 2>&1 <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["value"] for r in recs] == ['{"v":2', "not json at all"], recs
for r in recs:
    h = dict(r["headers"])
    assert h.get("weir.error.reason"), r
assert [r["key"] for r in recs] == ["b", "d"], recs
print("ok")
EOF
if [ "$(cat "$T/dlq.check")" = ok ]; then
    ok "dead-letter topic: the raw bad records (only from the query after the SET), with weir.error.reason"
else
    not_ok "dead-letter topic"; show "$T/dlq.check"; show "$T/dlq.json"
fi
consume copied 3 30 --idle 1 >"$T/copied.json"
check "the query with a dead-letter topic still passes its good records" \
    test "$(wc -l <"$T/copied.json")" -eq 3

run_stop "$RUN_PID" TERM
check "SIGTERM: exit 0" test "$RUN_RC" -eq 0
check "stats at exit count the processing-log entries" \
    log_has "$T/run.log" "stats at exit: consumed 10, .*processing-log entries 4, dead letters 2"
[ "$NFAIL" -eq 0 ] || show "$T/run.log"
[ "$NFAIL" -eq 0 ]
