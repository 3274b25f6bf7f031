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
        echo "   ${dim}processing log:${off}"
        sed 's/^/   | /' "$tmp/err" | head -5
    fi
done
echo
[ $failed = 0 ] && echo "${green}all examples passed${off}" || echo "${red}some examples failed${off}"
exit $failed
