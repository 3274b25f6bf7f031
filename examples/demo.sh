#!/usr/bin/env bash
# examples/demo.sh - `make demo`: the fraud and IoT rules running live on a development broker.
#
# What runs (everything on 127.0.0.1, in a private temporary directory, stopped and removed at
# the end, also on Ctrl-C):
#   weir broker             the development Kafka broker (librdkafka's mock cluster), own process
#   weir run  (3 times)     examples/fraud/statements.sql, examples/fraud/velocity.sql (the
#                           windowed velocity rule, state in LMDB) and examples/iot/statements.sql,
#                           each as a service (auto.offset.reset=earliest)
#   examples/generator.py   card transactions and sensor readings at a steady rate, with
#                           suspicious patterns, threshold breaches and a few malformed records
#   a watcher               an independent Kafka client (Debian's python3-confluent-kafka) that
#                           reads the alert topics and the processing logs and prints one line
#                           per alert and per processing-log entry as they arrive
# First, every example is checked on its recorded input with `weir test` (no broker).
#
#   bash examples/demo.sh                                   (what `make demo` runs)
#   DEMO_SECONDS=20 DEMO_RATE=60 WEIR=build-x/weir bash examples/demo.sh
#
# Ends after DEMO_SECONDS (default 60) of generated traffic or on Ctrl-C, then prints a summary:
# events generated, alerts raised (and whether every alert the generator planted was raised),
# processing-log entries, the generation-to-alert latency.  Exit status 0 when every planted
# alert was raised and every process ran to the end, 1 otherwise.
#
# Every process is started in its own session (setsid): Ctrl-C reaches only this script, which
# then stops them in order (generator, weir run with its drain and commit, watcher, broker).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
WEIR=${WEIR:-build/weir}
case "$WEIR" in /*) ;; *) WEIR="$PWD/$WEIR" ;; esac
PY=/usr/bin/python3                      # Debian's python3: the one with confluent_kafka
DEMO_SECONDS=${DEMO_SECONDS:-60}
DEMO_RATE=${DEMO_RATE:-30}               # events per second, transactions and readings together
RULES="fraud velocity iot"
nrules=3
# rule_file NAME: the query file a service runs
rule_file() { case $1 in velocity) echo examples/fraud/velocity.sql ;; *) echo "examples/$1/statements.sql" ;; esac; }

bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; red=$'\e[31m'; off=$'\e[0m'
color=1
[ -t 1 ] || { bold=; dim=; green=; red=; off=; color=0; }

die() { echo "${red}demo: $*${off}" >&2; exit 1; }
[ -x "$WEIR" ] || die "$WEIR not found: run make first"
"$PY" -c 'import confluent_kafka' 2>/dev/null ||
    die "$PY cannot import confluent_kafka: install python3-confluent-kafka (make deps does)"
command -v setsid >/dev/null || die "setsid (util-linux) is missing"
case "$DEMO_SECONDS" in ''|*[!0-9]*) die "DEMO_SECONDS must be a whole number of seconds" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/weir-demo.XXXXXX")
declare -A PID=()
interrupted=0

# stop NAME [SECONDS]: SIGTERM, wait up to SECONDS (default 5) for the exit, then SIGKILL
stop() {
    local p=${PID[$1]:-} i
    [ -n "$p" ] || return 0
    kill -TERM "$p" 2>/dev/null
    for ((i = 0; i < ${2:-5} * 10; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    local rc=$?
    unset "PID[$1]"
    return $rc
}
cleanup() {
    local n
    for n in generator run-fraud run-velocity run-iot watcher tail-fraud tail-velocity tail-iot \
             broker; do stop "$n" 2; done
    for n in "${!PID[@]}"; do stop "$n" 1; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'interrupted=1' INT TERM HUP
trap 'exit 141' PIPE                     # output closed (e.g. piped into head): clean up, stop

# start NAME CMD...: CMD in its own session, output in $tmp/NAME.log
start() {
    local name=$1; shift
    setsid "$@" >"$tmp/$name.log" 2>&1 </dev/null &
    PID[$name]=$!
}
alive() { [ -n "${PID[$1]:-}" ] && kill -0 "${PID[$1]}" 2>/dev/null; }
# pause SECONDS: a sleep that Ctrl-C interrupts at once
pause() { sleep "$1" & wait $! 2>/dev/null; }

# ---------------------------------------------------------------- 1. the rules on recorded input
echo "${bold}weir live demo${off}: fraud and IoT rules as services on a development Kafka broker"
echo "   A generator sends card transactions and sensor readings to Kafka for $DEMO_SECONDS s; two"
echo "   \`weir run\` services apply examples/fraud and examples/iot to them as they arrive; an"
echo "   independent Kafka client prints every alert and every processing-log entry they write."
echo
echo "${bold}1. the rules on their recorded input${off} ${dim}(weir test, no broker)${off}"
failed=0
for dir in examples/*/; do
    name=$(basename "$dir")
    [ -f "$dir/statements.sql" ] && [ -f "$dir/output.json" ] || continue
    if "$WEIR" test -s "$dir/statements.sql" -i "$dir/input.json" -o "$dir/output.json" \
            >"$tmp/test.out" 2>&1; then
        printf '   %sPASS%s  %-18s %s\n' "$green" "$off" "examples/$name" \
            "$(sed -n '1{s/^-- *//; s/[,;:]* *$//; /\.$/!s/$/.../; p}' "$dir/statements.sql")"
    else
        printf '   %sFAIL%s  %s\n' "$red" "$off" "examples/$name"; sed 's/^/   | /' "$tmp/test.out"
        failed=1
    fi
done
if "$WEIR" test -s examples/fraud/velocity.sql -i examples/fraud/velocity_input.json \
        -o examples/fraud/velocity_output.json >"$tmp/test.out" 2>&1; then
    printf '   %sPASS%s  %-18s %s\n' "$green" "$off" "examples/fraud" \
        "velocity.sql: more than 5 withdrawals per card in 5 minutes (windowed, LMDB state)"
else
    printf '   %sFAIL%s  %s\n' "$red" "$off" "examples/fraud/velocity.sql"; sed 's/^/   | /' "$tmp/test.out"
    failed=1
fi

# ---------------------------------------------------------------- 2. broker and services
echo
echo "${bold}2. starting${off}"
# Every topic is made up front (4 partitions for the streams, 1 for each processing log), so
# the watcher can read them from their first record whatever order things start in.
start broker "$WEIR" broker --bootstrap-file "$tmp/bootstrap" \
    --topic transactions:4 --topic suspicious-transactions:4 --topic withdrawal-velocity:4 \
    --topic sensor-readings:4 --topic sensor-alerts:4 \
    --topic demo_fraud_ksql_processing_log:1 --topic demo_velocity_ksql_processing_log:1 \
    --topic demo_iot_ksql_processing_log:1
for ((i = 0; i < 100; i++)); do [ -s "$tmp/bootstrap" ] || ! alive broker && break; pause 0.1; done
[ -s "$tmp/bootstrap" ] || { cat "$tmp/broker.log" >&2; die "the development broker did not start"; }
BOOTSTRAP=$(cat "$tmp/bootstrap")
[ $interrupted = 1 ] && exit 130
echo "   weir broker            ${dim}development broker on $BOOTSTRAP (in memory only)${off}"

for r in $RULES; do
    mkdir -p "$tmp/state-$r"
    # The development broker answers a fetch that finds no data only after fetch.wait.max.ms
    # (librdkafka's mock does not wake up on new data; a real broker does): lowered from 500 so
    # alerts follow their events within milliseconds.
    printf '%s\n' "# weir run properties for the demo's $r rules" \
        "ksql.service.id=demo_${r}_" "auto.offset.reset=earliest" "commit.interval.ms=1000" \
        "librdkafka.fetch.wait.max.ms=20" >"$tmp/$r.properties"
    start "run-$r" "$WEIR" run "$(rule_file "$r")" --bootstrap-file "$tmp/bootstrap" \
        --config "$tmp/$r.properties" --state-dir "$tmp/state-$r"
done
# the services have started when they log their queries (or failed when they exit)
for ((i = 0; i < 150; i++)); do
    ready=1
    for r in $RULES; do
        alive "run-$r" || die "weir run $(rule_file "$r") exited:
$(sed 's/^/   | /' "$tmp/run-$r.log")"
        grep -q 'running ' "$tmp/run-$r.log" || ready=0
    done
    [ $ready = 1 ] || [ $interrupted = 1 ] && break
    pause 0.1
done
for r in $RULES; do
    echo "   weir run $(rule_file "$r")"
    # the service's own log, live: startup, partition assignment, warnings, stats (without
    # the per-record processing-log lines, which the watcher shows from the topic, and
    # librdkafka's note that its producer ignores the consumer setting above)
    setsid bash -c 'tail -n +1 -F --pid="$1" "$2" 2>/dev/null |
        grep --line-buffered -v -e " Failed to " -e "processing-log entries" \
            -e "CONFWARN.*is a consumer property" |
        sed -u "s/^/      $3 /"' _ "${PID[run-$r]}" "$tmp/run-$r.log" "${dim}[$r]${off}" &
    PID[tail-$r]=$!
done

# The watcher: an independent consumer (assign from the beginning, no group) of the alert
# topics and the processing logs; it also reads the transactions, to name the merchant in
# each fraud alert.  One line per alert or entry on stdout; counts in watch.json.
cat >"$tmp/watch.py" <<'PY'
import json, base64, signal, sys, time
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING

bootstrap, ready_file, stats_file = sys.argv[1:4]
color = sys.argv[4] == "1"
C = {k: (v if color else "") for k, v in
     dict(red="\033[31m", yel="\033[33m", mag="\033[35m", cyan="\033[36m", dim="\033[2m",
          bold="\033[1m", off="\033[0m").items()}
RULE = {"LARGE_FOREIGN": "large foreign transaction", "LARGE_WITHDRAWAL": "large cash withdrawal"}
# (the velocity service reads the same transactions as the fraud service: its processing-log
# entries would repeat the fraud service's, so only the fraud and iot logs are shown)
topics = ["transactions", "suspicious-transactions", "withdrawal-velocity", "sensor-alerts",
          "demo_fraud_ksql_processing_log", "demo_iot_ksql_processing_log"]
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
signal.signal(signal.SIGINT, lambda *_: stop.append(1))

c = Consumer({"bootstrap.servers": bootstrap, "group.id": "weir-demo-watcher",
              "enable.auto.commit": False, "enable.partition.eof": False,
              "fetch.wait.max.ms": 20})
md = c.list_topics(timeout=10)
parts = [TopicPartition(t, p, OFFSET_BEGINNING) for t in topics if t in md.topics
         for p in md.topics[t].partitions]
c.assign(parts)
open(ready_file, "w").close()

txns = {}          # txn_id -> transaction (merchant, channel), the most recent 50 000
n = {"fraud": 0, "sensor": 0, "critical": 0, "plog": 0, "velocity": 0}
velocity = {}      # (card, window start) -> latest (withdrawals, total)
lat = []

def mask(card):
    d = card.split("-")
    return "%s-xxxx-%s" % (d[0], d[-1]) if len(d) >= 3 else card

def hms(ms):
    return time.strftime("%H:%M:%S", time.localtime(ms / 1000))

def latency(m, at=None, record=True):
    kind, ts = m.timestamp()
    if kind == 0:
        return ""
    ms = (at or time.time()) * 1000 - ts
    if record:   # velocity alerts wait for their service's commit cycle: not in the p50/p99
        lat.append(ms)
    return "%s+%d ms%s" % (C["dim"], ms, C["off"])

def on_fraud(m, v, at):
    n["fraud"] += 1
    t = txns.get(v.get("TXN_ID"))
    amount = "%s %s" % (v.get("CURRENCY"), "{:,.2f}".format(v["AMOUNT"]) if isinstance(v.get("AMOUNT"), (int, float)) else v.get("AMOUNT"))
    where = ("at %s (%s, %s)" % (t["merchant"], v.get("COUNTRY"), t.get("channel", "?")) if t
             else "%s in %s" % (v.get("KIND"), v.get("COUNTRY")))
    print("%s  %sFRAUD%s   card %s  %s%14s%s %s  %srule: %s%s  %s" % (
        hms(m.timestamp()[1]), C["red"] + C["bold"], C["off"], mask((m.key() or b"").decode()),
        C["bold"], amount, C["off"], where, C["cyan"], RULE.get(v.get("REASON"), v.get("REASON")),
        C["off"], latency(m, at)), flush=True)

def on_velocity(m, v):
    key = m.key() or b""
    card, start = key[:-8].decode("utf-8", "replace"), int.from_bytes(key[-8:], "big")
    if (card, start) not in velocity:
        n["velocity"] += 1
    velocity[(card, start)] = (v.get("WITHDRAWALS"), v.get("TOTAL"))
    total = v.get("TOTAL")
    total = "{:,.2f}".format(total) if isinstance(total, (int, float)) else total
    print("%s  %sVELOCITY%s card %s  %s%d withdrawals%s totalling %s in the 5 minutes from %s  %s" % (
        hms(m.timestamp()[1]), C["red"] + C["bold"], C["off"], mask(card), C["bold"],
        v.get("WITHDRAWALS") or 0, C["off"], total, hms(start)[:5], latency(m, record=False)),
        flush=True)

def on_sensor(m, v):
    n["sensor"] += 1
    sev = v.get("SEVERITY") or "?"
    n["critical"] += sev == "CRITICAL"
    col = C["red"] if sev == "CRITICAL" else C["yel"]
    print("%s  %sSENSOR%s  %s%-8s%s %-6s %-11s %8s %-3s at %s  %s" % (
        hms(m.timestamp()[1]), C["yel"] + C["bold"], C["off"], col, sev, C["off"],
        (m.key() or b"").decode(), v.get("KIND"), v.get("READING"), v.get("UNIT"),
        v.get("SITE"), latency(m)), flush=True)

def on_plog(m, v):
    n["plog"] += 1
    msg = v.get("message") or {}
    query = (v.get("logger") or "").split(".")[1:2] or ["?"]
    for kind in ("deserializationError", "recordProcessingError", "serializationError",
                 "productionError"):
        err = msg.get(kind)
        if not err:
            continue
        rec = err.get("record")
        if err.get("recordB64"):
            rec = base64.b64decode(err["recordB64"]).decode("utf-8", "replace")
        rec = "" if rec is None else "  %srecord: %s%s" % (C["dim"], rec if len(rec) <= 60 else rec[:57] + "...", C["off"])
        print("%s  %sPLOG%s    %s: %s%s" % (hms(v.get("time") or time.time() * 1000), C["mag"] + C["bold"],
              C["off"], query[0], err.get("errorMessage"), rec), flush=True)
        return
    print("%s  PLOG    %s" % (hms(time.time() * 1000), m.value().decode("utf-8", "replace")), flush=True)

def write_stats():
    s = dict(n)
    s["velocity_cards"] = sorted(set(card for card, _ in velocity))
    if lat:
        ls = sorted(lat)
        s["p50"] = ls[len(ls) // 2]
        s["p99"] = ls[min(len(ls) - 1, int(len(ls) * 0.99))]
    with open(stats_file + ".tmp", "w") as f:
        json.dump(s, f)
    import os
    os.replace(stats_file + ".tmp", stats_file)

last = 0
held = []          # fraud alerts waiting (briefly) for their transaction
while not stop or held:
    m = c.poll(0.2)   # then what else is there (consume() would wait to fill its batch)
    for m in ([m] + c.consume(500, 0) if m else []):
        if m.error() or m.value() is None:
            continue
        t = m.topic()
        try:
            v = json.loads(m.value())
        except ValueError:
            v = None
        if t == "transactions":
            if isinstance(v, dict) and "txn_id" in v:
                txns[v["txn_id"]] = v
                if len(txns) > 50000:
                    txns.pop(next(iter(txns)))
        elif not isinstance(v, dict):
            print("unreadable record on %s: %r" % (t, m.value()[:80]), flush=True)
        elif t == "suspicious-transactions":
            held.append((time.time() + 0.5, m, v, time.time()))  # until its transaction is read (names the merchant)
        elif t == "sensor-alerts":
            on_sensor(m, v)
        elif t == "withdrawal-velocity":
            on_velocity(m, v)
        else:
            on_plog(m, v)
    while held and (held[0][2].get("TXN_ID") in txns or held[0][0] < time.time() or stop):
        on_fraud(*held.pop(0)[1:])
    if time.time() - last > 0.3:
        write_stats()
        last = time.time()
write_stats()
c.close()
PY
setsid "$PY" "$tmp/watch.py" "$BOOTSTRAP" "$tmp/watch.ready" "$tmp/watch.json" "$color" \
    2>"$tmp/watcher.err" </dev/null &
PID[watcher]=$!
for ((i = 0; i < 150; i++)); do [ -e "$tmp/watch.ready" ] || ! alive watcher && break; pause 0.1; done
[ -e "$tmp/watch.ready" ] || { cat "$tmp/watcher.err" >&2; die "the watcher did not start"; }
[ $interrupted = 1 ] && exit 130
echo "   watcher                ${dim}independent Kafka consumer of suspicious-transactions, withdrawal-velocity, sensor-alerts and the processing logs${off}"

# consumer groups: the development broker takes about 3 s to form a group; traffic starts when
# both services have their partitions, so the first alerts are as prompt as the rest
for ((i = 0; i < 200; i++)); do
    n=0
    for r in $RULES; do grep -q 'assigned' "$tmp/run-$r.log" && n=$((n + 1)); done
    [ $n = $nrules ] || [ $interrupted = 1 ] && break
    pause 0.1
done
[ $interrupted = 1 ] && exit 130

start generator "$PY" examples/generator.py --bootstrap "$BOOTSTRAP" --rate "$DEMO_RATE" \
    --seconds "$DEMO_SECONDS" --scenario all --stats "$tmp/generator.json"
echo "   examples/generator.py  ${dim}$DEMO_RATE events/s for $DEMO_SECONDS s: card transactions -> transactions, sensor readings -> sensor-readings${off}"
echo
echo "${bold}3. alerts and processing-log entries as they happen${off} ${dim}(Ctrl-C to stop early)${off}"

# ---------------------------------------------------------------- 3. run until done or Ctrl-C
t0=$SECONDS
while [ $interrupted = 0 ] && alive generator; do
    for r in $RULES; do alive "run-$r" || break 2; done
    pause 0.5
done
stop generator 3
gen_rc=$?
t_gen=$((SECONDS - t0))
# let the last records through the rules: until the watcher has every planted alert (bounded;
# velocity alerts come at the velocity service's next commit cycle, within a second)
for ((i = 0; i < 100; i++)); do
    "$PY" -c 'import json,sys
g, w = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if w["fraud"] + w["sensor"] >= g["suspicious"] + g["breaches"] and
         set(g.get("velocity_cards", [])) <= set(w.get("velocity_cards", [])) else 1)' \
        "$tmp/generator.json" "$tmp/watch.json" 2>/dev/null && break
    [ $interrupted = 1 ] && [ $i -ge 20 ] && break
    sleep 0.1
done
pause 0.5

# ---------------------------------------------------------------- 4. stop in order, summary
declare -A run_rc=()
for r in $RULES; do
    if alive "run-$r"; then stop "run-$r" 20; run_rc[$r]=$?; else wait "${PID[run-$r]}" 2>/dev/null; run_rc[$r]=$?; unset "PID[run-$r]"; fi
done
stop tail-fraud 1; stop tail-iot 1
stop watcher 5
stop broker 5

echo
echo "${bold}4. summary${off} ${dim}($t_gen s of traffic)${off}"
status=0
"$PY" - "$tmp/generator.json" "$tmp/watch.json" <<'PY' || status=1
import json, sys
try:
    g = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("   the generator wrote no counts"); sys.exit(1)
try:
    w = json.load(open(sys.argv[2]))
except (OSError, ValueError):
    w = {"fraud": 0, "sensor": 0, "critical": 0, "plog": 0}
print("   generated        %d events: %d card transactions (%d suspicious), %d sensor readings "
      "(%d over a threshold), %d malformed" % (g["events"], g["fraud"], g["suspicious"], g["iot"],
                                               g["breaches"], g["malformed"]))
print("   alerts           %d fraud, %d velocity (card and 5-minute window), %d sensor (%d critical)" %
      (w["fraud"], w.get("velocity", 0), w["sensor"], w["critical"]))
print("   processing log   %d entries (malformed records skipped; the rules went on)" % w["plog"])
if "p50" in w:
    print("   latency          generated -> alert read back: p50 %.0f ms, p99 %.0f ms (fraud and "
          "sensor alerts; velocity alerts come with their service's commit cycle, 1 s)" %
          (w["p50"], w["p99"]))
ok = w["fraud"] == g["suspicious"] and w["sensor"] == g["breaches"]
print("   check            %s" % ("every planted alert was raised, and nothing else" if ok else
      "expected %d fraud and %d sensor alerts" % (g["suspicious"], g["breaches"])))
# velocity: every planted burst alerts (an everyday card may also pass 5 withdrawals by itself)
missed = sorted(set(g.get("velocity_cards", [])) - set(w.get("velocity_cards", [])))
print("   velocity check   %s" % ("every planted withdrawal burst (%d) raised a velocity alert" %
      g.get("velocity", 0) if not missed else "no velocity alert for %d planted burst(s): %s" %
      (len(missed), ", ".join(missed))))
sys.exit(0 if ok and not missed else 1)
PY
for r in $RULES; do
    rc=${run_rc[$r]}
    stats=$(sed -n 's/.*stats at exit: //p' "$tmp/run-$r.log" | tail -n 1 |
            sed -e 's/, queries [0-9]*//' -e 's/, dead letters 0//')
    if [ "$rc" = 0 ]; then
        printf '   %-16s %sstopped cleanly%s%s\n' "weir run ($r)" "$green" "$off" "${stats:+: $stats}"
    else
        printf '   %-16s %sexit status %s%s\n' "weir run ($r)" "$red" "$rc" "$off"
        tail -n 5 "$tmp/run-$r.log" | sed 's/^/   | /'
        status=1
    fi
done
[ "$gen_rc" = 0 ] || [ $interrupted = 1 ] || { echo "   ${red}generator exit status $gen_rc${off}"; status=1; }
[ $failed = 0 ] || status=1
exit $status
