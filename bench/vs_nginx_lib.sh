# Sourced by the benchmarks that compare the mock with nginx under wrk
# (http_vs_nginx.sh, https_vs_nginx.sh). Needs WORK, WRK_THREADS, CONNS,
# DURATION, SERVER_THREADS, PIDS, PRODUCT_PATH, and SERVER_PIN/CLIENT_PIN
# (the command prefixes that pin the server and wrk to their cores) set.
# WRK_REQUIRE_2XX=1 makes any non-2xx answer fail the benchmark (where the
# servers must answer 200, so that a 4xx would measure something else).
# For HTTPS, NGINX_TLS=1 and the certificate in $WORK/tls (ca.pem,
# server.pem, server.key).

# CPU time (clock ticks) used so far by a process and its children.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# Runs wrk against the server whose pid is $1 (the rest: wrk's arguments)
# and prints "requests/s server-CPU-microseconds-per-request". The wall rate
# depends on how the shared cores are scheduled; the CPU cost per request
# much less so.
wrk_rps() {
  local pid="$1"; shift
  local before after
  before=$(cpu_ticks "$pid")
  "${CLIENT_PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" \
    >"$WORK/wrk.out" 2>&1 || true
  after=$(cpu_ticks "$pid")
  if [ "${WRK_REQUIRE_2XX:-0}" = 1 ] && grep -q 'Non-2xx' "$WORK/wrk.out"; then
    cat "$WORK/wrk.out" >&2
    echo "non-2xx answers" >&2
    exit 1
  fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    END { printf "%s %.2f\n", rps, (n > 0 ? ticks / hz * 1e6 / n : 0) }' "$WORK/wrk.out"
}

# Starts nginx serving $WORK/product.json at PRODUCT_PATH, with $1 as extra
# http-level config and $2 as the location body; sets NPID and NPORT, and
# returns once it answers.
start_nginx() {
  mkdir -p "$WORK/nginx/logs" "$WORK/www$(dirname "$PRODUCT_PATH")"
  cp "$WORK/product.json" "$WORK/www$PRODUCT_PATH"
  chmod -R a+rX "$WORK/www"
  local nport scheme=http listen="" tls_conf="" curl_tls=()
  if [ "${NGINX_TLS:-0}" = 1 ]; then
    scheme=https
    listen=" ssl"
    tls_conf="ssl_certificate $WORK/tls/server.pem;
    ssl_certificate_key $WORK/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;"
    curl_tls=(--cacert "$WORK/tls/ca.pem")
  fi
  nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $SERVER_THREADS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  default_type application/json;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  $1
  server {
    listen 127.0.0.1:$nport$listen;
    $tls_conf
    root $WORK/www;
    location / { $2 }
  }
}
CONF
  "${SERVER_PIN[@]}" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
  NPID=$!
  PIDS+=("$NPID")
  NPORT=$nport
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "${curl_tls[@]}" "$scheme://127.0.0.1:$NPORT$PRODUCT_PATH" && return
    sleep 0.05
  done
  cat "$WORK/nginx/logs/error.log" >&2
  echo "nginx does not serve the product body over $scheme" >&2
  exit 1
}

stop_nginx() { kill -QUIT "$NPID" 2>/dev/null || true; wait "$NPID" 2>/dev/null || true; }
