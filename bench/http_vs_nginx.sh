#!/usr/bin/env bash
# Measures the mock PIM's HTTP path against nginx on this machine, in one run:
#
#  1. keep-alive GET of one product, limits off, zero latency, versus nginx
#     serving a static body of the same size        (goal: >= 0.8x nginx)
#  2. the same load with limits on (nearly everything answered 429), versus
#     nginx limit_req at 100r/s answering 429       (goal: >= 1.0x nginx)
#  1b. load 1 again with fault rules configured that never fire (10 by
#      default, PIMSIM_BENCH_IDLE_FAULTS)            (goal: within 5% of 1)
#  3. one admission decision, Google Benchmark      (goal: < 100 ns), and
#     fault selection with 0 and 100 rules          (goals: < 50 ns, < 1 us)
#  4. idle RSS of `pimsim serve` (goal: < 30 MB) and journal bytes per event
#
#  5. with PIMSIM_BENCH_BASELINE=PATH (a `pimsim` binary built from another
#     commit, e.g. the one before a change): runs 1 and 2 of that binary too,
#     in the same rounds, and this build against it (goal: no worse)
#
# Usage: bench/http_vs_nginx.sh [seconds per wrk run, default 5]
# (PIMSIM_BENCH_ROUNDS, default 5: rounds of alternating measurements)
# Needs nginx (nginx-light) and wrk: scripts/setup.sh installs them. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-5}"
ROUNDS="${PIMSIM_BENCH_ROUNDS:-5}"
# Fault rules configured for run 1b, none of which fires.
IDLE_FAULTS="${PIMSIM_BENCH_IDLE_FAULTS:-10}"
BASELINE="${PIMSIM_BENCH_BASELINE:-}"
if [ -n "$BASELINE" ] && [ ! -x "$BASELINE" ]; then
  echo "PIMSIM_BENCH_BASELINE=$BASELINE is not an executable" >&2
  exit 2
fi
CONNS="${PIMSIM_BENCH_CONNECTIONS:-64}"
WRK_THREADS="${PIMSIM_BENCH_WRK_THREADS:-1}"
SERVER_THREADS="${PIMSIM_BENCH_SERVER_THREADS:-1}"
# With two cores or more, each server runs on the last core and wrk on the
# others (PIMSIM_BENCH_PIN=0: wherever the scheduler puts them), so that the
# two never share a core and runs differ less.
PIN="${PIMSIM_BENCH_PIN:-1}"
SERVER_CPUS=""; CLIENT_CPUS=""; SERVER_PIN=(); CLIENT_PIN=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  SERVER_CPUS="$(($(nproc) - 1))"
  CLIENT_CPUS="0-$(($(nproc) - 2))"
  # taskset execs the command, so $! stays the server's own pid.
  SERVER_PIN=(taskset -c "$SERVER_CPUS")
  CLIENT_PIN=(taskset -c "$CLIENT_CPUS")
fi

scripts/setup.sh
TARGETS=(//tools:pimsim //mock_pim/limits:admission_benchmark //mock_pim/journal:journal_benchmark
  //mock_pim/faults:fault_injector_benchmark)
bazel build -c opt "${TARGETS[@]}" >/dev/null 2>&1 || { bazel build -c opt "${TARGETS[@]}"; exit 1; }
BIN="$(bazel info -c opt bazel-bin 2>/dev/null)"
PIMSIM="$BIN/tools/pimsim"

WORK="$(mktemp -d)"
# nginx workers run as an unprivileged user: they must be able to read the body.
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts `pimsim serve` with the given flags; sets PORT and SPID.
start_pimsim() {
  # Removed first: the server's redirection truncates it only once it runs,
  # and the loop below must not read the last server's address.
  rm -f "$WORK/serve.out"
  "${SERVER_PIN[@]}" "$PIMSIM" serve --listen=127.0.0.1:0 --threads="$SERVER_THREADS" "$@" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SPID=$!
  PIDS+=("$SPID")
  for _ in $(seq 1 200); do
    if grep -q '^http=' "$WORK/serve.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  PORT="$(sed -n 's/^http=[^ ]*:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)"
  [ -n "$PORT" ] || { cat "$WORK/serve.err"; echo "pimsim serve did not start" >&2; exit 1; }
}

stop_pimsim() {
  kill -TERM "$SPID"
  wait "$SPID" 2>/dev/null || true
}

token() {
  curl -sf -u pimsim:pimsim -H 'Content-Type: application/json' \
    -d '{"grant_type":"password","username":"admin","password":"admin"}' \
    "http://127.0.0.1:$1/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# cpu_ticks, wrk_rps, start_nginx and stop_nginx.
source bench/vs_nginx_lib.sh  # the script runs from the repository root

# Counts responses by status for a short run: prints "status:count ...".
status_mix() {
  cat >"$WORK/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("counts")) do total[s] = (total[s] or 0) + n end
  end
  local parts = {}
  for s, n in pairs(total) do table.insert(parts, s .. ":" .. n) end
  table.sort(parts)
  io.write("statuses (2 s sample) " .. table.concat(parts, " ") .. "\n")
end
LUA
  wrk -t1 -c"$CONNS" -d2s -s "$WORK/count.lua" "$@" 2>/dev/null | grep '^statuses' || true
}


echo "# pimsim HTTP benchmark, $(date -u +%FT%TZ), $(nproc) cores, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, server threads $SERVER_THREADS, $ROUNDS rounds, server cores ${SERVER_CPUS:-any}, wrk cores ${CLIENT_CPUS:-any}"

# The product body served by both.
start_pimsim --limits=off --latency=0 --seed_products=10
TOKEN="$(token "$PORT")"
curl -sf -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT/api/rest/v1/products/product_000001" >"$WORK/product.json"
BODY_BYTES=$(wc -c <"$WORK/product.json")
[ "$BODY_BYTES" -gt 0 ] || { echo "could not fetch the product" >&2; exit 1; }
stop_pimsim

PRODUCT_PATH=/api/rest/v1/products/product_000001
NGINX_PLAIN=("" "try_files \$uri =404;")
NGINX_LIMITED=("limit_req_zone \$binary_remote_addr zone=pim:1m rate=100r/s; limit_req_status 429;"
  "limit_req zone=pim; try_files \$uri =404;")
FAULTS=()
for i in $(seq 1 "$IDLE_FAULTS"); do FAULTS+=("--fault=status=503,path=/never/$i/**,name=idle-$i"); done

# One measurement of pimsim serving the product with the given flags: prints req/s.
pimsim_rps() {
  start_pimsim --seed_products=10 --latency=0 "$@"
  local token
  token="$(token "$PORT")"
  wrk_rps "$SPID" -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT$PRODUCT_PATH"
  stop_pimsim
}

# One measurement of nginx with the given http-level and location config.
nginx_rps() {
  start_nginx "$1" "$2" >&2
  wrk_rps "$NPID" "http://127.0.0.1:$NPORT$PRODUCT_PATH"
  stop_nginx
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { printf f, a / b }'; }

# The machine is shared and noisy: the servers are measured in alternation,
# ROUNDS times each, and the medians compared.
echo "## status samples (2 s each): what each server answers under this load"
start_pimsim --seed_products=10 --latency=0 --limits=off
T="$(token "$PORT")"; echo "pimsim, limits off:  $(status_mix -H "Authorization: Bearer $T" "http://127.0.0.1:$PORT$PRODUCT_PATH")"; stop_pimsim
start_pimsim --seed_products=10 --latency=0
T="$(token "$PORT")"; echo "pimsim, limits on:   $(status_mix -H "Authorization: Bearer $T" "http://127.0.0.1:$PORT$PRODUCT_PATH")"; stop_pimsim
start_nginx "${NGINX_PLAIN[@]}"; echo "nginx:               $(status_mix "http://127.0.0.1:$NPORT$PRODUCT_PATH")"; stop_nginx
start_nginx "${NGINX_LIMITED[@]}"; echo "nginx limit_req:     $(status_mix "http://127.0.0.1:$NPORT$PRODUCT_PATH")"; stop_nginx

# Each measurement is "req/s cpu-us-per-request".
P1=(); N1=(); P1B=(); P2=(); N2=(); B1=(); B2=()
for round in $(seq 1 "$ROUNDS"); do
  P1+=("$(pimsim_rps --limits=off)")
  N1+=("$(nginx_rps "${NGINX_PLAIN[@]}")")
  P1B+=("$(pimsim_rps --limits=off "${FAULTS[@]}")")
  P2+=("$(pimsim_rps)")
  N2+=("$(nginx_rps "${NGINX_LIMITED[@]}")")
  echo "round $round (req/s, server CPU us/request): pimsim ${P1[-1]} | nginx ${N1[-1]} |" \
    "pimsim+$IDLE_FAULTS idle faults ${P1B[-1]} | pimsim limits on ${P2[-1]} | nginx limit_req ${N2[-1]}"
  if [ -n "$BASELINE" ]; then
    B1+=("$(PIMSIM="$BASELINE" pimsim_rps --limits=off)")
    B2+=("$(PIMSIM="$BASELINE" pimsim_rps)")
    echo "round $round baseline: limits off ${B1[-1]} | limits on ${B2[-1]}"
  fi
done
rps() { for m in "$@"; do echo "${m%% *}"; done; }
cpu() { for m in "$@"; do echo "${m##* }"; done; }
# Two ways of comparing, both printed: the ratio of the two medians, and the
# median of the per-round ratios (each pimsim run against the reference run
# measured right after it, so slow drift in the machine's load cancels out).
summary() {  # label, goal, pimsim measurements name, reference measurements name
  local -n pm="$3" rm="$4"
  local prps pcpu rrps rcpu i paired=() paired_cpu=()
  prps=$(median $(rps "${pm[@]}")); pcpu=$(median $(cpu "${pm[@]}"))
  rrps=$(median $(rps "${rm[@]}")); rcpu=$(median $(cpu "${rm[@]}"))
  for i in "${!pm[@]}"; do
    paired+=("$(ratio "${pm[$i]%% *}" "${rm[$i]%% *}" %.3f)")
    paired_cpu+=("$(ratio "${rm[$i]##* }" "${pm[$i]##* }" %.3f)")
  done
  echo "median $prps req/s vs $rrps req/s: ratio $(ratio "$prps" "$rrps" %.2f);" \
    "server CPU $pcpu vs $rcpu us/request: capacity ratio $(ratio "$rcpu" "$pcpu" %.2f) ($2)"
  echo "per-round ratios (req/s): ${paired[*]}: median $(median "${paired[@]}");" \
    "by server CPU: ${paired_cpu[*]}: median $(median "${paired_cpu[@]}")"
}
echo "## 1. keep-alive GET one product ($BODY_BYTES bytes), limits off, zero latency: pimsim vs nginx"
summary 1 "goal >= 0.80" P1 N1
echo "## 1b. the same with $IDLE_FAULTS fault rules configured that never fire, vs without"
summary 1b "goal >= 0.95" P1B P1
echo "## 2. the same load with the default limits on (one connection: nearly all 429) vs nginx limit_req"
summary 2 "goal >= 1.00" P2 N2

if [ -n "$BASELINE" ]; then
  echo "## 5. this build vs the baseline $BASELINE, same rounds"
  echo "limits off (run 1):"
  summary 5a "goal >= 0.95" P1 B1
  echo "limits on, the 429 path (run 2):"
  summary 5b "goal >= 0.95" P2 B2
  echo "against nginx, baseline: limits off $(ratio "$(median $(rps "${B1[@]}"))" "$(median $(rps "${N1[@]}"))" %.2f)," \
    "limits on $(ratio "$(median $(rps "${B2[@]}"))" "$(median $(rps "${N2[@]}"))" %.2f)"
fi

echo "## 3. one admission decision (Google Benchmark)"
"$BIN/mock_pim/limits/admission_benchmark" --benchmark_min_time=0.5 2>/dev/null | grep -E '^BM_'
"$BIN/mock_pim/faults/fault_injector_benchmark" --benchmark_min_time=0.5 \
  --benchmark_filter='BM_Select(NoRules|100NonMatchingRules)$' 2>/dev/null | grep -E '^BM_'

echo "## 4. memory"
start_pimsim
sleep 1
RSS_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$SPID/status")
echo "idle RSS of \`pimsim serve\` (defaults: control plane on, no seeded products): $((RSS_KB / 1024)) MB ($RSS_KB kB) (goal < 30 MB)"
stop_pimsim
start_pimsim --limits=off --latency=0
TOKEN="$(token "$PORT")"
BEFORE=$(awk '/^VmRSS/ {print $2}' "/proc/$SPID/status")
wrk -t1 -c8 -d5s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/rest/v1/locales" >"$WORK/wrk.out" 2>&1
AFTER=$(awk '/^VmRSS/ {print $2}' "/proc/$SPID/status")
EVENTS=$(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^pimsim_journal_events / {print $2}')
stop_pimsim
echo "journal: RSS grew $((AFTER - BEFORE)) kB over ${EVENTS} events: $(awk -v a="$((AFTER - BEFORE))" -v e="$EVENTS" 'BEGIN { printf "%.0f", a * 1024 / e }') bytes/event (process RSS, includes allocator slack)"
"$BIN/mock_pim/journal/journal_benchmark" --benchmark_min_time=0.2 2>/dev/null | grep -E '^BM_' || true
