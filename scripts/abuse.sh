#!/usr/bin/env bash
# Abuse: the compliant client of scripts/soak.sh (client pimsim) against
# `pimsim serve` (-c opt, default limits, the soak's fault set), first alone
# (the baseline) and then while scripts/abusers.py runs alongside: 5,000 idle
# connections, slow heads and bodies, a connection flood that fills the
# connection table, clients that never read their responses (pimsim-3) and
# hostile JSON bodies (pimsim-2). Each run gets a fresh server. It prints,
# and writes to $OUT/result.json:
#   - the compliant client's p99 latency with abusers against the baseline
#     (goal: within 2x), and whether every operation of it succeeded;
#   - the server's connection counters (/metrics: evicted, refused, 408s,
#     unread responses abandoned) and whether it kept serving;
#   - which PIM connections the checker's final report blames (goal: errors
#     only for pimsim-2 and pimsim-3, none for pimsim);
#   - the client's attempts against the journal of its connection.
#
#   scripts/abuse.sh [SECONDS]      (default 60 per run; OUT=dir keeps the files)
#
# Everything listens on 127.0.0.1. PIMSIM=path skips the build.
set -euo pipefail

SECS="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$(mktemp -d /tmp/pimsim-abuse.XXXXXX)}"
mkdir -p "$OUT"
# 5,000 idle sockets, the flood and the rest need more than the usual 1,024.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 16384 ] || { echo "abuse: ulimit -n is $(ulimit -n), need 16384" >&2; exit 3; }
source "$ROOT/scripts/soak_faults.sh"

if [ -z "${PIMSIM:-}" ]; then
  (cd "$ROOT" && bazel build -c opt //tools:pimsim >/dev/null 2>&1) || {
    echo "abuse: bazel build -c opt //tools:pimsim failed" >&2; exit 3; }
  PIMSIM="$ROOT/bazel-bin/tools/pimsim"
fi

SERVE=""
cleanup() { [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null || true; [ -n "${ABUSERS:-}" ] && kill "$ABUSERS" 2>/dev/null || true; }
trap cleanup EXIT

# run NAME WITH_ABUSERS: one server, one client run, the report, the journal.
run() {
  local name="$1" abusers="$2" dir="$OUT/$1"
  mkdir -p "$dir"
  "$PIMSIM" serve --listen=127.0.0.1:0 --seed_products=400 --connections=3 \
    --journal="$dir/journal.jsonl" "${FAULT_FLAGS[@]}" >"$dir/serve.out" 2>"$dir/serve.err" &
  SERVE=$!
  for _ in $(seq 1 200); do [ -s "$dir/serve.out" ] && break; sleep 0.05; done
  local line; line="$(head -1 "$dir/serve.out")"
  [[ "$line" =~ ^http=([0-9.:]+)\ control=([0-9.:]+)$ ]] || { echo "abuse: serve said '$line'" >&2; exit 3; }
  local http="${BASH_REMATCH[1]}" control="${BASH_REMATCH[2]}"
  ABUSERS=""
  if [ "$abusers" = 1 ]; then
    python3 "$ROOT/scripts/abusers.py" --base="http://$http" --seconds="$((SECS + 10))" \
      --ready="$dir/abusers.ready" --summary="$dir/abusers.json" >/dev/null 2>"$dir/abusers.err" &
    ABUSERS=$!
    for _ in $(seq 1 600); do [ -s "$dir/abusers.ready" ] && break; sleep 0.1; done
    [ -s "$dir/abusers.ready" ] || { echo "abuse: abusers not ready: $(cat "$dir/abusers.err")" >&2; exit 3; }
    sleep 5  # The flood and the slow ones under way.
  fi
  echo "abuse: $name run at $http for ${SECS}s"
  python3 "$ROOT/scripts/compliant_client.py" --base="http://$http" --seconds="$SECS" \
    --summary="$dir/client.json" >/dev/null 2>"$dir/client.err" ||
    { echo "abuse: client failed: $(cat "$dir/client.err")" >&2; exit 3; }
  curl -s --max-time 5 "http://$http/metrics" >"$dir/metrics.txt" || true
  if [ -n "$ABUSERS" ]; then wait "$ABUSERS" || true; ABUSERS=""; fi
  set +e
  "$PIMSIM" report --control="$control" --final --json="$dir/report.json" >"$dir/report.txt" 2>&1
  set -e
  kill -TERM "$SERVE"
  wait "$SERVE" || { echo "abuse: serve exited $? after SIGTERM" >&2; exit 3; }
  SERVE=""
}

run baseline 0
run abuse 1

python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]

def load(name):
    d = out + "/" + name
    client = json.load(open(d + "/client.json"))
    report = json.load(open(d + "/report.json"))
    metrics = {}
    for line in open(d + "/metrics.txt"):
        m = re.match(r"^(pimsim_http_\w+) (\d+)$", line)
        if m:
            metrics[m.group(1)] = int(m.group(2))
    events = 0
    for line in open(d + "/journal.jsonl"):
        e = json.loads(line)
        events += e.get("connection") == "pimsim"
    blamed = {}
    for v in report.get("violations", []):
        key = "%s %s %s" % (v.get("connection") or "-", v["rule"],
                            v.get("severity", ""))
        blamed[key] = blamed.get(key, 0) + 1
    errors_on_client = sum(1 for v in report.get("violations", [])
                           if v.get("connection") == "pimsim" and v.get("severity") == "error")
    return {"client": client, "metrics": metrics, "verdict": report.get("verdict"),
            "violations": blamed, "client_error_violations": errors_on_client,
            "journal_client_events": events,
            "client_sent_plus_token": client["sent"] + client["token_requests"]}

base, abuse = load("baseline"), load("abuse")
try:
    abuse["abusers"] = json.load(open(out + "/abuse/abusers.json"))
except (OSError, ValueError):
    abuse["abusers"] = None
ratio = abuse["client"]["latency_ms"]["p99"] / base["client"]["latency_ms"]["p99"]
result = {"baseline": base, "abuse": abuse, "p99_ratio": round(ratio, 2)}
json.dump(result, open(out + "/result.json", "w"), indent=1, sort_keys=True)
print(json.dumps(result, indent=1, sort_keys=True))
ok = (ratio <= 2.0 and abuse["client"]["ops_failed"] == 0 and abuse["client_error_violations"] == 0
      and base["client_error_violations"] == 0)
print("abuse: p99 %.1f ms alone, %.1f ms with abusers (x%.2f); %s" % (
    base["client"]["latency_ms"]["p99"], abuse["client"]["latency_ms"]["p99"], ratio,
    "PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
