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

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds
wait_for() {
    local limit=$(( $1 * 10 )) i=0; shift
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1)); [ "$i" -ge "$limit" ] && return 1; sleep 0.1
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
