#!/usr/bin/env bash
# What `pimsim run` adds to the requests it drives: the same compliant client
# (scripts/compliant_client.py: 4 lanes, 80 attempts a second, the soak's
# workload) for the same time against the same scenario, three ways, each
# on a fresh mock:
#   serve     `pimsim serve` and the client started by this script
#   run       `pimsim run -- client` (the harness, progress off as in CI)
#   progress  the same with the progress line on (a live verdict every 2 s)
# Printed: each way's attempts and latency p50 / p99 / max as the client
# measured them, and the p99 difference from `serve` (goal: at most 1 ms).
# The mock's default service-time model runs in all three; the machine's
# noise is in all three alike, so compare within one run of the script.
#
# Usage: bench/run_overhead.sh [seconds per way, default 30]. Loopback only.
# PIMSIM=path skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS="${1:-30}"
if [ -z "${PIMSIM:-}" ]; then
  bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { bazel build -c opt //tools:pimsim; exit 1; }
  PIMSIM="$(bazel info -c opt bazel-bin 2>/dev/null)/tools/pimsim"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
SCENARIO="$WORK/overhead.textproto"
cat >"$SCENARIO" <<'PB'
name: "run-overhead"
instances { name: "default" seed { products: 400 } }
PB
CLIENT=(/usr/bin/python3 "$PWD/scripts/compliant_client.py" --seconds="$SECS" --seed=1)

# serve: the mock alone, the client started here.
"$PIMSIM" serve --listen=127.0.0.1:0 --control=none --scenario="$SCENARIO" >"$WORK/serve.out" \
  2>"$WORK/serve.err" &
SPID=$!
for _ in $(seq 1 200); do grep -q '^http=' "$WORK/serve.out" 2>/dev/null && break; sleep 0.05; done
BASE="http://$(sed -n 's/^http=\([^ ]*\).*/\1/p' "$WORK/serve.out")"
"${CLIENT[@]}" --base="$BASE" --summary="$WORK/serve.json" >/dev/null
kill -TERM "$SPID"; wait "$SPID" || true

# run, and run with the progress line: the client as the command.
for way in run progress; do
  flag=off; [ "$way" = progress ] && flag=on
  "$PIMSIM" run "$SCENARIO" --progress="$flag" --json="$WORK/$way.report.json" -- \
    sh -c 'exec "$@" --base="$PIM_BASE_URL"' client "${CLIENT[@]}" --summary="$WORK/$way.json" \
    >"$WORK/$way.out" 2>"$WORK/$way.err" || { echo "pimsim run ($way) failed:"; cat "$WORK/$way.out"; exit 3; }
done

/usr/bin/python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
rows = {}
for way in ("serve", "run", "progress"):
    s = json.load(open("%s/%s.json" % (work, way)))
    rows[way] = s
base = rows["serve"]["latency_ms"]["p99"]
print("%-9s %9s %9s %9s %9s %12s" % ("way", "attempts", "p50 ms", "p99 ms", "max ms", "p99 - serve"))
for way, s in rows.items():
    lat = s["latency_ms"]
    print("%-9s %9d %9.1f %9.1f %9.1f %+11.2f ms" % (
        way, s["sent"], lat["p50"], lat["p99"], lat["max"], lat["p99"] - base))
PY
