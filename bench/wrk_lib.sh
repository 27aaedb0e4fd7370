# Sourced by the benchmarks that drive a server with wrk (http_vs_nginx.sh,
# https_vs_nginx.sh). Needs WORK, WRK_THREADS, CONNS, DURATION and
# CLIENT_PIN (the command prefix that pins wrk to its cores) set;
# WRK_REQUIRE_2XX=1 makes any non-2xx answer fail the benchmark (where the
# servers must answer 200, so that a 4xx would measure something else).

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
