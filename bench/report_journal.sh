#!/usr/bin/env bash
# How long `pimsim report --journal` takes over a large journal file, and how
# much memory: the offline verdict of a long run (goal for 1,000,000 events:
# under 2 s and 300 MB).
#
# The journal is recorded, not synthesised: `pimsim serve --journal` (-c opt,
# no service time) under wrk, one credential and 4 keep-alive connections
# cycling through product reads, list pages and unknown products, until the
# journal holds EVENTS events; with the default limits most answers are
# 429s, as in a run of a client that over-uses. Then the report is timed
# with /usr/bin/time: wall time and peak RSS, best of three.
#
# Usage: bench/report_journal.sh [EVENTS, default 1000000]. Loopback only.
# PIMSIM=path skips the build; JOURNAL=path keeps the recorded journal there,
# or reuses it when it exists.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS="${1:-1000000}"
if [ -z "${PIMSIM:-}" ]; then
  bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { bazel build -c opt //tools:pimsim; exit 1; }
  PIMSIM="$(bazel info -c opt bazel-bin 2>/dev/null)/tools/pimsim"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

JOURNAL="${JOURNAL:-$WORK/journal.jsonl}"
if [ ! -s "$JOURNAL" ]; then
  "$PIMSIM" serve --listen=127.0.0.1:0 --control=none --latency=0 --seed_products=100 \
    --journal="$JOURNAL" --journal_capacity=$((EVENTS + 100000)) >"$WORK/out" 2>"$WORK/err" &
  SPID=$!
  for _ in $(seq 1 200); do grep -q '^http=' "$WORK/out" 2>/dev/null && break; sleep 0.05; done
  BASE="http://$(sed -n 's/^http=\([^ ]*\).*/\1/p' "$WORK/out")"
  TOKEN="$(curl -sS -u pimsim:pimsim -H 'Content-Type: application/json' \
    -d '{"grant_type":"password","username":"admin","password":"admin"}' "$BASE/api/oauth/v1/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
  cat >"$WORK/paths.lua" <<'LUA'
local paths = {}
for i = 1, 100 do paths[#paths + 1] = string.format("/api/rest/v1/products/product_%06d", i) end
for i = 1, 10 do paths[#paths + 1] = "/api/rest/v1/products?limit=10&page=" .. i end
paths[#paths + 1] = "/api/rest/v1/products/no_such_product"
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
LUA
  # Until the journal file holds EVENTS events (one line each).
  while :; do
    wrk -t1 -c4 -d5s -s "$WORK/paths.lua" -H "Authorization: Bearer $TOKEN" "$BASE" >/dev/null
    have=$(grep -c '^{"id":' "$JOURNAL" || true)
    [ "$have" -ge "$EVENTS" ] && break
  done
  kill -TERM "$SPID"; wait "$SPID" || true
fi

events=$(grep -c '^{"id":' "$JOURNAL" || true)
bytes=$(stat -c %s "$JOURNAL")
best_s=""; best_kb=""
for _ in 1 2 3; do
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$PIMSIM" report --journal="$JOURNAL" \
    --json="$WORK/report.json" >/dev/null || true
  # The last line: time(1) puts "Command exited with non-zero status 1"
  # (a FAIL verdict) before its figures.
  read -r s kb < <(tail -1 "$WORK/time")
  if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then best_s=$s; best_kb=$kb; fi
done
verdict=$(sed -n 's/.*"verdict": *"\([A-Z]*\)".*/\1/p' "$WORK/report.json" | head -1)
echo "journal: $events events, $((bytes / 1048576)) MiB"
echo "pimsim report --journal: ${best_s} s, peak RSS $((best_kb / 1024)) MiB (best of 3; verdict $verdict)"
