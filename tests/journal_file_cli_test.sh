#!/usr/bin/env bash
# Journal files end to end: `pimsim serve --journal` streams the journal as
# the mock runs; `pimsim report --journal` judges the file offline with the
# verdict the live report gave; a mock killed with SIGKILL leaves a readable
# journal judged ERROR (incomplete) as far as it goes; a cut-off last line
# is reported, not a parse error; an unwritable path stops the start.
set -euo pipefail

PIMSIM="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

start() {  # start JOURNAL [serve flags...]
  local journal="$1"; shift
  rm -f "$TMP/out"
  "$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=5 --journal="$journal" "$@" \
    >"$TMP/out" 2>"$TMP/err" &
  PID=$!
  for _ in $(seq 1 600); do grep -q "^http=.*$" "$TMP/out" 2>/dev/null && break; sleep 0.05; done
  FIRST="$(head -1 "$TMP/out")"
  [[ "$FIRST" =~ ^http=([0-9.:]+)\ control=([0-9.:]+)$ ]] || fail "first line was '$FIRST' ($(cat "$TMP/err"))"
  BASE="http://${BASH_REMATCH[1]}"
  CONTROL="${BASH_REMATCH[2]}"
  TOKEN="$(curl -sS -u pimsim:pimsim -H 'Content-Type: application/json' \
    -d '{"grant_type":"password","username":"admin","password":"admin"}' "$BASE/api/oauth/v1/token" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
  [ -n "$TOKEN" ] || fail "no token"
}
get() { curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$@"; }
# A client that does its own work, then hammers failing products with
# immediate retries (three curls of one URL back to back).
traffic() {
  for k in $(seq 1 12); do get "$BASE/api/rest/v1/locales?warm=$k"; done
  for i in 1 2 3 4 5 6; do
    url="$BASE/api/rest/v1/products/product_00000$(( i % 5 + 1 ))?i=$i"
    curl -s -o /dev/null -o /dev/null -o /dev/null -H "Authorization: Bearer $TOKEN" "$url" "$url" "$url"
  done
}
verdict() { sed -n 's/.*"verdict": *"\([A-Z_]*\)".*/\1/p' "$1" | head -1; }
outcomes() { /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join("%s=%s/%s" % (x["rule"], x["outcome"], x.get("violations", 0)) for x in r["rules"]))
' "$1"; }

# --- a clean run: live and offline verdicts are the same ------------------
start "$TMP/run.jsonl" --fault=status=503,route=get_item
traffic
set +e; "$PIMSIM" report --control="$CONTROL" --final --json="$TMP/live.json" >/dev/null; LIVE=$?; set -e
kill -TERM "$PID"; wait "$PID" || fail "serve exited $? after SIGTERM"
set +e; "$PIMSIM" report --journal="$TMP/run.jsonl" --json="$TMP/offline.json" >"$TMP/offline.txt"; OFFLINE=$?; set -e
[ "$LIVE" = 1 ] || fail "live report exited $LIVE, expected 1 (violations)"
[ "$OFFLINE" = "$LIVE" ] || fail "offline report exited $OFFLINE, live $LIVE: $(cat "$TMP/offline.txt")"
[ "$(verdict "$TMP/offline.json")" = "$(verdict "$TMP/live.json")" ] || fail "verdicts differ"
[ "$(outcomes "$TMP/offline.json")" = "$(outcomes "$TMP/live.json")" ] ||
  fail "rule outcomes differ: live $(outcomes "$TMP/live.json") offline $(outcomes "$TMP/offline.json")"
grep -q 'backoff.immediate' "$TMP/offline.txt" || fail "offline report lacks the violation"

# --- SIGKILL: what was served is on disk, judged ERROR (incomplete) -------
start "$TMP/killed.jsonl"
traffic
sleep 0.5  # more than the writer's flush interval
kill -KILL "$PID"; wait "$PID" 2>/dev/null || true
LINES=$(wc -l <"$TMP/killed.jsonl")
[ "$LINES" -ge 31 ] || fail "killed journal has $LINES lines, expected the header and 31 events"
if tail -1 "$TMP/killed.jsonl" | grep -q '"summary"'; then fail "a killed mock wrote a summary"; fi
set +e; "$PIMSIM" report --journal="$TMP/killed.jsonl" --json="$TMP/killed.json" >"$TMP/killed.txt"; CODE=$?; set -e
[ "$CODE" = 3 ] || fail "report of a killed journal exited $CODE, expected 3"
[ "$(verdict "$TMP/killed.json")" = ERROR ] || fail "killed journal verdict $(verdict "$TMP/killed.json")"
grep -q 'no summary line' "$TMP/killed.json" || fail "the report does not say why it is incomplete"
grep -q '"events": *31' "$TMP/killed.json" || fail "the report does not judge the events it has"

# --- a cut-off last line -----------------------------------------------
head -c -20 "$TMP/run.jsonl" >"$TMP/torn.jsonl"
set +e; "$PIMSIM" report --journal="$TMP/torn.jsonl" --json="$TMP/torn.json" >/dev/null; CODE=$?; set -e
[ "$CODE" = 3 ] || fail "report of a torn journal exited $CODE"
grep -q 'the last line is cut off' "$TMP/torn.json" || fail "torn line not reported"

# --- errors -------------------------------------------------------------
set +e; "$PIMSIM" serve --listen=127.0.0.1:0 --journal=/nonexistent-dir/j.jsonl >/dev/null 2>"$TMP/err"; CODE=$?; set -e
[ "$CODE" = 3 ] || fail "unwritable journal path exited $CODE"
grep -q '/nonexistent-dir/j.jsonl' "$TMP/err" || fail "the error does not name the path: $(cat "$TMP/err")"
printf 'not json\n{"id":1}\n' >"$TMP/garbage.jsonl"
set +e; "$PIMSIM" report --journal="$TMP/garbage.jsonl" >/dev/null 2>"$TMP/err"; CODE=$?; set -e
[ "$CODE" = 3 ] || fail "garbage journal exited $CODE"
grep -q 'garbage.jsonl:1:' "$TMP/err" || fail "the error does not name the line: $(cat "$TMP/err")"
set +e; "$PIMSIM" report --journal="$TMP/run.jsonl" --control=127.0.0.1:1 >/dev/null 2>&1; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "--journal with --control exited $CODE"
echo PASS
