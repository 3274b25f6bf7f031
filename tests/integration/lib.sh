# tests/integration/lib.sh - shared by the integration scripts (sourced, never run).
#
# Each script gets WEIR=<binary>, sources this file, and prints TAP lines through ok/not_ok
# (tests/run.sh counts every "ok"/"not ok" line; a script that exits non-zero without
# printing "not ok" counts as one failure).  Everything lives in a private temporary
# directory ($T) and every process started through `bg` is stopped on exit.
set -u
WEIR=${WEIR:-build/weir}
case "$WEIR" in /*) ;; *) WEIR="$PWD/$WEIR" ;; esac
PY=/usr/bin/python3            # Debian's python3, which has confluent_kafka
T=$(mktemp -d "${TMPDIR:-/tmp}/weir-it.XXXXXX")
TAPN=0
NFAIL=0
BG_PIDS=()

cleanup() {
    local p
    for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.2
    for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "$NFAIL" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then rm -rf "$T"; else echo "# kept $T" >&2; fi
}
trap cleanup EXIT

ok() { TAPN=$((TAPN + 1)); echo "ok $TAPN - $*"; }
not_ok() { TAPN=$((TAPN + 1)); NFAIL=$((NFAIL + 1)); echo "not ok $TAPN - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# show the tail of a log file on stderr (for failures)
show() { echo "# --- $1" >&2; tail -n "${2:-40}" "$1" 2>/dev/null | sed 's/^/#   /' >&2; }

# bg NAME CMD...: start CMD in the background, output in $T/NAME.log; sets LAST_PID
bg() { local n=$1; shift; "$@" >"$T/$n.log" 2>&1 & LAST_PID=$!; BG_PIDS+=("$LAST_PID"); }

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds, for at most SECONDS
# of wall-clock time (however long COMMAND itself takes)
wait_for() {
    local end=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -ge "$end" ] && return 1; sleep 0.1
    done
}

# start_broker [ARGS...]: a development broker in its own process; sets BOOTSTRAP, BROKER_PID,
# and a control FIFO at $T/broker.ctl (write fault commands to it with `broker_ctl`)
start_broker() {
    bg broker "$WEIR" broker --bootstrap-file "$T/bootstrap" --control "$T/broker.ctl" "$@" </dev/null
    BROKER_PID=$LAST_PID
    wait_for 20 test -s "$T/bootstrap" || { echo "# broker did not start" >&2; show "$T/broker.log"; exit 1; }
    BOOTSTRAP=$(cat "$T/bootstrap")
}
broker_ctl() { echo "$*" > "$T/broker.ctl"; }

# ---------------------------------------------------------------- weir run (run_*.sh)
# kafka_check.py is the independent client: consume from the beginning with assign(),
# produce "key<TAB>value" lines, Kafka's murmur2 partition of a key.
KC_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kafka_check.py"
kc() { "$PY" "$KC_PY" "$@"; }
# produce TOPIC [ARGS...]: stdin lines "key<TAB>value" to TOPIC on $BOOTSTRAP
produce() { local t=$1; shift; kc produce -b "$BOOTSTRAP" -t "$t" "$@"; }
# consume TOPIC N [TIMEOUT] [ARGS...]: JSON lines of TOPIC from the beginning, until N records
consume() { local t=$1 n=$2 to=${3:-30}; shift 3 2>/dev/null || shift $#; kc consume -b "$BOOTSTRAP" -t "$t" -n "$n" --timeout "$to" "$@"; }
# consume_all TOPIC [IDLE]: every record of TOPIC, until nothing new came for IDLE (3) seconds
consume_all() { kc consume -b "$BOOTSTRAP" -t "$1" --idle "${2:-3}" --timeout 60; }

# run_start NAME FILE [ARGS...]: `weir run FILE --bootstrap-file ... ARGS` in the background,
# log in $T/NAME.log; sets RUN_PID; waits until it logged "running " for its queries (or died).
run_start() {
    local n=$1 f=$2; shift 2
    bg "$n" "$WEIR" run "$f" --bootstrap-file "$T/bootstrap" "$@"
    RUN_PID=$LAST_PID
    wait_for 30 grep -q ' running ' "$T/$n.log"
    kill -0 "$RUN_PID" 2>/dev/null || { echo "# weir run $n exited early" >&2; show "$T/$n.log"; return 1; }
    return 0
}
# run_stop PID [SIGNAL] [SECONDS]: signal (TERM) and wait for the exit; RUN_RC = its status
# (124 when it did not exit in time; it is then killed)
run_stop() {
    local p=$1 sig=${2:-TERM} limit=${3:-40} i=0
    kill -"$sig" "$p" 2>/dev/null
    while kill -0 "$p" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -ge $((limit * 10)) ]; then kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; RUN_RC=124; return; fi
        sleep 0.1
    done
    wait "$p" 2>/dev/null
    RUN_RC=$?
}
# log_has FILE PATTERN: grep -E in a log, quietly
log_has() { grep -Eq -- "$2" "$1"; }
# topic_count TOPIC: records in TOPIC right now (kcat reads to the end of every partition)
topic_count() { kcat -b "$BOOTSTRAP" -C -t "$1" -e -q -f '%k\n' 2>/dev/null | wc -l; }
# topic_distinct TOPIC: distinct keys in TOPIC right now
topic_distinct() { kcat -b "$BOOTSTRAP" -C -t "$1" -e -q -f '%k\n' 2>/dev/null | sort -u | wc -l; }
# quiet COMMAND...: COMMAND with its output discarded (for check)
quiet() { "$@" >/dev/null 2>&1; }
# at_least N COMMAND...: true when COMMAND prints a number >= N (for wait_for)
at_least() { local n=$1; shift; [ "$("$@")" -ge "$n" ]; }

# ---------------------------------------------------------------- windowed velocity (live_*.sh)
# gen N CARDS SEED OUT [txid]: "card<TAB>json" lines in OUT ("tx<i><TAB>json" with txid: keyed
# by transaction, so a GROUP BY card re-keys), the JSON holding card, kind, amount and ts;
# expected per-card 5-minute tumbling COUNT and SUM {"card|windowstart": [n, total]} in
# OUT.expected; event times 150 ms apart from a fixed base (about 6 windows for 12 000)
gen() {
    "$PY" - "$@" <<'EOF'
import json, random, sys
n, cards, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
by_tx = len(sys.argv) > 5 and sys.argv[5] == "txid"
rnd = random.Random(seed)
base = 1700000100000
exp = {}
with open(out, "w") as f:
    for i in range(n):
        card = "c%05d" % rnd.randrange(cards) if cards < n else "c%05d" % i
        amount = rnd.randrange(1, 500)
        ts = base + i * 150
        v = {"card": card, "kind": "withdrawal", "amount": amount, "ts": ts}
        f.write("%s\t%s\n" % ("tx%d" % i if by_tx else card, json.dumps(v)))
        k = "%s|%d" % (card, ts - ts % 300000)
        c = exp.setdefault(k, [0, 0])
        c[0] += 1
        c[1] += amount
json.dump(exp, open(out + ".expected", "w"))
EOF
}
# compare TOPIC EXPECTED: the last record of every (key, window) of TOPIC against EXPECTED;
# prints "windows=W mismatched=M missing=X records=R" and exits 0 when all match
compare() {
    consume_all "$1" 2 >"$T/cmp.json"
    "$PY" - "$T/cmp.json" "$2" <<'EOF'
import json, sys
last = {}
records = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    kh = r["key_hex"]
    card, start = bytes.fromhex(kh[:-16]).decode(), int(kh[-16:], 16)
    last["%s|%d" % (card, start)] = r["value"]
    records += 1
exp = json.load(open(sys.argv[2]))
bad = missing = 0
for k, (n, total) in exp.items():
    v = last.get(k)
    if v is None:
        missing += 1
        continue
    v = json.loads(v)
    if v["N"] != n or v["TOTAL"] != total:
        bad += 1
        if bad <= 3:
            print("# %s: got %s, want N %d TOTAL %d" % (k, v, n, total), file=sys.stderr)
print("windows=%d mismatched=%d missing=%d records=%d extra=%d" %
      (len(exp), bad, missing, records, len(set(last) - set(exp))))
sys.exit(0 if bad == 0 and missing == 0 and len(last) == len(exp) else 1)
EOF
}
# kill_restarts TIMES MIN MAX PATTERN NAME SQL [ARGS...]: while the producer $PROD runs, TIMES
# times: wait a random MIN..MAX seconds, SIGKILL $RUN_PID, restart `weir run SQL ARGS` as
# NAME<i> and wait until its log matches PATTERN (its partitions are assigned); sets KILLS
kill_restarts() {
    local times=$1 lo=$2 hi=$3 pat=$4 name=$5 sql=$6 i
    shift 6
    KILLS=0
    for i in $(seq "$times"); do
        sleep "$(awk -v s="$RANDOM" -v lo="$lo" -v hi="$hi" 'BEGIN {srand(s); printf "%.1f", lo + rand() * (hi - lo)}')"
        kill -0 "$PROD" 2>/dev/null || break
        kill -KILL "$RUN_PID"
        { wait "$RUN_PID"; } 2>/dev/null
        KILLS=$((KILLS + 1))
        run_start "$name$i" "$sql" "$@" || break
        wait_for 30 log_has "$T/$name$i.log" "$pat"
    done
}
