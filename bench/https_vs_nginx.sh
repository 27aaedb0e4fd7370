#!/usr/bin/env bash
# Measures the mock PIM's HTTPS path against nginx serving the same body over
# TLS on this machine, in one run (goal: >= 0.8x nginx): keep-alive GET of
# one product, limits off, zero latency, `pimsim serve --tls` versus nginx
# with `ssl` on the same certificate and key (the one the mock made: EC
# P-256, so both negotiate the same TLS 1.3 suite), wrk over https. The
# servers are measured in alternation, ROUNDS times each, and the medians
# compared, as in bench/http_vs_nginx.sh (whose plain-HTTP figures this
# mirrors); each figure is "req/s" and "server CPU us per request".
#
# Usage: bench/https_vs_nginx.sh [seconds per wrk run, default 5]
# (PIMSIM_BENCH_ROUNDS, default 5; PIMSIM_BENCH_CONNECTIONS, default 64;
# PIMSIM_BENCH_PIN=0 to let the scheduler place the processes)
# Needs nginx (nginx-light) and wrk: scripts/setup.sh installs them. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-5}"
ROUNDS="${PIMSIM_BENCH_ROUNDS:-5}"
CONNS="${PIMSIM_BENCH_CONNECTIONS:-64}"
WRK_THREADS="${PIMSIM_BENCH_WRK_THREADS:-1}"
SERVER_THREADS="${PIMSIM_BENCH_SERVER_THREADS:-1}"
# With two cores or more, each server runs on the last core and wrk on the
# others, so that the two never share a core.
PIN="${PIMSIM_BENCH_PIN:-1}"
SERVER_CPUS=""; CLIENT_CPUS=""; SERVER_PIN=(); CLIENT_PIN=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  SERVER_CPUS="$(($(nproc) - 1))"
  CLIENT_CPUS="0-$(($(nproc) - 2))"
  SERVER_PIN=(taskset -c "$SERVER_CPUS")
  CLIENT_PIN=(taskset -c "$CLIENT_CPUS")
fi

scripts/setup.sh
bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { bazel build -c opt //tools:pimsim; exit 1; }
PIMSIM="$(bazel info -c opt bazel-bin 2>/dev/null)/tools/pimsim"

WORK="$(mktemp -d)"
# nginx workers run as an unprivileged user: they must be able to read the
# body (the master reads the key before it drops privileges).
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts `pimsim serve --tls` with the given flags, its certificate in
# $WORK/tls; sets PORT and SPID.
start_pimsim() {
  rm -f "$WORK/serve.out"  # not the last server's address (see http_vs_nginx.sh)
  "${SERVER_PIN[@]}" "$PIMSIM" serve --listen=127.0.0.1:0 --threads="$SERVER_THREADS" --tls \
    --tls_dir="$WORK/tls" "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 1 200); do
    if grep -q '^https=' "$WORK/serve.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  PORT="$(sed -n 's/^https=[^ ]*:\([0-9]*\) .*/\1/p' "$WORK/serve.out" | head -1)"
  [ -n "$PORT" ] || { cat "$WORK/serve.err"; echo "pimsim serve --tls did not start" >&2; exit 1; }
}

stop_pimsim() {
  kill -TERM "$SPID"
  wait "$SPID" 2>/dev/null || true
}

token() {
  curl -sf --cacert "$WORK/tls/ca.pem" -u pimsim:pimsim -H 'Content-Type: application/json' \
    -d '{"grant_type":"password","username":"admin","password":"admin"}' \
    "https://127.0.0.1:$1/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# cpu_ticks, wrk_rps, start_nginx and stop_nginx.
WRK_REQUIRE_2XX=1  # both servers answer the product with 200
NGINX_TLS=1
source bench/vs_nginx_lib.sh  # the script runs from the repository root

PRODUCT_PATH=/api/rest/v1/products/product_000001


echo "# pimsim HTTPS benchmark, $(date -u +%FT%TZ), $(nproc) cores, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, server threads $SERVER_THREADS, $ROUNDS rounds, server cores ${SERVER_CPUS:-any}, wrk cores ${CLIENT_CPUS:-any}"

# The product body served by both, and the certificate both present (made by
# the first `serve --tls`, kept in $WORK/tls for the later ones to reuse via
# --tls_cert/--tls_key, so every run presents the same one).
start_pimsim --limits=off --latency=0 --seed_products=10
TOKEN="$(token "$PORT")"
curl -sf --cacert "$WORK/tls/ca.pem" -H "Authorization: Bearer $TOKEN" \
  "https://127.0.0.1:$PORT$PRODUCT_PATH" >"$WORK/product.json"
BODY_BYTES=$(wc -c <"$WORK/product.json")
[ "$BODY_BYTES" -gt 0 ] || { echo "could not fetch the product" >&2; exit 1; }
negotiated() {  # URL: "TLSv1.3 / TLS_AES_256_GCM_SHA384" as curl reports it
  curl -s -o /dev/null --cacert "$WORK/tls/ca.pem" -v "$1" 2>&1 |
    sed -n 's/^\* SSL connection using \(.*\)$/\1/p' | head -1
}
MOCK_TLS="$(negotiated "https://127.0.0.1:$PORT/api/rest/v1")"
stop_pimsim

pimsim_rps() {
  rm -f "$WORK/serve.out"
  "${SERVER_PIN[@]}" "$PIMSIM" serve --listen=127.0.0.1:0 --threads="$SERVER_THREADS" \
    --tls_cert="$WORK/tls/server.pem" --tls_key="$WORK/tls/server.key" \
    --seed_products=10 --latency=0 --limits=off >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 1 200); do grep -q '^https=' "$WORK/serve.out" 2>/dev/null && break; sleep 0.05; done
  PORT="$(sed -n 's/^https=[^ ]*:\([0-9]*\) .*/\1/p' "$WORK/serve.out" | head -1)"
  [ -n "$PORT" ] || { cat "$WORK/serve.err" >&2; exit 1; }
  local token
  token="$(token "$PORT")"
  wrk_rps "$SPID" -H "Authorization: Bearer $token" "https://127.0.0.1:$PORT$PRODUCT_PATH"
  stop_pimsim
}

nginx_rps() {
  start_nginx "" "try_files \$uri =404;" >&2
  wrk_rps "$NPID" "https://127.0.0.1:$NPORT$PRODUCT_PATH"
  stop_nginx
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { printf f, a / b }'; }

start_nginx "" "try_files \$uri =404;"
echo "TLS as negotiated: with the mock ${MOCK_TLS:-unknown}, with nginx $(negotiated "https://127.0.0.1:$NPORT$PRODUCT_PATH")"
stop_nginx

P=(); N=()
for round in $(seq 1 "$ROUNDS"); do
  P+=("$(pimsim_rps)")
  N+=("$(nginx_rps)")
  echo "round $round (req/s, server CPU us/request): pimsim ${P[-1]} | nginx ${N[-1]}"
done
rps() { for m in "$@"; do echo "${m%% *}"; done; }
cpu() { for m in "$@"; do echo "${m##* }"; done; }
PRPS=$(median $(rps "${P[@]}")); PCPU=$(median $(cpu "${P[@]}"))
NRPS=$(median $(rps "${N[@]}")); NCPU=$(median $(cpu "${N[@]}"))
PAIRED=(); PAIRED_CPU=()
for i in "${!P[@]}"; do
  PAIRED+=("$(ratio "${P[$i]%% *}" "${N[$i]%% *}" %.3f)")
  PAIRED_CPU+=("$(ratio "${N[$i]##* }" "${P[$i]##* }" %.3f)")
done
echo "## keep-alive HTTPS GET one product ($BODY_BYTES bytes), limits off, zero latency: pimsim --tls vs nginx ssl"
echo "median $PRPS req/s vs $NRPS req/s: ratio $(ratio "$PRPS" "$NRPS" %.2f);" \
  "server CPU $PCPU vs $NCPU us/request: capacity ratio $(ratio "$NCPU" "$PCPU" %.2f) (goal >= 0.80)"
echo "per-round ratios (req/s): ${PAIRED[*]}: median $(median "${PAIRED[@]}");" \
  "by server CPU: ${PAIRED_CPU[*]}: median $(median "${PAIRED_CPU[@]}")"
