#!/usr/bin/env bash
# Counts the CPU instructions the mock spends on one rejected request, the
# path nginx limit_req is compared with in bench/http_vs_nginx.sh (run 2).
# Unlike a wall-clock rate, an instruction count does not depend on what else
# the machine is doing, so it shows the effect of a change to that path.
#
# `pimsim serve` (one HTTP thread, default limits, no control plane) runs
# under valgrind's callgrind while wrk sends keep-alive GETs of one product
# over 16 connections with one credential: beyond the first hundred, every
# request gets 429. Printed: requests journaled, the HTTP thread's
# instructions, and their ratio (the request parse, admission, the 429, the
# journal event and the event loop's share). The simulated CPU is slow, so
# the run is short in requests; the count per request barely moves with it.
#
# Usage: [PIMSIM_BENCH_BINARY=PATH] bench/rejection_path_cost.sh [seconds of load, default 10]
# Needs valgrind and wrk (scripts/setup.sh installs them). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
scripts/setup.sh
bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { bazel build -c opt //tools:pimsim; exit 1; }
# PIMSIM_BENCH_BINARY: count another build's instructions instead (the
# commit before a change), for a before/after comparison.
PIMSIM="${PIMSIM_BENCH_BINARY:-$(bazel info -c opt bazel-bin 2>/dev/null)/tools/pimsim}"

WORK="$(mktemp -d)"
SPID=""
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
  "$PIMSIM" serve --listen=127.0.0.1:0 --threads=1 --control=none --seed_products=10 --latency=0 \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
SPID=$!
for _ in $(seq 1 600); do
  grep -q '^http=' "$WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
PORT="$(sed -n 's/^http=[^ ]*:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)"
[ -n "$PORT" ] || { cat "$WORK/serve.err"; echo "pimsim serve did not start" >&2; exit 1; }
TOKEN="$(curl -sf -u pimsim:pimsim -H 'Content-Type: application/json' \
  -d '{"grant_type":"password","username":"admin","password":"admin"}' \
  "http://127.0.0.1:$PORT/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$TOKEN" ] || { echo "no access token" >&2; exit 1; }

wrk -t1 -c16 -d"${DURATION}s" -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT/api/rest/v1/products/product_000001" >"$WORK/wrk.out" 2>&1
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics"
EVENTS=$(awk '/^pimsim_journal_events / {print $2}' "$WORK/metrics")
REJECTED=$(awk '/^pimsim_requests_total\{.*status="429"/ {n += $2} END {print n + 0}' "$WORK/metrics")
kill -TERM "$SPID"
wait "$SPID" 2>/dev/null || true
SPID=""

# The HTTP thread is the only one running an asio event loop.
LOOP=$(callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null |
  awk '/boost::asio::detail::scheduler::run\(/ && !found { gsub(",", "", $1); print $1; found = 1 }')
[ -n "$LOOP" ] && [ "${EVENTS:-0}" -gt 0 ] || { echo "no callgrind figures" >&2; exit 1; }
echo "requests journaled: $EVENTS ($REJECTED answered 429)"
echo "HTTP thread instructions: $LOOP"
echo "instructions per request: $((LOOP / EVENTS))"
