#!/usr/bin/env bash
# Soak: `pimsim serve` (-c opt) at the default limits with a fault set (5xx,
# 429 with Retry-After, resets and lost responses), driven for MINUTES by the
# compliant client (scripts/compliant_client.py: 4 in flight, 80 attempts/s,
# full-jitter retries honouring Retry-After), with the server's RSS and open
# descriptors sampled every 5 s. It prints, and writes to $OUT/result.json:
#   - RSS growth from the end of the warm-up (the first fifth, at most 2 min)
#     to the end, as measured and net of the journal's own growth (the journal
#     keeps every event by design: pimsim_journal_bytes); goal < 5 % net;
#   - open descriptors over the same span (goal: stable);
#   - the client's attempts against the journal (goal: every attempt the
#     client sent, and its token request, is an event of its connection);
#   - the checker's final verdict on the client (goal: no violation of error
#     severity).
#
#   scripts/soak.sh [MINUTES]      (default 10; OUT=dir keeps the files)
#
# Everything listens on 127.0.0.1. PIMSIM=path skips the build.
set -euo pipefail

MINUTES="${1:-10}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$(mktemp -d /tmp/pimsim-soak.XXXXXX)}"
mkdir -p "$OUT"
SAMPLE_S=5
source "$ROOT/scripts/soak_faults.sh"

if [ -z "${PIMSIM:-}" ]; then
  (cd "$ROOT" && bazel build -c opt //tools:pimsim >/dev/null 2>&1) || {
    echo "soak: bazel build -c opt //tools:pimsim failed" >&2; exit 3; }
  PIMSIM="$ROOT/bazel-bin/tools/pimsim"
fi

"$PIMSIM" serve --listen=127.0.0.1:0 --seed_products=400 --journal="$OUT/journal.jsonl" \
  "${FAULT_FLAGS[@]}" >"$OUT/serve.out" 2>"$OUT/serve.err" &
SERVE=$!
cleanup() { kill "$SERVE" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 200); do [ -s "$OUT/serve.out" ] && break; sleep 0.05; done
LINE="$(head -1 "$OUT/serve.out")"
[[ "$LINE" =~ ^http=([0-9.:]+)\ control=([0-9.:]+)$ ]] || { echo "soak: serve said '$LINE'" >&2; exit 3; }
HTTP="${BASH_REMATCH[1]}"
CONTROL="${BASH_REMATCH[2]}"
echo "soak: pimsim serve pid $SERVE at $HTTP (control $CONTROL), ${MINUTES} min, files in $OUT"

SECONDS_TOTAL=$(python3 -c "print(int(float('$MINUTES') * 60))")
python3 "$ROOT/scripts/compliant_client.py" --base="http://$HTTP" --seconds="$SECONDS_TOTAL" \
  --summary="$OUT/client.json" >/dev/null 2>"$OUT/client.err" &
CLIENT=$!

# t_s, rss_kb, fds, journal_bytes, journal_events
echo "t_s,rss_kb,fds,journal_bytes,journal_events" >"$OUT/samples.csv"
START=$(date +%s)
while kill -0 "$CLIENT" 2>/dev/null; do
  RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVE/status")
  FDS=$(ls "/proc/$SERVE/fd" | wc -l)
  METRICS="$(curl -s --max-time 2 "http://$HTTP/metrics" || true)"
  JB=$(sed -n 's/^pimsim_journal_bytes //p' <<<"$METRICS")
  JE=$(sed -n 's/^pimsim_journal_events //p' <<<"$METRICS")
  echo "$(( $(date +%s) - START )),$RSS,$FDS,${JB:-0},${JE:-0}" >>"$OUT/samples.csv"
  sleep "$SAMPLE_S"
done
wait "$CLIENT" || { echo "soak: the client failed: $(cat "$OUT/client.err")" >&2; exit 3; }

set +e
"$PIMSIM" report --control="$CONTROL" --final --json="$OUT/report.json" >"$OUT/report.txt" 2>&1
set -e
kill -TERM "$SERVE"
wait "$SERVE" || { echo "soak: serve exited $? after SIGTERM" >&2; exit 3; }
trap - EXIT

python3 - "$OUT" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = [{k: int(v) for k, v in r.items()} for r in csv.DictReader(open(out + "/samples.csv"))]
client = json.load(open(out + "/client.json"))
end = rows[-1]["t_s"]
warm = [r for r in rows if r["t_s"] >= min(120, end / 5)]
first, last = warm[0], warm[-1]
rss_growth = (last["rss_kb"] - first["rss_kb"]) / first["rss_kb"]
journal_growth_kb = (last["journal_bytes"] - first["journal_bytes"]) / 1024
net_growth = (last["rss_kb"] - first["rss_kb"] - journal_growth_kb) / first["rss_kb"]
fds = [r["fds"] for r in warm]
events, by_conn = 0, {}
for line in open(out + "/journal.jsonl"):
    e = json.loads(line)
    if "summary" in e:
        continue
    events += 1
    by_conn[e.get("connection", "")] = by_conn.get(e.get("connection", ""), 0) + 1
report = json.load(open(out + "/report.json"))
errors = [v for v in report.get("violations", []) if v.get("severity") == "error"]
expected = client["sent"] + client["token_requests"]
result = {
    "minutes": round(end / 60, 1),
    "client": client,
    "rss_kb": {"after_warmup": first["rss_kb"], "end": last["rss_kb"],
               "growth_pct": round(100 * rss_growth, 2),
               "journal_growth_kb": round(journal_growth_kb),
               "growth_net_of_journal_pct": round(100 * net_growth, 2),
               "warmup_s": first["t_s"]},
    "fds": {"min": min(fds), "max": max(fds), "first": fds[0], "last": fds[-1]},
    "journal": {"events": events, "by_connection": by_conn,
                "client_events": by_conn.get("pimsim", 0), "client_sent_plus_token": expected,
                "all_accounted": by_conn.get("pimsim", 0) == expected},
    "verdict": report.get("verdict"),
    "error_violations": len(errors),
    "violations_by_rule": {},
}
for v in report.get("violations", []):
    key = "%s (%s)" % (v["rule"], v.get("severity", ""))
    result["violations_by_rule"][key] = result["violations_by_rule"].get(key, 0) + 1
json.dump(result, open(out + "/result.json", "w"), indent=1, sort_keys=True)
print(json.dumps(result, indent=1, sort_keys=True))
ok = net_growth < 0.05 and max(fds) - min(fds) <= 8 and result["journal"]["all_accounted"] and not errors
print("soak: %s" % ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
