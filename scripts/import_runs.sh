#!/usr/bin/env bash
# Imports PRODUCTS products (default 20,000) RUNS times (default 20) through
# scenarios/import_chaos.textproto (every fault on: 5xx, 408, disconnects
# before and after processing, cut-off bodies, hangs, 429 with Retry-After in
# seconds, as a date and absent) with `pimsim import --connections=3
# --verify`, each run with its own seed. A run passes when the import applied
# every line, the listing afterwards found each product exactly once, and
# the verdict is PASS with no error-severity violation.
#
#   scripts/import_runs.sh [RUNS] [PRODUCTS]
#
# Prints one line per run (seed, exit code, verdict, time, retries) and ends
# with "import runs: N passed, N failed"; exits 1 if any run failed. Builds
# //tools:pimsim with -c opt first. CI runs the short version
# (tests/import_cli_test.sh: 2,000 products, one run).
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
products="${2:-20000}"
bazel build -c opt //tools:pimsim >&2 || { echo "import runs: the build failed"; exit 1; }
pimsim="$PWD/bazel-out/k8-opt/bin/tools/pimsim"
work=$(mktemp -d "${TMPDIR:-/tmp}/pimsim-import-runs.XXXXXX")
python3 - "$work/products.ndjson" "$products" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"identifier": "sku-%07d" % i, "enabled": True, "family": None,
                            "values": {}}) + "\n")
PY
passed=0
failed=0
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s.%N)
  "$pimsim" run --progress=off --seed="$i" --json="$work/run-$i.json" \
    scenarios/import_chaos.textproto -- \
    "$pimsim" import "$work/products.ndjson" --connections=3 --verify --timeout=5s --seed="$i" \
    >"$work/run-$i.txt" 2>"$work/run-$i.err"
  code=$?
  secs=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
    "$start" "$(date +%s.%N)")
  verdict=$(sed -n 's/.*"verdict": *"\([A-Z_]*\)".*/\1/p' "$work/run-$i.json" 2>/dev/null | head -1)
  summary=$(grep -o 'pimsim import: .* not applied' "$work/run-$i.err" | head -1)
  verify=$(grep -o 'verify: .*' "$work/run-$i.err" | head -1)
  retries=$(grep -oE '[0-9]+ retries, [0-9]+ throttled' "$work/run-$i.err" | head -1)
  if [ "$code" = 0 ] && [ "$verdict" = PASS ] && [[ "$verify" == *": ok" ]]; then
    passed=$((passed + 1)); result=ok
  else
    failed=$((failed + 1)); result="FAILED (logs in $work/run-$i.*)"
  fi
  echo "run $i: exit $code, verdict ${verdict:-none}, ${secs} s, ${retries:-?}; ${summary#pimsim import: }; ${verify:-no verify}: $result"
done
((failed == 0)) && rm -rf "$work"
echo "import runs: $passed passed, $failed failed"
((failed == 0))
