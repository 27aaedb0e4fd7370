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
rm -f "$TMP/out"
"$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=3 --connections=2 \
  --fault=status=503,route=list,first=1,name=first-list --journal="$TMP/journal.jsonl" \
  >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 1 600); do grep -q "^http=.*$" "$TMP/out" 2>/dev/null && break; sleep 0.05; done
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
[ "$LINES" = 7 ] ||
  fail "journal has $LINES lines, expected a header, the starting limits, 4 events and a summary"
head -1 "$TMP/journal.jsonl" | grep -q '^{"journal":{"format":"pimsim.journal","version":2,' ||
  fail "journal lacks its header line: $(head -c 200 "$TMP/journal.jsonl")"
grep -q '"fault":"first-list"' "$TMP/journal.jsonl" || fail "journal lacks the fault"
grep -q '"connection":"pimsim-2"' "$TMP/journal.jsonl" || fail "journal lacks the connection"
tail -1 "$TMP/journal.jsonl" | grep -q '"summary"' || fail "journal lacks the summary line"
[ "$(grep -c '^{"limits":{' "$TMP/journal.jsonl")" = 1 ] || fail "journal lacks the limits line"

# --- SIGTERM while a client keeps sending: every request is answered -------
# The client sends a GET every 20 ms on a kept-alive connection, opening a new
# one after a Connection: close, until the port refuses it; requests arriving
# during the drain get 503 with Connection: close, and the journal has every
# request the client sent.
"$PIMSIM" serve --listen=127.0.0.1:0 --control=none --latency=0 --seed_products=3 \
  --journal="$TMP/drain.jsonl" >"$TMP/out4" 2>"$TMP/err4" &
PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/out4" ] && break; sleep 0.05; done
ADDR="$(head -1 "$TMP/out4" | sed 's/^http=\([^ ]*\).*/\1/')"
TOKEN="$(curl -sS -u pimsim:pimsim -H 'Content-Type: application/json' \
  -d '{"grant_type":"password","username":"admin","password":"admin"}' "http://$ADDR/api/oauth/v1/token" |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$TOKEN" ] || fail "no token for the drain client"
python3 - "$ADDR" "$TOKEN" >"$TMP/drain_client.json" 2>"$TMP/drain_client.err" <<'PY' &
import json, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
request = ("GET /api/rest/v1/products/product_000001 HTTP/1.1\r\nHost: pim\r\n"
           "Authorization: Bearer %s\r\n\r\n" % sys.argv[2]).encode()
stats = {"sent": 0, "answered": 0, "unanswered": 0, "status": {}, "bad_503": 0}
deadline = time.monotonic() + 20
sock, buf = None, b""
while time.monotonic() < deadline:
    if sock is None:
        try:
            sock = socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            break  # Refused: the drain has closed the port.
        buf = b""
    sock.sendall(request)
    stats["sent"] += 1
    try:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("eof")
            buf += chunk
        head, _, buf = buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = lines[0].split()[1]
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(buf) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("eof in body")
            buf += chunk
        body, buf = buf[:length], buf[length:]
    except OSError:
        stats["unanswered"] += 1
        sock.close()
        sock = None
        continue
    stats["answered"] += 1
    stats["status"][status] = stats["status"].get(status, 0) + 1
    if status == "503" and (headers.get("connection") != "close" or b'"code":503' not in body):
        stats["bad_503"] += 1
    if headers.get("connection") == "close":
        sock.close()
        sock = None
    time.sleep(0.02)
print(json.dumps(stats))
PY
CLIENT=$!
for _ in $(seq 1 100); do
  sleep 0.05
  [ "$(curl -s "http://$ADDR/metrics" | sed -n 's/^pimsim_requests_total{instance="default",status="200"} //p')" -ge 10 ] 2>/dev/null && break
done
kill -TERM "$PID"
set +e; wait "$CLIENT"; CLIENT_CODE=$?; wait "$PID"; CODE=$?; set -e
[ "$CODE" = 0 ] || fail "serve exited $CODE after SIGTERM under load: $(cat "$TMP/err4")"
[ "$CLIENT_CODE" = 0 ] || fail "drain client failed: $(cat "$TMP/drain_client.err")"
SUMMARY="$(cat "$TMP/drain_client.json")"
read -r SENT ANSWERED UNANSWERED DRAINED BAD <<<"$(python3 -c '
import json, sys
s = json.loads(sys.argv[1])
print(s["sent"], s["answered"], s["unanswered"], s["status"].get("503", 0), s["bad_503"])' "$SUMMARY")"
[ "$UNANSWERED" = 0 ] || fail "requests dropped during the drain: $SUMMARY"
[ "$DRAINED" -ge 1 ] || fail "no 503 during the drain: $SUMMARY"
[ "$BAD" = 0 ] || fail "a drain 503 lacked Connection: close or its JSON body: $SUMMARY"
JOURNALED=$(grep -c '"route":"/api/rest/v1/products/{code}"' "$TMP/drain.jsonl" || true)
[ "$JOURNALED" = "$SENT" ] || fail "journal has $JOURNALED product GETs, the client sent $SENT: $SUMMARY"
JOURNALED_503=$(grep '"route":"/api/rest/v1/products/{code}"' "$TMP/drain.jsonl" | grep -c '"status":503' || true)
[ "$JOURNALED_503" = "$DRAINED" ] || fail "journal has $JOURNALED_503 drain 503s, the client got $DRAINED"
echo "drain client: $SUMMARY, $JOURNALED journaled"

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
