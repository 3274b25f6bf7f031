#!/usr/bin/env bash
# Time per `weir test` case (process start to exit) over every golden case in tests/sql.
#   bash bench/test_cases.sh [build-dir]
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
python3 - "$B" <<'PY'
import glob, os, statistics, subprocess, sys, time
b = sys.argv[1]
cases = sorted(os.path.dirname(p) for p in glob.glob("tests/sql/**/statements.sql", recursive=True))
ts = []
for d in cases:
    args = [b + "/weir", "test", "-s", d + "/statements.sql"]
    if os.path.exists(d + "/input.json"): args += ["-i", d + "/input.json"]
    args += ["-o", d + "/output.json"] if os.path.exists(d + "/output.json") else ["--record", "/dev/null"]
    t = time.perf_counter(); subprocess.run(args, capture_output=True); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(f"weir test: {len(ts)} cases, median {statistics.median(ts):.1f} ms, "
      f"p90 {ts[int(len(ts) * 0.9)]:.1f} ms, max {ts[-1]:.1f} ms per case")
PY
