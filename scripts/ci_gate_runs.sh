#!/usr/bin/env bash
# The CI gate's battery run N times over (a flaky gate is worse than none):
# `pimsim run scenarios/ci_gate.textproto --seed=K` for K = 1..N, each with
# another seed for the mock's random choices (fault probabilities, latency),
# and the scenario's workload or the command after "--". Prints one line per
# run (exit code, verdict, error-severity violations, undecided rules,
# requests, seconds) and a summary; exits 1 unless every run passed with no
# error-severity violation.
#
#   scripts/ci_gate_runs.sh [N, default 20] [-- COMMAND ARGS...]
#
# Run from the repository root (the scenario's example integration is a
# relative path). PIMSIM=path skips the build; OUT=dir keeps the reports.
set -uo pipefail
cd "$(dirname "$0")/.."

N="${1:-20}"
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
if [ -z "${PIMSIM:-}" ]; then
  bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { bazel build -c opt //tools:pimsim; exit 1; }
  PIMSIM="$(bazel info -c opt bazel-bin 2>/dev/null)/tools/pimsim"
fi
OUT="${OUT:-$(mktemp -d /tmp/pimsim-ci-gate.XXXXXX)}"
mkdir -p "$OUT"
passed=0
for k in $(seq 1 "$N"); do
  start=$SECONDS
  cmd=("$PIMSIM" run scenarios/ci_gate.textproto --seed="$k" --progress=off --json="$OUT/run-$k.json"
       --output="$OUT/run-$k.output")
  [ $# -gt 0 ] && cmd+=(-- "$@")
  "${cmd[@]}" >"$OUT/run-$k.txt" 2>"$OUT/run-$k.err"
  code=$?
  line=$(/usr/bin/python3 - "$OUT/run-$k.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("no report"); sys.exit()
errors = sum(1 for v in r.get("violations", []) if v.get("severity") == "error")
undecided = [x["rule"] for x in r.get("rules", []) if x.get("outcome") == "undecided"]
print("%s, %d error violations, undecided: %s, %d requests" % (
    r.get("verdict"), errors, ",".join(undecided) or "none", r.get("events", 0)))
PY
)
  echo "run $k (seed $k): exit $code, $line, $((SECONDS - start)) s"
  [ "$code" = 0 ] && passed=$((passed + 1))
done
echo "ci_gate: $passed of $N runs passed (reports in $OUT)"
[ "$passed" = "$N" ]
