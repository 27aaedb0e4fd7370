#!/usr/bin/env bash
# `pimsim import` over HTTPS: the mock serving TLS itself (`pimsim serve
# --tls_cert/--tls_key`) with a certificate for 127.0.0.1 from a throwaway CA
# made here with openssl. The import given the CA (--ca_file, and the
# CURL_CA_BUNDLE and PIM_CA_FILE conventions) applies every product, and all
# of them are then readable over HTTPS (GET /api/rest/v1/products?limit=100,
# page by page); an import given no CA fails to verify the server: exit 3,
# the certificate problem named, nothing applied.
#
#   bazel test //tests:tls_import_test        (tagged real_client, no_tsan)
#   tests/tls_import_test.sh bazel-bin/tools/pimsim     (by hand)
#
# Needs openssl and python3; scripts/setup.sh installs them.
set -euo pipefail

PIMSIM="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
PRODUCTS=200
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v openssl >/dev/null || fail "openssl is missing: install Debian's openssl package"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- a CA and a server certificate for 127.0.0.1 ----------------------------
PKI="$TMP/pki"
mkdir -p "$PKI"
cat >"$PKI/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = pimsim tls_import_test CA
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
cat >"$PKI/server.ext" <<'EXT'
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
EXT
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -config "$PKI/ca.cnf" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>"$PKI/log" ||
  fail "openssl could not make the CA: $(cat "$PKI/log")"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
  -keyout "$PKI/server.key" -out "$PKI/server.csr" 2>"$PKI/log" ||
  fail "openssl could not make the server key: $(cat "$PKI/log")"
openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
  -days 2 -extfile "$PKI/server.ext" -out "$PKI/server.crt" 2>"$PKI/log" ||
  fail "openssl could not sign the server certificate: $(cat "$PKI/log")"

# --- the mock over HTTPS with that certificate -----------------------------
# `pimsim serve --tls_cert/--tls_key` serves the openssl-made certificate
# itself: the client meets the mock's own TLS, no proxy in between.
"$PIMSIM" serve --listen=127.0.0.1:0 --control=none --latency=0 --seed_products=0 \
  --tls_cert="$PKI/server.crt" --tls_key="$PKI/server.key" \
  >"$TMP/serve.out" 2>"$TMP/serve.err" &
PIDS+=($!)
for _ in $(seq 1 200); do grep -q '^https=' "$TMP/serve.out" 2>/dev/null && break; sleep 0.05; done
MOCK="$(sed -n '1s/^https=\([^ ]*\) cert=.*/\1/p' "$TMP/serve.out")"
[ -n "$MOCK" ] || fail "pimsim serve printed no https address: $(cat "$TMP/serve.out" "$TMP/serve.err")"
BASE="https://$MOCK"

# --- the products -----------------------------------------------------------
products() {  # $1: identifier prefix, $2: count
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
for i in range(int(sys.argv[2])):
    print(json.dumps({"identifier": "%s-%06d" % (sys.argv[1], i), "enabled": True,
                      "values": {"name": [{"locale": "en_US", "scope": None, "data": "TLS %d" % i}]}}))
PY
}
products tls "$PRODUCTS" >"$TMP/tls.ndjson"
products env 10 >"$TMP/env.ndjson"
products pim 10 >"$TMP/pim.ndjson"
products noca 10 >"$TMP/noca.ndjson"

# run_import NAME COMMAND...: the command pointed at the mock, with no CA
# from the environment unless the command sets one; exit code in CODE.
run_import() {
  local name="$1"; shift
  set +e
  env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR -u PIM_CA_FILE -u PIM_CONNECTIONS_FILE \
    PIM_BASE_URL="$BASE" PIM_CLIENT_ID=pimsim PIM_CLIENT_SECRET=pimsim PIM_USERNAME=admin \
    PIM_PASSWORD=admin "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  CODE=$?
  set -e
}

# --- with the CA: every product applied ------------------------------------
run_import tls "$PIMSIM" import "$TMP/tls.ndjson" --ca_file="$PKI/ca.crt"
[ "$CODE" = 0 ] || fail "import with --ca_file exited $CODE: $(cat "$TMP/tls.out" "$TMP/tls.err")"
run_import env env CURL_CA_BUNDLE="$PKI/ca.crt" "$PIMSIM" import "$TMP/env.ndjson"
[ "$CODE" = 0 ] || fail "import with CURL_CA_BUNDLE exited $CODE: $(cat "$TMP/env.out" "$TMP/env.err")"
run_import pim env PIM_CA_FILE="$PKI/ca.crt" "$PIMSIM" import "$TMP/pim.ndjson"
[ "$CODE" = 0 ] || fail "import with PIM_CA_FILE exited $CODE: $(cat "$TMP/pim.out" "$TMP/pim.err")"

# --- without it: the server is not trusted ---------------------------------
# Exit 3, and for the right reason: the output names the certificate problem
# (libcurl: "SSL certificate problem: unable to get local issuer
# certificate"), so a user can tell it from an unreachable PIM. A failed
# verification is no transient failure worth retrying: 120 s is plenty.
run_import noca timeout 120 "$PIMSIM" import "$TMP/noca.ndjson"
# Its failures are reported after the read-back, which checks it applied nothing.
NOCA_PROBLEM=""
if [ "$CODE" = 124 ]; then
  NOCA_PROBLEM="import with no CA was still running after 120 s"
elif [ "$CODE" != 3 ]; then
  NOCA_PROBLEM="import with no CA exited $CODE, expected 3: $(cat "$TMP/noca.out" "$TMP/noca.err")"
elif ! grep -qi 'certificate' "$TMP/noca.out" "$TMP/noca.err"; then
  NOCA_PROBLEM="import with no CA exited 3 without naming the certificate problem: $(cat "$TMP/noca.out" "$TMP/noca.err")"
fi

# --- what the API has, read over HTTPS -------------------------------------
/usr/bin/python3 - "$BASE" "$PKI/ca.crt" "$PRODUCTS" <<'PY' || fail "the products read back from $BASE are not the ones imported"
import base64, json, ssl, sys, urllib.request

base, ca, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)

def call(method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return json.load(r)

basic = base64.b64encode(b"pimsim:pimsim").decode()
token = call("POST", "/api/oauth/v1/token",
             json.dumps({"grant_type": "password", "username": "admin", "password": "admin"}).encode(),
             {"Authorization": "Basic " + basic, "Content-Type": "application/json"})["access_token"]
seen = {}
page = 1
while True:
    body = call("GET", "/api/rest/v1/products?limit=100&page=%d" % page, None,
                {"Authorization": "Bearer " + token})
    items = body["_embedded"]["items"]
    if not items:
        break
    for item in items:
        seen[item["identifier"]] = item
    page += 1
    if page > 100:
        sys.exit("more than 100 pages")
by_prefix = {}
for identifier in seen:
    by_prefix.setdefault(identifier.split("-")[0], []).append(identifier)
counts = {k: len(v) for k, v in by_prefix.items()}
print("read back over HTTPS: %s in %d pages" % (counts, page - 1))
assert counts.get("tls") == expected, counts
assert counts.get("env") == 10, counts
assert counts.get("pim") == 10, counts
assert "noca" not in counts, counts
assert seen["tls-000123"]["values"]["name"][0]["data"] == "TLS 123", seen["tls-000123"]
PY
[ -z "$NOCA_PROBLEM" ] || fail "$NOCA_PROBLEM"
echo PASS
