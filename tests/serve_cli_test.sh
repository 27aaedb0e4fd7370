#!/usr/bin/env bash
# End-to-end contract of `pimsim serve`: the first stdout line names the bound
# address, the API answers over real sockets, SIGTERM drains and exits 0 with
# the journal written, and bad usage exits 2 with a located message.
set -euo pipefail

PIMSIM="$1"
SCENARIOS="$(dirname "$2")"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- serve, call, drain ---------------------------------------------------
"$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=3 --connections=2 \
  --fault=status=503,route=list,first=1,name=first-list --journal="$TMP/journal.jsonl" \
  >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/out" ] && break; sleep 0.05; done
FIRST="$(head -1 "$TMP/out")"
[[ "$FIRST" =~ ^http=(127\.0\.0\.1:[0-9]+)\ control=127\.0\.0\.1:[0-9]+$ ]] || fail "first line was '$FIRST'"
BASE="http://${BASH_REMATCH[1]}"

TOKEN_JSON="$(curl -sS -u pimsim-2:pimsim-2 -H 'Content-Type: application/json' \
  -d '{"grant_type":"password","username":"admin","password":"admin"}' "$BASE/api/oauth/v1/token")"
TOKEN="$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$TOKEN_JSON")"
[ -n "$TOKEN" ] || fail "no token: $TOKEN_JSON"
STATUS="$(curl -s -o "$TMP/product" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$BASE/api/rest/v1/products/product_000001")"
[ "$STATUS" = 200 ] || fail "GET product answered $STATUS"
grep -q '"identifier":"product_000001"' "$TMP/product" || fail "unexpected product body"
LIST1="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/rest/v1/locales")"
LIST2="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/rest/v1/locales")"
[ "$LIST1/$LIST2" = 503/200 ] || fail "--fault first=1 gave $LIST1 then $LIST2"
curl -s "$BASE/metrics" | grep -q '^pimsim_requests_total' || fail "/metrics has no request counter"

kill -TERM "$PID"
set +e; wait "$PID"; CODE=$?; set -e
[ "$CODE" = 0 ] || fail "serve exited $CODE after SIGTERM: $(cat "$TMP/err")"
LINES=$(wc -l <"$TMP/journal.jsonl")
[ "$LINES" = 6 ] || fail "journal has $LINES lines, expected a header, 4 events and a summary"
head -1 "$TMP/journal.jsonl" | grep -q '^{"journal":{"format":"pimsim.journal","version":1,' ||
  fail "journal lacks its header line: $(head -c 200 "$TMP/journal.jsonl")"
grep -q '"fault":"first-list"' "$TMP/journal.jsonl" || fail "journal lacks the fault"
grep -q '"connection":"pimsim-2"' "$TMP/journal.jsonl" || fail "journal lacks the connection"
tail -1 "$TMP/journal.jsonl" | grep -q '"summary"' || fail "journal lacks the summary line"

# --- bad usage --------------------------------------------------------------
expect_exit2() {
  set +e; "$PIMSIM" serve "$@" >"$TMP/out2" 2>"$TMP/err2"; local code=$?; set -e
  [ "$code" = 2 ] || fail "serve $* exited $code, expected 2"
}
expect_exit2 --nosuchflag
expect_exit2 --listen=nonsense
expect_exit2 --retry_after=sometimes
grep -q "retry_after" "$TMP/err2" || fail "no message for --retry_after"
expect_exit2 --latency=-5ms
expect_exit2 --connections=51
expect_exit2 --fault=status=418
grep -q -- '--fault "status=418"' "$TMP/err2" || fail "no message for --fault: $(cat "$TMP/err2")"
printf 'instances {\n  name: "x"\n  limits { instance_rate { requests_per_second: 0 } }\n}\n' >"$TMP/bad.textproto"
expect_exit2 --scenario="$TMP/bad.textproto"
grep -q "bad.textproto:3:" "$TMP/err2" || fail "no file:line in: $(cat "$TMP/err2")"
expect_exit2 --scenario="$TMP/missing.textproto"

# A bundled scenario serves.
"$PIMSIM" serve --listen=127.0.0.1:0 --scenario="$SCENARIOS/two_instances.textproto" >"$TMP/out3" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/out3" ] && break; sleep 0.05; done
BASE="http://$(head -1 "$TMP/out3" | sed 's/^http=\([^ ]*\).*/\1/')"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' -u us-app:us-secret -H 'Content-Type: application/json' \
  -d '{"grant_type":"password","username":"admin","password":"admin"}' "$BASE/us/api/oauth/v1/token")"
[ "$STATUS" = 200 ] || fail "token on the second instance answered $STATUS"
kill -TERM "$PID"; wait "$PID"

"$PIMSIM" --help | grep -q serve || fail "--help does not list serve"
echo "PASS"
