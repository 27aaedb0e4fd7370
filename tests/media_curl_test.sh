#!/usr/bin/env bash
# Media files over real sockets: `curl -F` uploads binary bytes onto a
# product's image value through `pimsim serve`, and the download answers the
# same bytes, byte for byte, with the uploaded Content-Type.
set -euo pipefail

PIMSIM="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -f "$TMP/out"
"$PIMSIM" serve --listen=127.0.0.1:0 --latency=0 --seed_products=3 --control=none \
  >"$TMP/out" 2>"$TMP/err" &
PID=$!
trap 'kill -TERM "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q "^http=" "$TMP/out" 2>/dev/null && break; sleep 0.05; done
FIRST="$(head -1 "$TMP/out")"
[[ "$FIRST" =~ ^http=(127\.0\.0\.1:[0-9]+) ]] || fail "first line was '$FIRST'"
BASE="http://${BASH_REMATCH[1]}"

TOKEN_JSON="$(curl -sS -u pimsim:pimsim -H 'Content-Type: application/json' \
  -d '{"grant_type":"password","username":"admin","password":"admin"}' "$BASE/api/oauth/v1/token")"
TOKEN="$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$TOKEN_JSON")"
[ -n "$TOKEN" ] || fail "no token: $TOKEN_JSON"
AUTH="Authorization: Bearer $TOKEN"

STATUS="$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"code":"picture","type":"pim_catalog_image","group":"other"}' "$BASE/api/rest/v1/attributes")"
[ "$STATUS" = 201 ] || fail "creating the image attribute answered $STATUS"

# Every byte value, NULs and CR LF included, then random bytes.
printf "$(printf '\\%03o' $(seq 0 255))" >"$TMP/upload.bin"
head -c 100000 /dev/urandom >>"$TMP/upload.bin"

STATUS="$(curl -s -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' -H "$AUTH" \
  -F 'product={"identifier":"product_000001","attribute":"picture","scope":null,"locale":null}' \
  -F "file=@$TMP/upload.bin;type=image/png;filename=photo 1.png" "$BASE/api/rest/v1/media-files")"
[ "$STATUS" = 201 ] || fail "upload answered $STATUS: $(cat "$TMP/body")"
LOCATION="$(sed -n 's/^Location: \([^[:space:]]*\).*/\1/p' "$TMP/headers")"
[[ "$LOCATION" == "$BASE/api/rest/v1/media-files/"*"_photo_1.png" ]] ||
  fail "Location was '$LOCATION'"

STATUS="$(curl -s -D "$TMP/dl_headers" -o "$TMP/download.bin" -w '%{http_code}' -H "$AUTH" \
  "$LOCATION/download")"
[ "$STATUS" = 200 ] || fail "download answered $STATUS"
cmp "$TMP/upload.bin" "$TMP/download.bin" || fail "the download differs from the upload"
grep -qi '^Content-Type: image/png' "$TMP/dl_headers" || fail "download type: $(cat "$TMP/dl_headers")"

CODE="${LOCATION#"$BASE/api/rest/v1/media-files/"}"
curl -s -H "$AUTH" "$BASE/api/rest/v1/products/product_000001" | grep -qF "\"data\":\"$CODE\"" ||
  fail "the product's picture value is not $CODE"
curl -s -H "$AUTH" "$LOCATION" | grep -qF "\"size\":$(wc -c <"$TMP/upload.bin")" ||
  fail "the metadata has not the uploaded size"
echo PASS
