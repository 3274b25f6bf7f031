# Exit statuses of the command line: 0 for help/version, 2 for usage errors, 1 for a failing
# test; never a crash on bad arguments or unreadable files.
set -u
check() { local want=$1; shift; "$@" >/dev/null 2>&1; local rc=$?; [ "$rc" = "$want" ] || { echo "'$*' exited $rc, want $want"; exit 1; }; }
check 0 "$WEIR" version
check 0 "$WEIR" help
check 2 "$WEIR" no-such-command
check 2 "$WEIR" test
check 2 "$WEIR" test -s /nonexistent.sql -i /nonexistent.json -o /nonexistent.json
check 2 "$WEIR" test --bogus-flag
check 2 "$WEIR" explain
check 2 "$WEIR" broker --brokers 0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'CREATE STREAM s (a INT) WITH (KAFKA_TOPIC=%s, VALUE_FORMAT=%s);\n' "'s'" "'JSON'" >"$tmp/s.sql"
echo '{"inputs": [' >"$tmp/bad.json"       # malformed test file: usage error, not a crash
check 2 "$WEIR" test -s "$tmp/s.sql" -i "$tmp/bad.json" -o "$tmp/bad.json"
echo '{"outputs": [{"topic": "S2", "key": null, "value": {"A": 1}}]}' >"$tmp/out.json"
echo '{"inputs": []}' >"$tmp/in.json"
check 1 "$WEIR" test -s "$tmp/s.sql" -i "$tmp/in.json" -o "$tmp/out.json"   # expected record missing
exit 0
