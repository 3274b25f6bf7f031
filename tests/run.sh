#!/usr/bin/env bash
# tests/run.sh - runs weir's test layers against one build directory and prints a summary.
#
#   B=build bash tests/run.sh              every layer (what `make test` / `make asan` run)
#   B=build bash tests/run.sh tests/sql/keys ...   only the golden cases under these paths
#
# Layers: unit test binaries ($B/tests/test_*, cmocka TAP output, one count per test),
# golden SQL cases (every directory under tests/sql/ holding a statements.sql, run through
# `$B/weir test`; see tests/sql/README.md), and the fuzz seed corpora replayed through the
# $B/tests/fuzz_*_replay binaries that were built (one test per target), and the command-line
# scripts tests/cli/*.sh (one test each), and the integration scripts tests/integration/*.sh
# (TAP; `bash tests/run.sh --integration` runs only those).  Failures are printed with
# their output; the last line is always "N passed, N failed" (exit 1 if any failed).
set -u
B=${B:-build}
cd "$(dirname "$0")/.." || exit 2

CASE_TIMEOUT=${CASE_TIMEOUT:-30}
passed=0
failed=0

failures=()

report_failure() { # name, output
    failures+=("$1")
    echo "FAIL: $1"
    if [ -n "$2" ]; then printf '%s\n' "$2" | head -n 60 | sed 's/^/    /'; fi
}

# ---------------------------------------------------------------- unit tests
run_units() {
    local t out rc ok nok plan
    for t in "$B"/tests/test_*; do
        [ -f "$t" ] && [ -x "$t" ] || continue
        out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout "$CASE_TIMEOUT" "$t" 2>&1)
        rc=$?
        ok=$(grep -c '^ok ' <<<"$out")
        nok=$(grep -c '^not ok ' <<<"$out")
        plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' <<<"$out" | head -n 1)
        passed=$((passed + ok))
        failed=$((failed + nok))
        # a crash (or sanitizer report) after some tests ran: count what never reported
        if [ -n "$plan" ] && [ $((ok + nok)) -lt "$plan" ]; then
            failed=$((failed + plan - ok - nok))
            nok=$((nok + plan - ok - nok))
        fi
        if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
            failed=$((failed + 1))
            nok=1
        fi
        if [ "$nok" -gt 0 ]; then
            report_failure "$t (exit $rc)" "$(grep -v '^ok ' <<<"$out")"
        fi
    done
}

# ---------------------------------------------------------------- golden SQL cases
run_case() { # case directory
    local d=$1 args out rc line missing rec
    args=(-s "$d/statements.sql")
    [ -f "$d/input.json" ] && args+=(-i "$d/input.json")
    if [ -f "$d/expected_error.txt" ]; then
        # no output file: the statements must fail (--record only because weir test needs a
        # destination; nothing is written when a statement fails)
        rec=$(mktemp "${TMPDIR:-/tmp}/weir-rec-XXXXXX")
        out=$(timeout "$CASE_TIMEOUT" "$B/weir" test "${args[@]}" --record "$rec" 2>&1)
        rc=$?
        rm -f "$rec"
        if [ "$rc" -ne 1 ]; then
            report_failure "$d (expected exit 1 with an error, got exit $rc)" "$out"
            failed=$((failed + 1))
            return
        fi
        missing=""
        while IFS= read -r line || [ -n "$line" ]; do
            [ -n "${line//[[:space:]]/}" ] || continue
            grep -qF -- "$line" <<<"$out" || missing+="    missing: $line"$'\n'
        done <"$d/expected_error.txt"
        if [ -n "$missing" ]; then
            report_failure "$d (error text differs)" "${missing}actual output:"$'\n'"$out"
            failed=$((failed + 1))
            return
        fi
        passed=$((passed + 1))
        return
    fi
    if [ ! -f "$d/output.json" ]; then
        report_failure "$d (needs output.json or expected_error.txt)" ""
        failed=$((failed + 1))
        return
    fi
    out=$(timeout "$CASE_TIMEOUT" "$B/weir" test "${args[@]}" -o "$d/output.json" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ]; then
        report_failure "$d (exit $rc)" "$out"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
}

run_cases() {
    local roots=("$@") d
    [ ${#roots[@]} -gt 0 ] || roots=(tests/sql)
    if [ ! -x "$B/weir" ]; then
        report_failure "$B/weir is missing: golden cases not run" ""
        failed=$((failed + 1))
        return
    fi
    while IFS= read -r d; do
        run_case "$d"
    done < <(find "${roots[@]}" -name statements.sql -printf '%h\n' 2>/dev/null | LC_ALL=C sort)
}

# ---------------------------------------------------------------- fuzz seed corpus
# Each fuzz target tests/fuzz/fuzz_X.c is also built as $B/tests/fuzz_X_replay, which runs it
# over the files of its seed corpus tests/fuzz/corpus/fuzz_X/ (one count per target).  A single
# $B/tests/fuzz_replay, if built instead, gets every corpus directory.
run_fuzz_corpus() {
    local bin name dir out rc dirs
    for bin in "$B"/tests/fuzz_*_replay "$B"/tests/fuzz_replay; do
        [ -f "$bin" ] && [ -x "$bin" ] || continue
        name=$(basename "$bin")
        if [ "$name" = fuzz_replay ]; then
            mapfile -t dirs < <(find tests/fuzz/corpus -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort)
        else
            dir=tests/fuzz/corpus/${name%_replay}
            [ -d "$dir" ] || continue
            dirs=("$dir")
        fi
        [ ${#dirs[@]} -gt 0 ] || continue
        out=$(timeout 300 "$bin" "${dirs[@]}" 2>&1)
        rc=$?
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + 1))
        else
            report_failure "fuzz corpus replay $name (exit $rc)" "$out"
            failed=$((failed + 1))
        fi
    done
}

# ---------------------------------------------------------------- command-line tests
# Each tests/cli/*.sh is one test: it gets WEIR=<binary> and passes by exiting 0.
run_cli() {
    local t out rc
    for t in tests/cli/*.sh; do
        [ -f "$t" ] || continue
        out=$(WEIR="$B/weir" timeout 120 bash "$t" 2>&1)
        rc=$?
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + 1))
        else
            report_failure "$t (exit $rc)" "$out"
            failed=$((failed + 1))
        fi
    done
}

# ---------------------------------------------------------------- integration tests
# Each tests/integration/*.sh (lib.sh excepted) starts its own processes (development broker,
# weir run, the REPL in tmux ...) and prints TAP lines: every "ok"/"not ok" line counts.  A
# script that fails without printing "not ok" counts as one failure.
run_integration() {
    local t out rc nok nbad
    for t in tests/integration/*.sh; do
        [ -f "$t" ] || continue
        [ "$(basename "$t")" = lib.sh ] && continue
        out=$(WEIR="$B/weir" timeout 300 bash "$t" 2>&1)
        rc=$?
        nok=$(printf '%s\n' "$out" | grep -c '^ok ')
        nbad=$(printf '%s\n' "$out" | grep -c '^not ok ')
        passed=$((passed + nok))
        if [ "$nbad" -gt 0 ] || [ "$rc" -ne 0 ] || [ "$nok" -eq 0 ]; then
            [ "$nbad" -eq 0 ] && nbad=1
            failed=$((failed + nbad))
            report_failure "$t (exit $rc, $nbad failed)" "$(printf '%s\n' "$out" | grep -v '^ok ' | tail -n 60)"
        fi
    done
}

if [ "${1:-}" = --integration ]; then
    run_integration
elif [ $# -gt 0 ]; then
    run_cases "$@"
else
    run_units
    run_cases
    run_fuzz_corpus
    run_cli
    run_integration
fi
if [ ${#failures[@]} -gt 0 ]; then
    echo
    echo "Failures:"
    printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
