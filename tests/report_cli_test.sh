#!/usr/bin/env bash
# `pimsim report` against a running mock: a clean client passes (exit 0), a
# client that retries a failure at once fails (exit 1) with the rule in the
# JSON and JUnit reports, and an unreachable control plane is an error (3).
set -euo pipefail

PIMSIM="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

start() {
  rm -f "$TMP/out"
  "$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=5 "$@" >"$TMP/out" 2>"$TMP/err" &
  PID=$!
  for _ in $(seq 1 600); do grep -q "^http=.*$" "$TMP/out" 2>/dev/null && break; sleep 0.05; done
  FIRST="$(head -1 "$TMP/out")"
  [[ "$FIRST" =~ ^http=([0-9.:]+)\ control=([0-9.:]+)$ ]] || fail "first line was '$FIRST' ($(cat "$TMP/err"))"
  BASE="http://${BASH_REMATCH[1]}"
  CONTROL="${BASH_REMATCH[2]}"
  TOKEN="$(curl -sS -u pimsim:pimsim -H 'Content-Type: application/json' \
    -d '{"grant_type":"password","username":"admin","password":"admin"}' "$BASE/api/oauth/v1/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')" || true
  [ -n "$TOKEN" ] || fail "no token; the server said: $(cat "$TMP/err")"
}
stop() { kill -TERM "$PID"; wait "$PID" || true; }
get() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$1"; }
report() {
  set +e; "$PIMSIM" report --control="$CONTROL" "$@" >"$TMP/report.txt" 2>"$TMP/report.err"; CODE=$?; set -e
}

# A clean client.
start
[ "$(get /api/rest/v1/products/product_000001)" = 200 ] || fail "GET failed"
report --json="$TMP/clean.json"
[ "$CODE" = 0 ] || fail "clean run exited $CODE: $(cat "$TMP/report.txt" "$TMP/report.err")"
grep -q '"verdict": *"PASS"' "$TMP/clean.json" || fail "clean verdict: $(head -c 300 "$TMP/clean.json")"
grep -q '"live": *true' "$TMP/clean.json" || fail "a report without --final is not marked live"
report --final --json="$TMP/final.json"
[ "$CODE" = 0 ] || fail "final report exited $CODE"
grep -q '"live": *false' "$TMP/final.json" || fail "a --final report is marked live"

stop

# A client that hammers a failing product with immediate retries, after a
# dozen requests of its own that it never sends twice (what tells the checker
# that the requests it does send again are retries).
start --fault=status=503,route=get_item
for k in $(seq 1 12); do [ "$(get "/api/rest/v1/locales?warm=$k")" = 200 ] || fail "warm-up"; done
# One curl per product with the same URL three times: curl sends them back to
# back on one connection, i.e. retries with no delay at all.
for i in 1 2 3 4 5 6; do
  url="$BASE/api/rest/v1/products/product_00000$(( i % 5 + 1 ))?i=$i"
  curl -s -o /dev/null -o /dev/null -o /dev/null -H "Authorization: Bearer $TOKEN" "$url" "$url" "$url"
done
report --final --json="$TMP/bad.json" --junit="$TMP/bad.xml" --html="$TMP/bad.html"
[ "$CODE" = 1 ] || fail "misbehaving run exited $CODE: $(cat "$TMP/report.txt" "$TMP/report.err")"
grep -q '"verdict": *"FAIL"' "$TMP/bad.json" || fail "bad verdict"
grep -q '"rule": *"backoff.immediate"' "$TMP/bad.json" || fail "no backoff.immediate violation"
grep -q 'backoff.immediate' "$TMP/report.txt" || fail "terminal summary lacks the rule"
/usr/bin/python3 - "$TMP/bad.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = {c.get("name"): c for c in root.iter("testcase")}
assert "backoff.immediate" in cases, sorted(cases)
assert cases["backoff.immediate"].find("failure") is not None
PY
grep -q '<svg' "$TMP/bad.html" || fail "HTML report has no chart"
stop

# No control plane there.
report --control=127.0.0.1:1 --timeout=2
[ "$CODE" = 3 ] || fail "unreachable control exited $CODE"
set +e; "$PIMSIM" report >/dev/null 2>&1; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "missing --control exited $CODE"
echo PASS
