#!/usr/bin/env bash
# `pimsim serve --tls` end to end, with real clients:
#  - the first stdout line is "https=HOST:PORT cert=FILE control=HOST:PORT";
#    curl --cacert FILE and Python's http.client/ssl, verifying the host name,
#    reach the API as 127.0.0.1 and as localhost; without FILE they refuse it;
#  - the same traffic, with the same faults, against `serve` and `serve --tls`
#    gives the same journal (times aside) and the same outcomes to curl: a
#    reset fault is a connection reset over TLS as over HTTP, an orderly
#    close an empty reply, a cut-off body a short transfer;
#  - plain HTTP on the HTTPS port gets a plain 400 naming https://, and
#    garbage a closed connection, both counted, while a TLS client on a
#    kept-alive connection goes on unharmed; curl http:// to it says 400;
#  - --tls_cert/--tls_key serve a certificate made here with openssl, and
#    cert= names it; --tls_dir keeps the made one; bad combinations are exit
#    2, an unloadable certificate exit 3, both with the reason;
#  - `pimsim run --tls` runs the smoke scenario's Python integration over
#    HTTPS (PIM_BASE_URL https, the CA in PIM_CA_FILE) to a PASS, and a curl
#    command trusts the CA through CURL_CA_BUNDLE alone; `pimsim run
#    --control` against a `serve --tls` gets the CA from the control API
#    (GetServerInfo) and passes as well.
#
#   bazel test //tests:serve_tls_test            (tagged real_client, no_tsan)
#   tests/serve_tls_test.sh bazel-bin/tools/pimsim     (by hand, from the root)
set -euo pipefail

PIMSIM="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v openssl >/dev/null || fail "openssl is missing: install Debian's openssl package"
command -v curl >/dev/null || fail "curl is missing (scripts/setup.sh installs it)"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# serve NAME ARGS...: starts `pimsim serve ARGS`, waits for its first line;
# sets SPID and FIRST.
serve() {
  local name="$1"; shift
  "$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=3 "$@" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 1 600); do grep -q '^http' "$TMP/$name.out" 2>/dev/null && break; sleep 0.05; done
  FIRST="$(head -1 "$TMP/$name.out")"
  [ -n "$FIRST" ] || fail "serve $* printed nothing: $(cat "$TMP/$name.err")"
}
stop() {
  kill -TERM "$SPID"
  set +e; wait "$SPID"; local code=$?; set -e
  [ "$code" = 0 ] || fail "serve exited $code after SIGTERM"
}
token() {  # BASE CURL-OPTIONS...
  local base="$1"; shift
  curl -sS "$@" -u pimsim:pimsim -H 'Content-Type: application/json' \
    -d '{"grant_type":"password","username":"admin","password":"admin"}' \
    "$base/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

FAULTS=(--fault=status=503,route=list,first=1,name=first-list
  --fault=disconnect=before,path=/api/rest/v1/channels,first=1,name=reset-channels
  --fault=truncate=20,path=/api/rest/v1/products/product_000002,first=1,name=cut-product
  --fault=disconnect=before,close=orderly,path=/api/rest/v1/families,first=1,name=fin-families
  --fault=truncate=20,close=orderly,path=/api/rest/v1/products/product_000003,first=1,name=fin-product)

# traffic BASE CURL-OPTIONS...: one fixed sequence of requests, each its own
# curl (so its own connection); prints "what: exit-code http-code" lines.
traffic() {
  local base="$1"; shift
  local t code
  t="$(token "$base" "$@")"
  [ -n "$t" ] || fail "no token from $base"
  for what in locales locales channels channels products/product_000001 \
      products/product_000002 products/product_000002 families families \
      products/product_000003 products/product_000003; do
    set +e
    code="$(curl -sS -o /dev/null -w '%{http_code}' "$@" -H "Authorization: Bearer $t" \
      "$base/api/rest/v1/$what" 2>>"$TMP/traffic.err")"
    echo "$what: $? $code"
    set -e
  done
}

# --- the first line, curl and Python over TLS ------------------------------
serve tls --tls --journal="$TMP/tls.jsonl" "${FAULTS[@]}"
[[ "$FIRST" =~ ^https=(127\.0\.0\.1:([0-9]+))\ cert=([^ ]+)\ control=127\.0\.0\.1:[0-9]+$ ]] ||
  fail "first line was '$FIRST'"
ADDR="${BASH_REMATCH[1]}"; PORT="${BASH_REMATCH[2]}"; CERT="${BASH_REMATCH[3]}"
[ -f "$CERT" ] || fail "cert= names no file: $CERT"
grep -q 'BEGIN CERTIFICATE' "$CERT" || fail "$CERT is no PEM certificate"
grep -q "at https://$ADDR" "$TMP/tls.err" || fail "stderr does not name the https URL: $(cat "$TMP/tls.err")"

: >"$TMP/traffic.err"
traffic "https://$ADDR" --cacert "$CERT" >"$TMP/tls.traffic"
set +e
curl -sS -o /dev/null "https://$ADDR/api/rest/v1" 2>"$TMP/noca.err"; NOCA=$?
set -e
[ "$NOCA" = 60 ] || fail "curl without the CA exited $NOCA, expected 60: $(cat "$TMP/noca.err")"

/usr/bin/python3 - "$PORT" "$CERT" <<'PY' || fail "Python's http.client over TLS failed"
import base64, http.client, json, ssl, sys

port, cafile = int(sys.argv[1]), sys.argv[2]
for host in ("127.0.0.1", "localhost"):
    ctx = ssl.create_default_context(cafile=cafile)
    assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
    conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=10)
    basic = base64.b64encode(b"pimsim:pimsim").decode()
    conn.request("POST", "/api/oauth/v1/token",
                 json.dumps({"grant_type": "password", "username": "admin", "password": "admin"}),
                 {"Authorization": "Basic " + basic, "Content-Type": "application/json"})
    r = conn.getresponse()
    assert r.status == 200, (host, r.status)
    token = json.load(r)["access_token"]
    for _ in range(3):  # one kept-alive connection
        conn.request("GET", "/api/rest/v1/products/product_000003",
                     headers={"Authorization": "Bearer " + token})
        r = conn.getresponse()
        body = json.load(r)
        assert r.status == 200 and body["identifier"] == "product_000003", (host, r.status, body)
    name = conn.sock.getpeercert()["subjectAltName"]
    assert ("DNS", "localhost") in name and ("IP Address", "127.0.0.1") in name, name
    conn.close()
    print("python over TLS as %s: verified, 4 requests on one connection" % host)
# Without the CA (the system's only) the mock is refused.
try:
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ssl.create_default_context(),
                                    timeout=10)
    c.request("GET", "/api/rest/v1")
    c.getresponse()
except ssl.SSLCertVerificationError as e:
    print("python without the CA: refused (%s)" % e.verify_message)
else:
    sys.exit("python trusted the mock without its CA")
PY
stop

# --- the same traffic over plain HTTP: the same outcomes and journal --------
serve plain --journal="$TMP/plain.jsonl" "${FAULTS[@]}"
PLAIN_ADDR="$(sed -n 's/^http=\([^ ]*\).*/\1/p' <<<"$FIRST")"
traffic "http://$PLAIN_ADDR" >"$TMP/plain.traffic"
stop
# Each fault as curl reports it, the same over both: a reset is a reset
# (56, "Connection reset by peer"); an orderly close is a FIN (over TLS
# without close_notify, as a cut connection), an empty reply (52) or a body
# short of its Content-Length (18).
diff "$TMP/plain.traffic" "$TMP/tls.traffic" >"$TMP/traffic.diff" ||
  fail "HTTP and HTTPS traffic differ: $(cat "$TMP/traffic.diff")"
expect() {  # LINE
  grep -qx "$1" "$TMP/tls.traffic" || fail "expected '$1': $(cat "$TMP/tls.traffic")"
}
expect 'locales: 0 503'
expect 'channels: 56 000'
expect 'products/product_000002: 56 200'
expect 'families: 52 000'
expect 'products/product_000003: 18 200'
[ "$(grep -c 'Connection reset by peer' "$TMP/traffic.err")" = 4 ] ||
  fail "curl did not report each reset as one: $(cat "$TMP/traffic.err")"
/usr/bin/python3 - "$TMP/plain.jsonl" "$TMP/tls.jsonl" <<'PY' || fail "the journals differ"
import json, sys

def events(path):
    out = []
    for line in open(path):
        e = json.loads(line)
        if "id" not in e:
            continue
        # Times and the limiter's bucket depend on the moment, not the protocol.
        out.append({k: v for k, v in e.items() if not k.endswith("_us") and "bucket" not in k})
    return out

# The TLS run's Python clients come after the common traffic (12 requests).
plain, tls = events(sys.argv[1]), events(sys.argv[2])[:12]
assert len(plain) == len(tls) == 12, (len(plain), len(tls))
for a, b in zip(plain, tls):
    assert a == b, (a, b)
faults = [e.get("fault") for e in tls if e.get("fault")]
assert faults == ["first-list", "reset-channels", "cut-product", "fin-families", "fin-product"], faults
print("journals: %d events alike over HTTP and HTTPS, faults %s" % (len(tls), faults))
PY

# --- plain HTTP and garbage on the HTTPS port, next to a TLS client --------
serve refuse --tls --control=none
CERT="$(sed -n 's/.* cert=\([^ ]*\).*/\1/p' <<<"$FIRST")"
PORT="$(sed -n 's/^https=[^ ]*:\([0-9]*\) .*/\1/p' <<<"$FIRST")"
/usr/bin/python3 - "$PORT" "$CERT" <<'PY' || fail "the TLS client was harmed by plain HTTP on its port"
import base64, http.client, json, socket, ssl, sys, threading

port, cafile = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPSConnection("localhost", port, context=ssl.create_default_context(cafile=cafile),
                                   timeout=10)
basic = base64.b64encode(b"pimsim:pimsim").decode()
conn.request("POST", "/api/oauth/v1/token",
             json.dumps({"grant_type": "password", "username": "admin", "password": "admin"}),
             {"Authorization": "Basic " + basic, "Content-Type": "application/json"})
token = json.load(conn.getresponse())["access_token"]

answers = []
def intruder(payload):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(payload)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    s.close()
    answers.append((payload, data))

plain = b"GET /api/rest/v1/locales HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
garbage = bytes((i * 7919 + 13) & 0xFF for i in range(2048))
served = 0
for i in range(20):
    threads = [threading.Thread(target=intruder, args=(p,)) for p in (plain, garbage)]
    for t in threads:
        t.start()
    conn.request("GET", "/api/rest/v1/locales", headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    r.read()
    assert r.status == 200, r.status
    served += 1
    for t in threads:
        t.join(15)
        assert not t.is_alive(), "an intruder was never closed"
assert len(answers) == 40, len(answers)
for payload, data in answers:
    if payload is plain:
        assert data.startswith(b"HTTP/1.1 400 ") and b"use https://" in data, data[:200]
    else:
        assert b"HTTP/" not in data, data[:40]
conn.request("GET", "/metrics")
metrics = conn.getresponse().read().decode()
failures = [l for l in metrics.splitlines() if l.startswith("pimsim_http_tls_handshake_failures_total ")]
assert failures and float(failures[0].split()[1]) == 40, failures
print("TLS client: %d of 20 answered 200 on one connection while 40 intruders were refused; %s"
      % (served, failures[0]))
PY
set +e
PLAIN_STATUS="$(curl -sS -o "$TMP/plain400.json" -w '%{http_code}' "http://127.0.0.1:$PORT/api/rest/v1")"
set -e
[ "$PLAIN_STATUS" = 400 ] && grep -q 'use https://' "$TMP/plain400.json" ||
  fail "curl http:// to the HTTPS port got $PLAIN_STATUS: $(cat "$TMP/plain400.json")"
stop

# --- --tls_cert / --tls_key, --tls_dir, bad combinations ------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
  -keyout "$TMP/own.key" -out "$TMP/own.crt" 2>"$TMP/openssl.log" ||
  fail "openssl could not make a certificate: $(cat "$TMP/openssl.log")"
serve own --tls_cert="$TMP/own.crt" --tls_key="$TMP/own.key" --control=none
[[ "$FIRST" =~ ^https=(127\.0\.0\.1:[0-9]+)\ cert=$TMP/own\.crt$ ]] || fail "with --tls_cert: '$FIRST'"
OWN="${BASH_REMATCH[1]}"
[ -n "$(token "https://$OWN" --cacert "$TMP/own.crt")" ] || fail "no token with the given certificate"
stop

serve kept --tls --tls_dir="$TMP/kept" --control=none
[[ "$FIRST" == *" cert=$TMP/kept/ca.pem" ]] || fail "with --tls_dir: '$FIRST'"
stop
[ -f "$TMP/kept/ca.pem" ] && [ -f "$TMP/kept/server.pem" ] && [ -f "$TMP/kept/server.key" ] ||
  fail "--tls_dir did not keep the certificate: $(ls -l "$TMP/kept")"
[ "$(stat -c %a "$TMP/kept/server.key")" = 600 ] || fail "the key is readable by others"

usage() {  # EXPECTED-CODE EXPECTED-TEXT ARGS...
  local expected="$1" text="$2"; shift 2
  set +e
  timeout 20 "$PIMSIM" serve --listen=127.0.0.1:0 --control=none "$@" >/dev/null 2>"$TMP/usage.err"
  local code=$?
  set -e
  [ "$code" = "$expected" ] || fail "serve $* exited $code, expected $expected: $(cat "$TMP/usage.err")"
  grep -q -- "$text" "$TMP/usage.err" || fail "serve $* said: $(cat "$TMP/usage.err")"
}
usage 2 'go together' --tls_cert="$TMP/own.crt"
usage 2 'tls_dir' --tls_dir="$TMP/x"
usage 3 'no-such.pem' --tls_cert="$TMP/no-such.pem" --tls_key="$TMP/own.key"
usage 3 'does not match' --tls_cert="$TMP/own.crt" --tls_key="$TMP/kept/server.key"

# --- pimsim run --tls ------------------------------------------------------
set +e
"$PIMSIM" run --tls --progress=off --json="$TMP/run.json" scenarios/smoke.textproto \
  >"$TMP/run.txt" 2>"$TMP/run.err"
CODE=$?
set -e
[ "$CODE" = 0 ] || fail "pimsim run --tls smoke exited $CODE: $(tail -20 "$TMP/run.err")"
grep -q 'mock at https://127\.0\.0\.1:' "$TMP/run.err" || fail "the run's mock was not https: $(head -3 "$TMP/run.err")"
grep -q '^\[python3\] python_integration: 100 applied, 0 rejected' "$TMP/run.err" ||
  fail "the integration did not finish over HTTPS: $(cat "$TMP/run.err")"
grep -q '"verdict": *"PASS"' "$TMP/run.json" || fail "run --tls verdict: $(head -c 300 "$TMP/run.json")"

set +e
"$PIMSIM" run --tls --progress=off scenarios/smoke.textproto -- /bin/sh -c \
  'case "$PIM_BASE_URL" in https://*) ;; *) exit 9;; esac
   [ "$PIM_CA_FILE" = "$CURL_CA_BUNDLE" ] && [ "$PIM_CA_FILE" = "$SSL_CERT_FILE" ] &&
   [ "$PIM_CA_FILE" = "$REQUESTS_CA_BUNDLE" ] && [ "$PIM_CA_FILE" = "$NODE_EXTRA_CA_CERTS" ] || exit 8
   curl -sSf -o /dev/null -u "$PIM_CLIENT_ID:$PIM_CLIENT_SECRET" -H "Content-Type: application/json" \
     -d "{\"grant_type\":\"password\",\"username\":\"$PIM_USERNAME\",\"password\":\"$PIM_PASSWORD\"}" \
     "$PIM_BASE_URL/api/oauth/v1/token"' >"$TMP/curlrun.txt" 2>"$TMP/curlrun.err"
CODE=$?
set -e
[ "$CODE" = 0 ] || fail "pimsim run --tls -- curl exited $CODE: $(tail -20 "$TMP/curlrun.err")"

# --- pimsim run --control against serve --tls: the CA from the control API --
serve remote --tls --seed_products=20
CONTROL="$(sed -n 's/.* control=//p' <<<"$FIRST")"
SERVED_CERT="$(sed -n 's/.* cert=\([^ ]*\) .*/\1/p' <<<"$FIRST")"
set +e
"$PIMSIM" run --progress=off --json="$TMP/remote.json" --control="$CONTROL" \
  scenarios/smoke.textproto >"$TMP/remote.txt" 2>"$TMP/remote.err"
CODE=$?
set -e
[ "$CODE" = 0 ] || fail "pimsim run --control against serve --tls exited $CODE: $(tail -20 "$TMP/remote.err")"
grep -q 'the mock at https://127\.0\.0\.1:' "$TMP/remote.err" || fail "the remote run was not https: $(head -3 "$TMP/remote.err")"
grep -q '"verdict": *"PASS"' "$TMP/remote.json" || fail "remote run verdict: $(head -c 300 "$TMP/remote.json")"
stop
[ ! -e "$(dirname "$SERVED_CERT")" ] || fail "serve --tls left its certificate directory behind"
echo PASS
