#!/usr/bin/env bash
# What `pimsim run` adds to the requests it drives. The same compliant client
# (scripts/compliant_client.py: 4 lanes on keep-alive connections, 80 attempts
# a second from one pacer, the soak's mix of item reads, list pages and
# PATCHes, the same --ops count so that every way sends the same attempts)
# is sent three ways, each on a fresh mock of the same scenario:
#   serve     `pimsim serve` (control API on loopback, as in `run`) and the
#             client started by this script
#   run       `pimsim run -- client` (the harness, progress line off as in CI)
#   progress  the same with the progress line on (a live verdict every 2 s,
#             less often when it grows costly: LiveVerdictInterval in run.h)
# The ways alternate in ROUNDS rounds (serve, run, progress, serve, ...), so
# that the machine's drift (builds, other load) falls on all three alike.
#
# The scenario's service time is zero on every route (LATENCY=zero, the
# default): the latency measured is then the request path itself (client,
# loopback, the mock's parsing, admission, store and journal), well under a
# millisecond, where a harness cost of 1 ms would stand out. LATENCY=default
# keeps the mock's default random service-time model instead (p99 ~ 60 ms,
# where such a cost drowns in the draws' noise).
#
# Printed: per way, the attempts (checked equal across ways and rounds), the
# non-2xx answers, and p50 / p99 / max of the latencies pooled over the rounds
# (client-side, monotonic clock, from just before the request is written to
# its last body byte); each round's p99 per way and its difference from
# serve's; and the median over rounds of p99(way) - p99(serve), the figure
# the goal is judged on, with a distribution-free interval of the median
# (order statistics, >= 95% from 6 rounds): "run adds X ms p99 (goal <= 1
# ms): met, shown" when the interval is under 1 ms, "met at the median, not
# shown" when only the median is, "NOT met" when the median is over.
#
# Usage: bench/run_overhead.sh [rounds, default 12] [seconds per way and
# round, default 10]. Loopback only; about ROUNDS x (3 x SECONDS + 3) s.
#   PIMSIM=path    skip the build (`bazel build -c opt //tools:pimsim`)
#   LATENCY=zero|default
#   KEEP=dir       keep every way's summary, latencies and report there
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${1:-12}"
SECS="${2:-10}"
LATENCY="${LATENCY:-zero}"
case "$ROUNDS$SECS" in '' | *[!0-9]*) echo "usage: $0 [rounds] [seconds]" >&2; exit 2 ;; esac
case "$LATENCY" in zero | default) ;; *) echo "LATENCY: zero or default" >&2; exit 2 ;; esac
RATE=80
OPS=$((RATE * SECS))
if [ -z "${PIMSIM:-}" ]; then
  bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { bazel build -c opt //tools:pimsim; exit 1; }
  PIMSIM="$(bazel info -c opt bazel-bin 2>/dev/null)/tools/pimsim"
fi
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  WORK="$KEEP"
else
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
fi
SCENARIO="$WORK/overhead.textproto"
cat >"$SCENARIO" <<'PB'
name: "run-overhead"
instances { name: "default" seed { products: 400 } }
PB
if [ "$LATENCY" = zero ]; then
  cat >>"$SCENARIO" <<'PB'
latency {
  token { fixed { } }
  get_item { fixed { } }
  list { fixed { } }
  write_item { fixed { } }
  batch { fixed { } }
  batch_per_line { }
  other { fixed { } }
}
PB
fi
CLIENT=(/usr/bin/python3 "$PWD/scripts/compliant_client.py" --ops="$OPS" --rate="$RATE" --seed=1)

for round in $(seq 1 "$ROUNDS"); do
  # serve: the mock alone, the client started here.
  out="$WORK/serve.$round"
  "$PIMSIM" serve --listen=127.0.0.1:0 --control=127.0.0.1:0 --scenario="$SCENARIO" \
    >"$out.out" 2>"$out.err" &
  spid=$!
  for _ in $(seq 1 400); do grep -q '^http=' "$out.out" 2>/dev/null && break; sleep 0.05; done
  base="http://$(sed -n 's/^http=\([^ ]*\).*/\1/p' "$out.out")"
  [ "$base" != "http://" ] || { echo "pimsim serve did not start:"; cat "$out.err"; exit 3; }
  "${CLIENT[@]}" --base="$base" --summary="$out.json" --latencies="$out.lat" >/dev/null
  kill -TERM "$spid"; wait "$spid" || true

  # run, and run with the progress line: the client as the command.
  for way in run progress; do
    flag=off; [ "$way" = progress ] && flag=on
    out="$WORK/$way.$round"
    "$PIMSIM" run "$SCENARIO" --progress="$flag" --json="$out.report.json" -- \
      sh -c 'exec "$@" --base="$PIM_BASE_URL"' client "${CLIENT[@]}" --summary="$out.json" \
      --latencies="$out.lat" >"$out.out" 2>"$out.err" ||
      { echo "pimsim run ($way, round $round) failed:"; cat "$out.out" "$out.err"; exit 3; }
  done
  echo "round $round of $ROUNDS done" >&2
done

/usr/bin/python3 - "$WORK" "$ROUNDS" "$LATENCY" "$SECS" <<'PY'
import json, math, statistics, sys
work, rounds, latency, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ways = ("serve", "run", "progress")

def pct(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(p * len(sorted_ms)))]

def median_interval(values):
    """A distribution-free interval for the median: the k-th smallest and
    k-th largest value, k the largest with P(Binomial(n, 1/2) < k) <= 2.5%
    (so at least 95% when n >= 6), and its coverage 1 - 2 P(B < k)."""
    v, n = sorted(values), len(values)
    below = lambda k: sum(math.comb(n, i) for i in range(k)) / 2 ** n
    k = 1
    while k < n // 2 and below(k + 1) <= 0.025:
        k += 1
    return v[k - 1], v[n - k], 1 - 2 * below(k)

summary, lat = {}, {}
for way in ways:
    for r in range(1, rounds + 1):
        summary[way, r] = json.load(open("%s/%s.%d.json" % (work, way, r)))
        lat[way, r] = sorted(float(x) for x in open("%s/%s.%d.lat" % (work, way, r)))
attempts = {summary[k]["sent"] for k in summary}
retries = sum(s["retries"] for s in summary.values())
print("%d rounds x 3 ways x %s s, service time %s; attempts per way and round: %s%s" % (
    rounds, secs, latency, "/".join(str(a) for a in sorted(attempts)),
    "" if len(attempts) == 1 else "  (NOT EQUAL: the comparison is unfair)"))
if retries:
    print("retries: %d (a way had failures; its latencies include them)" % retries)
print()
print("%-9s %9s %8s %9s %9s %9s   (pooled over rounds)" % (
    "way", "attempts", "non-2xx", "p50 ms", "p99 ms", "max ms"))
for way in ways:
    pooled = sorted(x for r in range(1, rounds + 1) for x in lat[way, r])
    bad = sum(n for r in range(1, rounds + 1)
              for code, n in summary[way, r]["statuses"].items() if not code.startswith("2"))
    sent = sum(summary[way, r]["sent"] for r in range(1, rounds + 1))
    print("%-9s %9d %8d %9.3f %9.3f %9.3f" % (
        way, sent, bad, pct(pooled, 0.50), pct(pooled, 0.99), pooled[-1]))
print()
print("p99 per round, ms:")
p99 = {k: pct(v, 0.99) for k, v in lat.items()}
for way in ways:
    print("  %-9s %s" % (way, " ".join("%6.3f" % p99[way, r] for r in range(1, rounds + 1))))
print()
print("p99(way) - p99(serve) per round, ms:")
for way in ways[1:]:
    diffs = [p99[way, r] - p99["serve", r] for r in range(1, rounds + 1)]
    print("  %-9s %s" % (way, " ".join("%+6.3f" % d for d in diffs)))
print()
for way, label in (("run", "run"), ("progress", "run with the progress line")):
    diffs = [p99[way, r] - p99["serve", r] for r in range(1, rounds + 1)]
    med = statistics.median(diffs)
    lo, hi, cover = median_interval(diffs)
    if hi <= 1.0:
        reading = "met, shown: the interval is under 1 ms"
    elif med <= 1.0:
        reading = "met at the median, not shown: the interval reaches past 1 ms"
    else:
        reading = "NOT met, by %.3f ms at the median" % (med - 1.0)
    print("%s adds %+.3f ms p99 (goal <= 1 ms): %s" % (label, med, reading))
    print("  median over %d rounds; %.0f%% interval of the median %+.3f .. %+.3f ms" % (
        rounds, 100 * cover, lo, hi))
PY
