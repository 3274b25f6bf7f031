# weir broker: starts the development broker, writes the bootstrap file, creates --topic
# topics, answers control commands, serves a real Kafka client (kcat), stops on SIGTERM.
set -eu
command -v kcat >/dev/null || { echo "kcat missing"; exit 1; }
tmp=$(mktemp -d)
"$WEIR" broker --topic demo:3 --bootstrap-file "$tmp/bs" --control "$tmp/ctl" >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/bs" ] && break; sleep 0.1; done
bs=$(cat "$tmp/bs")
[[ "$bs" == 127.0.0.1:* ]]
grep -q "data kept in memory only" "$tmp/err"
kcat -b "$bs" -L -t demo | grep -q 'topic "demo" with 3 partitions'
printf 'k1:v1\nk2:v2\n' | kcat -b "$bs" -P -t demo -K:
[ "$(kcat -b "$bs" -C -t demo -e -q -f '%k=%s\n' | sort | tr '\n' ' ')" = "k1=v1 k2=v2 " ]
echo "status" >"$tmp/ctl"
for _ in $(seq 50); do grep -q "^ok bootstrap" "$tmp/out" && break; sleep 0.1; done
grep -q "^ok bootstrap $bs" "$tmp/out"
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
! kill -0 $pid 2>/dev/null
wait $pid  # exit status 0: a clean stop
