#!/usr/bin/env bash
# End-to-end contract of `pimsim ctl` against `pimsim serve`'s control plane:
# every verb, the exit codes (0 ok, 2 bad usage or invalid request, 3
# unreachable or failed), --control=none, and the token rules.
set -euo pipefail

PIMSIM="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

start_serve() {  # start_serve OUT_FILE FLAGS...; sets PID, HTTP, CONTROL
  local out="$1"; shift
  rm -f "$out"  # the server's shell truncates it only once it runs
  "$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=3 "$@" >"$out" 2>"$out.err" &
  PID=$!
  for _ in $(seq 1 600); do grep -q "^http=" "$out" 2>/dev/null && break; sleep 0.05; done
  local first; first="$(head -1 "$out")"
  HTTP="$(sed -n 's/^http=\([^ ]*\).*/\1/p' <<<"$first")"
  CONTROL="$(sed -n 's/.* control=\([^ ]*\)$/\1/p' <<<"$first")"
}
ctl() { "$PIMSIM" ctl --control="$CONTROL" "$@"; }
expect_exit() {  # expect_exit CODE CMD...; output in $TMP/o, $TMP/e
  local want="$1"; shift
  set +e; "$@" >"$TMP/o" 2>"$TMP/e"; local code=$?; set -e
  [ "$code" = "$want" ] || fail "$* exited $code, expected $want: $(cat "$TMP/e")"
}

start_serve "$TMP/out"
[[ "$CONTROL" =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "no control address in: $(head -1 "$TMP/out")"

# --- usage ----------------------------------------------------------------
"$PIMSIM" --help | grep -q ctl || fail "--help does not list ctl"
"$PIMSIM" ctl --help | grep -q "journal tail" || fail "ctl --help lacks the verbs"
expect_exit 2 "$PIMSIM" ctl
expect_exit 2 "$PIMSIM" ctl counters  # no --control
grep -q -- "--control" "$TMP/e" || fail "no message about --control"
expect_exit 2 ctl frobnicate
expect_exit 2 ctl faults list --rate=3
grep -q -- "--rate does not apply" "$TMP/e" || fail "no message for a misplaced flag"
expect_exit 2 ctl limits set
expect_exit 2 ctl limits set --limits='nonsense {'
expect_exit 2 ctl counters extra

# --- limits -----------------------------------------------------------------
expect_exit 0 ctl limits get
grep -q "max_in_flight_per_connection: 4" "$TMP/o" || fail "limits get: $(cat "$TMP/o")"
expect_exit 0 ctl limits set --per_connection=1 --rate=50
grep -q "max_in_flight_per_connection: 1" "$TMP/o" || fail "limits set: $(cat "$TMP/o")"
grep -q "burst: 50" "$TMP/o" || fail "--rate without --burst keeps no stale burst: $(cat "$TMP/o")"
expect_exit 0 ctl limits get
grep -q "requests_per_second: 50" "$TMP/o" || fail "limits not applied: $(cat "$TMP/o")"
grep -q "max_in_flight_per_connection: 1" "$TMP/o" || fail "the patch lost a field: $(cat "$TMP/o")"
expect_exit 0 ctl limits set --limits='max_in_flight_per_instance: 3'
grep -q "max_in_flight_per_connection: 4" "$TMP/o" || fail "--limits replaces: $(cat "$TMP/o")"
expect_exit 2 ctl limits set --rate=0
grep -q "limits.instance_rate.requests_per_second must be > 0, got 0" "$TMP/e" \
  || fail "no field in: $(cat "$TMP/e")"
expect_exit 2 ctl limits get --instance=nope
grep -q 'instance "nope" does not exist' "$TMP/e" || fail "unknown instance: $(cat "$TMP/e")"
expect_exit 0 ctl limits set --limits=''

# --- faults and phases ---------------------------------------------------------
expect_exit 0 ctl faults add 'status=503,first=1,path=/api/rest/v1/channels,name=boom'
grep -q "name=boom" "$TMP/o" || fail "faults add: $(cat "$TMP/o")"
expect_exit 0 ctl faults list
grep -q "status=503" "$TMP/o" || fail "faults list: $(cat "$TMP/o")"
expect_exit 2 ctl faults add 'status=200'
TOKEN="$(curl -sS -u pimsim:pimsim -H 'Content-Type: application/json' \
  -d '{"grant_type":"password","username":"admin","password":"admin"}' \
  "http://$HTTP/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$TOKEN" ] || fail "no token"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "http://$HTTP/api/rest/v1/channels")"
[ "$STATUS" = 503 ] || fail "fault boom did not fire: $STATUS"
expect_exit 0 ctl faults clear boom
grep -q "removed 1" "$TMP/o" || fail "faults clear: $(cat "$TMP/o")"
expect_exit 0 ctl phase warmup
grep -q "previous phase: (none)" "$TMP/o" || fail "phase: $(cat "$TMP/o")"
expect_exit 0 ctl phase spike
grep -q "previous phase: warmup" "$TMP/o" || fail "phase: $(cat "$TMP/o")"

# --- journal and counters ---------------------------------------------------------
expect_exit 0 ctl journal tail
[ "$(wc -l <"$TMP/o")" = 2 ] || fail "journal tail: $(cat "$TMP/o")"
grep -q '"status":503' "$TMP/o" || fail "journal tail lacks the fault: $(cat "$TMP/o")"
grep -q '^{"id":1,.*"socket_id":[0-9]' "$TMP/o" || fail "journal tail: 64-bit fields not numbers: $(cat "$TMP/o")"
expect_exit 0 ctl journal tail --after=1
[ "$(wc -l <"$TMP/o")" = 1 ] || fail "journal tail --after=1: $(cat "$TMP/o")"
expect_exit 0 ctl counters
grep -q '^pimsim_requests_total{instance="default",status="503"} 1$' "$TMP/o" \
  || fail "counters: $(cat "$TMP/o")"
expect_exit 0 ctl reset --journal
grep -q "reset journal" "$TMP/o" || fail "reset: $(cat "$TMP/o")"
expect_exit 0 ctl journal tail
[ ! -s "$TMP/o" ] || fail "journal not reset: $(cat "$TMP/o")"
expect_exit 0 ctl reset

# A follower gets new events and ends with serve.
ctl journal tail --follow >"$TMP/follow" 2>"$TMP/follow.err" &
FOLLOW=$!
sleep 0.3
curl -s -o /dev/null "http://$HTTP/api/rest/v1/channels"
for _ in $(seq 1 100); do [ -s "$TMP/follow" ] && break; sleep 0.05; done
grep -q '"route"' "$TMP/follow" || fail "follow printed nothing"
kill -TERM "$PID"; wait "$PID"
set +e; wait "$FOLLOW"; CODE=$?; set -e
[ "$CODE" = 0 ] || fail "follow exited $CODE: $(cat "$TMP/follow.err")"

# --- unreachable, --control=none, tokens ----------------------------------------------
expect_exit 3 ctl counters  # serve is gone
grep -q "cannot reach the control server" "$TMP/e" || fail "unreachable: $(cat "$TMP/e")"

start_serve "$TMP/none" --control=none
[[ "$(head -1 "$TMP/none")" =~ ^http=127\.0\.0\.1:[0-9]+$ ]] || fail "--control=none: $(head -1 "$TMP/none")"
kill -TERM "$PID"; wait "$PID"

expect_exit 2 "$PIMSIM" serve --listen=127.0.0.1:0 --control=0.0.0.0:0
grep -q -- "--control on a non-loopback address needs --control_token" "$TMP/e" \
  || fail "non-loopback: $(cat "$TMP/e")"
expect_exit 2 "$PIMSIM" serve --listen=127.0.0.1:0 --control=nonsense

start_serve "$TMP/guarded" --control_token=s3cret
expect_exit 3 ctl counters
grep -q "UNAUTHENTICATED\|authorization" "$TMP/e" || fail "no token: $(cat "$TMP/e")"
expect_exit 0 ctl --control_token=s3cret counters
kill -TERM "$PID"; wait "$PID"
echo "PASS"
