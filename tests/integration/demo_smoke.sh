# The live demo, shortened: `make demo` runs examples/demo.sh for a minute; here 12 s must be
# enough for every alert the generator planted to come back through `weir run` (demo.sh exits
# 0 only then).
. "$(dirname "$0")/lib.sh"
DEMO_SECONDS=12 DEMO_RATE=40 WEIR="$WEIR" NO_COLOR=1 bash examples/demo.sh >"$T/demo.log" 2>&1
rc=$?
check "demo runs and every planted alert arrives (exit 0)" test "$rc" -eq 0
check "demo prints live alerts" grep -q "FRAUD" "$T/demo.log"
check "demo prints a summary" grep -qi "summary\|alerts" "$T/demo.log"
[ "$rc" -eq 0 ] || show "$T/demo.log" 60
