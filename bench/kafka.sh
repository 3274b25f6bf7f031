#!/usr/bin/env bash
# bench/kafka.sh - weir on Kafka against the ceilings of the same broker and client library.
#
#   bash bench/kafka.sh [BUILD_DIR]          (default build; builds weir and kafka_bench)
#   N=200000 PARTS=16 RUNS=5 LAT_SECONDS=5 bash bench/kafka.sh build
#
# On a development broker of its own (`weir broker`, librdkafka's mock cluster, in memory):
#   1. fill     N JSON transactions (~230 bytes with the key) into bench-in (PARTS partitions)
#   2. ceiling  raw librdkafka: consume them from the beginning (blocking batch consume, and
#               woken by queue io-events as weir's runtime is); consume and re-produce each
#               (idempotent producer, weir's settings) and wait for every delivery report;
#               RUNS times each, the median is kept
#   3. weir     `weir run` with a selective filter (amount > 900, about 10 %) and with a
#               projection, each from the beginning of bench-in: rate from the first output
#               record until the output topic holds every expected record; CPU time of the weir
#               process (/proc/PID/stat) over the same window gives events/s per core
#   4. memory   VmRSS of `weir run` with one running query and no traffic (idle), and the peak
#               (VmHWM) during the projection run
#   5. latency  a producer at half weir's projection rate puts its send time (microseconds) in
#               each record; a consumer of the output computes receive - send: p50/p90/p99
#   6. state    a windowed COUNT and SUM per key (TUMBLING 1 HOUR, CREATE TABLE AS SELECT) over
#               STATE_N records and STATE_KEYS keys: events/s (from weir's own consumed counter,
#               every 100 ms) and per core, LMDB writes per event, state bytes per key, peak
#               RSS (private and LMDB's mapped pages); the same with HOT_KEYS keys (many
#               updates per key between two commits: what the write-back cache absorbs); then
#               RESTART_KEYS records with as many keys, and the restart of `weir run` on that
#               state: time from exec to its query running, RSS after the restart
#               (STATE_ONLY=1: this section alone)
# Prints a table.  Figures depend on the machine (and on whatever else runs on it: the broker,
# weir and the measuring client share its cores); nothing is asserted.
#
# Keep the mock's limits in mind: it keeps about 5 MiB per partition and drops older data
# silently, so N * record size / PARTS must stay below that (checked below).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=${1:-build}
N=${N:-200000}
PARTS=${PARTS:-16}
STATE_N=${STATE_N:-1000000}
STATE_KEYS=${STATE_KEYS:-100000}
HOT_KEYS=${HOT_KEYS:-1000}
RESTART_KEYS=${RESTART_KEYS:-1000000}
STATE_ONLY=${STATE_ONLY:-}   # non-empty: section 6 only
STATE_PROPS=${STATE_PROPS:-} # extra properties for the state runs, e.g. "cache.max.bytes.buffering=2097152"
BIG_PARTS=64
RUNS=${RUNS:-5}
LAT_SECONDS=${LAT_SECONDS:-5}
WEIR=$PWD/$B/weir
KB=$PWD/$B/bench/kafka_bench

make -s --no-print-directory B="$B" "$B/weir" "$B/bench/kafka_bench" || exit 1

T=$(mktemp -d "${TMPDIR:-/tmp}/weir-bench.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "# $*" >&2; }
die() { echo "kafka.sh: $*" >&2; exit 1; }
# field KEY LINE: the value of key=value in a "result ..." line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
fmt() { printf '%.0f' "${1:-0}" | sed ':a;s/\B[0-9]\{3\}\>/ &/;ta'; }   # 1234567 -> 1 234 567

read -r LOAD0 _ </proc/loadavg

# ---------------------------------------------------------------- broker
topics=()
for t in bench-in bench-pipe-out bench-filter-out bench-proj-out bench-idle bench-idle-out \
         bench-lat-in bench-lat-out; do topics+=(--topic "$t:$PARTS"); done
for t in bench-state-in bench-state-out bench-hot-in bench-hot-out bench-big-in bench-big-out; do
    topics+=(--topic "$t:$BIG_PARTS"); done
"$WEIR" broker --bootstrap-file "$T/bootstrap" "${topics[@]}" </dev/null >"$T/broker.log" 2>&1 &
BROKER=$!
PIDS+=("$BROKER")
for _ in $(seq 100); do [ -s "$T/bootstrap" ] && break; sleep 0.1; done
[ -s "$T/bootstrap" ] || { cat "$T/broker.log" >&2; die "the development broker did not start"; }
BS=$(cat "$T/bootstrap")
say "broker $BS, $PARTS partitions per topic, $N records"

F="result rate=0"
if [ -z "$STATE_ONLY" ]; then
# ---------------------------------------------------------------- 1-2. fill and ceilings
fill=$("$KB" fill "$BS" bench-in "$N" 900) || die "fill failed"
matched=$(field matched "$fill")
avg=$(field avg_bytes "$fill")
per_part=$(( N * ${avg%.*} / PARTS ))
say "filled: $fill"
[ "$per_part" -lt $((4608 * 1024)) ] ||
    die "about $per_part bytes per partition: over the mock's ~5 MiB; raise PARTS or lower N"

consume_rates=(); consume_core=(); pipe_rates=(); pipe_core=(); wake_rates=(); wake_core=()
for ((r = 1; r <= RUNS; r++)); do
    line=$("$KB" consume "$BS" bench-in "$N") || die "consume failed"
    say "ceiling run $r: $line"
    consume_rates+=("$(field rate "$line")"); consume_core+=("$(field per_core "$line")")
    line=$("$KB" wake "$BS" bench-in "$N") || die "wake failed"
    say "ceiling run $r: $line"
    wake_rates+=("$(field rate "$line")"); wake_core+=("$(field per_core "$line")")
    line=$("$KB" pipe "$BS" bench-in bench-pipe-out "$N") || die "pipe failed"
    say "ceiling run $r: $line"
    pipe_rates+=("$(field rate "$line")"); pipe_core+=("$(field per_core "$line")")
done
C_RATE=$(median "${consume_rates[@]}"); C_CORE=$(median "${consume_core[@]}")
P_RATE=$(median "${pipe_rates[@]}"); P_CORE=$(median "${pipe_core[@]}")
K_RATE=$(median "${wake_rates[@]}"); K_CORE=$(median "${wake_core[@]}")

fi

# ---------------------------------------------------------------- weir run helpers
DDL="CREATE STREAM txns (card_id STRING KEY, txn_id STRING, kind STRING, amount DOUBLE,
    currency STRING, merchant STRING, country STRING, home_country STRING, channel STRING,
    ts BIGINT, sent_us BIGINT) WITH (KAFKA_TOPIC='%s', VALUE_FORMAT='JSON');"

# weir_start NAME SQL [PROPERTY=VALUE...]: `weir run` on SQL as service NAME (from the earliest
# offsets); sets WPID
weir_start() {
    local name=$1 sql=$2
    shift 2
    printf '%s\n' "$sql" >"$T/$name.sql"
    printf '%s\n' "ksql.service.id=bench_${name}_" "auto.offset.reset=earliest" "$@" \
        >"$T/$name.properties"
    "$WEIR" run "$T/$name.sql" --bootstrap-file "$T/bootstrap" --config "$T/$name.properties" \
        --state-dir "$T/state-$name" </dev/null >"$T/$name.log" 2>&1 &
    WPID=$!
    PIDS+=("$WPID")
}
weir_stop() {
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
weir_failed() { echo "--- weir run log ($1):" >&2; tail -n 20 "$T/$1.log" >&2; die "weir run $1 failed"; }

if [ -z "$STATE_ONLY" ]; then
# ---------------------------------------------------------------- 4a. idle memory
weir_start idle "$(printf "$DDL" bench-idle)
CREATE STREAM idle_out WITH (KAFKA_TOPIC='bench-idle-out') AS SELECT * FROM txns WHERE amount > 900;"
for _ in $(seq 100); do grep -q 'running ' "$T/idle.log" && break; kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$WPID" 2>/dev/null || weir_failed idle
sleep 5   # the consumer group join (~3 s on the mock) and the first fetches
IDLE_RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$WPID/status")
say "idle weir run (one query): VmRSS $IDLE_RSS KiB"
weir_stop "$WPID"

# ---------------------------------------------------------------- 3. weir filter and projection
weir_rate() { # NAME OUT_TOPIC EXPECTED SQL: sets RESULT to kafka_bench await's result line
    weir_start "$1" "$(printf "$DDL" bench-in)
$4"
    RESULT=$("$KB" await "$BS" "$2" "$3" "$N" "$WPID" 120 "$BROKER") || weir_failed "$1"
    weir_stop "$WPID"
    say "weir $1: $RESULT"
}
weir_rate filter bench-filter-out "$matched" \
    "CREATE STREAM big WITH (KAFKA_TOPIC='bench-filter-out') AS SELECT * FROM txns WHERE amount > 900;"
F=$RESULT
weir_rate proj bench-proj-out "$N" \
    "CREATE STREAM proj WITH (KAFKA_TOPIC='bench-proj-out') AS SELECT card_id, txn_id,
        UCASE(merchant) AS merchant, amount * 1.1 AS gross, country <> home_country AS foreign,
        sent_us FROM txns;"
PR=$RESULT

# ---------------------------------------------------------------- 5. latency at half the rate
LAT_RATE=$(awk -v r="$(field rate "$PR")" 'BEGIN {printf "%d", r / 2}')
# no more records than the mock keeps (about 4 MiB per partition): shorten the run if needed
LAT_S=$(awk -v s="$LAT_SECONDS" -v r="$LAT_RATE" -v p="$PARTS" -v a="${avg%.*}" \
    'BEGIN {m = p * 4 * 1048576 / a / r; printf "%g", (m < s ? int(m * 10) / 10 : s)}')
# The development broker answers a fetch that finds no new data only after fetch.wait.max.ms
# (librdkafka's mock does not wake up on new data, a real broker does): with the default 500 ms
# that wait, not weir, would be the latency, so weir's consumers use 5 ms here, as the
# measuring consumer does.
weir_start lat "$(printf "$DDL" bench-lat-in)
CREATE STREAM lat_out WITH (KAFKA_TOPIC='bench-lat-out') AS SELECT card_id, txn_id,
    UCASE(merchant) AS merchant, amount * 1.1 AS gross, sent_us FROM txns;" \
    "librdkafka.fetch.wait.max.ms=5"
LAT=$("$KB" latency "$BS" bench-lat-in bench-lat-out "$LAT_RATE" "$LAT_S")
lat_rc=$?
kill -0 "$WPID" 2>/dev/null || weir_failed lat
weir_stop "$WPID"
say "latency: $LAT"
[ $lat_rc = 0 ] || say "latency: not every record came back (see received)"

fi

# ---------------------------------------------------------------- 6. state
AGG="CREATE TABLE %s WITH (KAFKA_TOPIC='%s') AS SELECT card_id, COUNT(*) AS n, SUM(amount) AS total
    FROM txns WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY card_id EMIT CHANGES;"
consumed() { sed -n 's/.* stats: consumed \([0-9]*\),.*/\1/p' "$T/$1.log" | tail -n 1; }
cpu_of() { awk '{sub(/.*\) /, ""); split($0, f, " "); print (f[12] + f[13]) / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
now_s() { date +%s.%N; }
kib_of() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
# state_run NAME KEYS: the windowed aggregation over STATE_N records on KEYS keys.  Prints
# "rate per_core writes commits entries data_kib used_kib hwm_kib anon_kib file_kib" (the
# last two: peak RssAnon, private memory, and peak RssFile, LMDB's mapped pages, sampled
# every 10 ms)
state_run() {
    local name=$1 keys=$2 t0= c0= n0= n t1 c1 hwm anon=0 file=0 a f last= stall=0
    fill=$("$KB" fill "$BS" "bench-$name-in" "$STATE_N" 900 "$keys") || die "$name fill failed"
    say "$name fill: $fill"
    weir_start "$name" "$(printf "$DDL" "bench-$name-in")
$(printf "$AGG" "${name}_agg" "bench-$name-out")" "weir.stats.interval.ms=100" $STATE_PROPS
    for _ in $(seq 6000); do
        kill -0 "$WPID" 2>/dev/null || weir_failed "$name"
        n=$(consumed "$name")
        a=$(kib_of "$WPID" RssAnon); f=$(kib_of "$WPID" RssFile)
        [ "${a:-0}" -gt "$anon" ] && anon=$a
        [ "${f:-0}" -gt "$file" ] && file=$f
        if [ -z "$t0" ] && [ "${n:-0}" -gt 0 ]; then t0=$(now_s); c0=$(cpu_of "$WPID"); n0=$n; fi
        [ "${n:-0}" -ge "$STATE_N" ] && break
        # a stall (records the mock dropped?): stop waiting after 5 s without progress
        if [ "${n:-0}" != "${last:-}" ]; then last=$n; stall=0; else stall=$((stall + 1)); fi
        [ -n "$t0" ] && [ "$stall" -ge 500 ] && { say "$name: stalled at $n of $STATE_N records"; break; }
        sleep 0.01
    done
    t1=$(now_s); c1=$(cpu_of "$WPID")
    hwm=$(kib_of "$WPID" VmHWM)
    weir_stop "$WPID"
    local line w
    line=$(grep ' state: .* LMDB writes' "$T/$name.log" | tail -n 1)
    say "$name run: $line"
    w=$(sed -n 's/.* state: \([0-9]*\) LMDB writes in \([0-9]*\) commits, \([0-9]*\) entries in \([0-9]*\) KiB of pages, \([0-9]*\) KiB used.*/\1 \2 \3 \4 \5/p' <<<"$line")
    awk -v n="${n:-0}" -v n0="$n0" -v a="$t0" -v b="$t1" -v ca="$c0" -v cb="$c1" \
        -v w="${w:-0 0 0 0 0}" -v h="$hwm" -v an="$anon" -v fi="$file" 'BEGIN {
        printf "%.0f %.0f %s %s %s %s\n", (b > a ? (n - n0) / (b - a) : 0),
            (cb > ca ? (n - n0) / (cb - ca) : 0), w, h, an, fi }'
}
read -r S_RATE S_CORE s_writes s_commits s_entries s_data s_used S_HWM S_ANON S_FILE \
    <<<"$(state_run state "$STATE_KEYS")"
read -r H_RATE H_CORE h_writes h_commits h_entries h_data h_used H_HWM H_ANON H_FILE \
    <<<"$(state_run hot "$HOT_KEYS")"

# one million keys of state, then a restart on it
fill=$("$KB" fill "$BS" bench-big-in "$RESTART_KEYS" 900 "$RESTART_KEYS") || die "big fill failed"
say "big fill: $fill"
BIGQ="$(printf "$DDL" bench-big-in)
$(printf "$AGG" big_agg bench-big-out)"
weir_start big "$BIGQ" $STATE_PROPS
BIG=$("$KB" group "$BS" bench-big-in "_confluent-ksql-bench_big_query_CTAS_BIG_AGG_0" "$RESTART_KEYS" \
    "$WPID" 300) || weir_failed big
say "big run: $BIG"
weir_stop "$WPID"
bline=$(grep ' state: .* LMDB writes' "$T/big.log" | tail -n 1)
say "big: $bline"
b_data=$(sed -n 's/.* entries in \([0-9]*\) KiB of pages, \([0-9]*\) KiB used.*/\1/p' <<<"$bline")
b_used=$(sed -n 's/.* KiB of pages, \([0-9]*\) KiB used.*/\1/p' <<<"$bline")
cp "$T/big.log" "$T/big-first.log"
r0=$(now_s)
weir_start big "$BIGQ" $STATE_PROPS
for _ in $(seq 3000); do grep -q ' running ' "$T/big.log" && break; kill -0 "$WPID" 2>/dev/null || weir_failed big; sleep 0.005; done
r1=$(now_s)
R_MS=$(awk -v a="$r0" -v b="$r1" 'BEGIN {printf "%.0f", (b - a) * 1000}')
sleep 2
R_RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$WPID/status")
weir_stop "$WPID"

# ---------------------------------------------------------------- table
row() { # LABEL RATE PER_CORE [RATIO RATIO]
    printf '%-46s %11s %14s %9s %9s\n' "$1" "$(fmt "$2")" "$(fmt "$3")" "${4:-}" "${5:-}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
weir_row() { # LABEL RESULT
    row "$1" "$(field rate "$2")" "$(field per_core "$2")" "$(ratio "$(field rate "$2")" "$P_RATE")" \
        "$(ratio "$(field per_core "$2")" "$P_CORE")"
}
if [ -z "$STATE_ONLY" ]; then
echo
echo "Kafka benchmark: $N records of ~$avg bytes (JSON value and key), $PARTS partitions,"
echo "development broker (weir broker) on this machine; ceilings: median of $RUNS runs"
echo "($(nproc) cores, load average $LOAD0 before the run: other work on the cores moves every figure)"
echo "(rate: first record to last; per core: events / CPU seconds of the process doing the work)"
printf '%-46s %11s %14s %9s %9s\n' "" "events/s" "events/s/core" "rate" "per core"
row "raw librdkafka consume (blocking batch)" "$C_RATE" "$C_CORE"
row "raw consume, io-event wake-ups (as weir)" "$K_RATE" "$K_CORE"
row "raw consume -> produce (the ceiling)" "$P_RATE" "$P_CORE" "1.00" "1.00"
weir_row "weir run: filter amount > 900 ($(fmt "$matched") out)" "$F"
weir_row "weir run: projection ($(fmt "$N") out)" "$PR"
echo
echo "weir run resident memory: $((IDLE_RSS / 1024)) MiB idle with one query;" \
     "$(( $(field hwm_kib "$PR") / 1024 )) MiB peak during the projection run"
busy() { awk -v c="$(field "$1" "$2")" -v s="$(field seconds "$2")" 'BEGIN {printf "%.0f", (s > 0 ? 100 * c / s : 0)}'; }
echo "CPU in the window (100 % = one core): filter: weir $(busy cpu "$F") %, broker $(busy broker_cpu "$F") %;" \
     "projection: weir $(busy cpu "$PR") %, broker $(busy broker_cpu "$PR") %"
echo "weir run start to first output (consumer group join on the mock): $(field startup "$F") s"
echo
echo "end-to-end latency at $(fmt "$LAT_RATE") events/s (half the projection rate) for $LAT_S s," \
     "producer -> weir run -> consumer:"
echo "    p50 $(field p50_ms "$LAT") ms, p90 $(field p90_ms "$LAT") ms, p99 $(field p99_ms "$LAT") ms," \
     "max $(field max_ms "$LAT") ms ($(field received "$LAT") of $(field sent "$LAT") records back)"
echo
fi
state_line() { # KEYS RATE PER_CORE WRITES COMMITS ENTRIES DATA_KIB USED_KIB HWM ANON FILE
    local fr; fr=$(field rate "$F")
    echo "  $(fmt "$1") keys: $(fmt "$2") events/s, $(fmt "$3") events/s per core" \
         "$([ "$fr" != 0 ] && echo "($(ratio "$2" "$fr") of the filter's rate)")"
    echo "    LMDB writes per event: $(awk -v w="$4" -v n="$STATE_N" 'BEGIN {printf "%.3f", w / n}')" \
         "($4 writes in $5 commits); $6 entries in $(( $7 / 1024 )) MiB of B-tree pages" \
         "($(awk -v u="$7" -v k="$1" 'BEGIN {printf "%.0f", u * 1024 / k}') bytes per key), file $(( $8 / 1024 )) MiB"
    echo "    peak RSS $(( $9 / 1024 )) MiB: private (RssAnon) $(( ${10} / 1024 )) MiB," \
         "LMDB pages mapped (RssFile, page cache) $(( ${11} / 1024 )) MiB"
}
echo "State: windowed COUNT and SUM per key (TUMBLING 1 HOUR) over $(fmt "$STATE_N") records," \
     "commit.interval.ms 2000"
state_line "$STATE_KEYS" "$S_RATE" "$S_CORE" "$s_writes" "$s_commits" "$s_entries" "$s_data" "$s_used" "$S_HWM" "$S_ANON" "$S_FILE"
state_line "$HOT_KEYS" "$H_RATE" "$H_CORE" "$h_writes" "$h_commits" "$h_entries" "$h_data" "$h_used" "$H_HWM" "$H_ANON" "$H_FILE"
echo "  $(fmt "$RESTART_KEYS") keys: built at $(fmt "$(field rate "$BIG")") events/s, peak RSS $(( $(field hwm_kib "$BIG") / 1024 )) MiB" \
     "(private $(( $(field anon_kib "$BIG") / 1024 )) MiB, LMDB pages mapped $(( $(field file_kib "$BIG") / 1024 )) MiB);" \
     "$(( ${b_data:-0} / 1024 )) MiB of B-tree pages, file $(( ${b_used:-0} / 1024 )) MiB"
echo "    restart (exec to query running): $R_MS ms, RSS $((R_RSS / 1024)) MiB after it"
