#!/usr/bin/env bash
# make demo: runs every example in examples/ through `weir test` and shows the records each
# rule produces.  (The live demo on the development broker arrives with the runtime.)
set -uo pipefail
cd "$(dirname "$0")/.."
WEIR=${WEIR:-build/weir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; red=$'\e[31m'; off=$'\e[0m'
[ -t 1 ] || { bold=; dim=; green=; red=; off=; }

failed=0
for dir in examples/*/; do
    name=$(basename "$dir")
    [ -f "$dir/statements.sql" ] || continue
    echo
    echo "${bold}== examples/$name ==${off}"
    # the file's leading comment says what the rule is for
    sed -n '/^--/!q; s/^-- \{0,1\}/   /p' "$dir/statements.sql"
    echo "${dim}   \$ weir test -s $dir""statements.sql -i $dir""input.json -o $dir""output.json${off}"
    if "$WEIR" test -s "$dir/statements.sql" -i "$dir/input.json" -o "$dir/output.json" \
            >"$tmp/out" 2>&1; then
        echo "   ${green}PASS${off}: every expected record matched"
    else
        echo "   ${red}FAIL${off}:"; sed 's/^/   | /' "$tmp/out"; failed=1
    fi
    rm -f "$tmp/rec.json"
    "$WEIR" test -s "$dir/statements.sql" -i "$dir/input.json" --record "$tmp/rec.json" \
        >/dev/null 2>"$tmp/err" || true
    # weir writes one record per line with numbers exactly as produced (DECIMAL scale kept)
    if [ -s "$tmp/rec.json" ]; then
        n=$(grep -c '"topic"' "$tmp/rec.json")
        echo "   $n record(s) produced:"
        grep '"topic"' "$tmp/rec.json" | sed -e 's/^ *//' -e 's/,$//' -e 's/^/   /'
    fi
    if [ -s "$tmp/err" ]; then
        # malformed input is skipped, not fatal: show why each record went to the processing log
        python3 - "$tmp/err" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if "] {" not in line:
        continue
    entry = json.loads(line.split("] ", 1)[1])
    msg = entry.get("message", {})
    for kind in ("deserializationError", "recordProcessingError", "serializationError", "productionError"):
        if isinstance(msg, dict) and msg.get(kind):
            err = msg[kind]
            where = " (topic %s)" % err["topic"] if err.get("topic") else ""
            print("   processing log: %s%s: %s" % (kind, where, err.get("errorMessage")))
PY
    fi
done
echo
[ $failed = 0 ] && echo "${green}all examples passed${off}" || echo "${red}some examples failed${off}"
exit $failed
