#!/usr/bin/env bash
# Catalogue-import throughput of the reference client against got (issue 10).
# One NDJSON file of N products is upserted one product per request
# (PATCH /api/rest/v1/products/{identifier}) four ways, each as the command of
# `pimsim run bench/client_throughput.textproto` (a fresh mock each time: the
# documented Akeneo limits, 3 connections, a fixed 50 ms service time, no
# faults):
#   import-1  pimsim import FILE --batch_size=1 --connections=1
#   import-3  pimsim import FILE --batch_size=1 --connections=3
#   got-1     node bench/client_throughput/got_import.mjs FILE --connections=1
#   got-3     node bench/client_throughput/got_import.mjs FILE --connections=3
# Printed for each: the run's exit code and verdict, the products applied
# (201 and 204 answers), requests and the run's span (first arrival to last
# response, from the JSON report), requests/s and 2xx/s over the span, the
# error and warning rules violated, and the CPU time
# (user + system) of the client process alone (GNU time around the command;
# the mock's CPU is not in it) per request. Then the goals: import-1 >= 95% of
# 80 req/s (4 in flight x 50 ms), import-3 >= 95% of 100 req/s (the instance
# rate limit), no error or warning violation, throughput >= got's, CPU per
# request <= 0.25x got's (each import row against the got row with as many
# connections). Throughput goals are judged on 2xx/s, so that 429s sent fast
# do not count as work done. The import rows read "not available" when
# `pimsim import --help` fails (a pimsim without the import command).
#
# Usage: bench/client_throughput.sh [products, default 2000]
#   PIMSIM=path   use this pimsim binary instead of building
#                 `bazel build -c opt //tools:pimsim`
#   KEEP=dir      keep the reports, client outputs and the product file there
# Needs Node.js >= 20 with bench/client_throughput/node_modules (scripts/setup.sh
# runs npm ci there) and GNU time (/usr/bin/time). Loopback only; about 25 s
# per way at 2000 products.
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS="${1:-2000}"
case "$PRODUCTS" in '' | *[!0-9]*) echo "usage: $0 [products]" >&2; exit 2 ;; esac
SCENARIO="$PWD/bench/client_throughput.textproto"
GOT_DIR="$PWD/bench/client_throughput"

if [ -z "${PIMSIM:-}" ]; then
  nice bazel build -c opt //tools:pimsim >/dev/null 2>&1 || { nice bazel build -c opt //tools:pimsim; exit 1; }
  PIMSIM="$PWD/bazel-out/k8-opt/bin/tools/pimsim"
fi
[ -x /usr/bin/time ] || { echo "$0: needs GNU time (/usr/bin/time; apt-get install time)" >&2; exit 1; }
[ -d "$GOT_DIR/node_modules/got" ] && [ -d "$GOT_DIR/node_modules/p-limit" ] ||
  { echo "$0: bench/client_throughput/node_modules is missing: run scripts/setup.sh" >&2; exit 1; }

if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"; WORK="$(cd "$KEEP" && pwd)"
else
  WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
fi
FILE="$WORK/products.ndjson"

# Products of the families the scenario seeds, each with a localized name.
/usr/bin/python3 - "$PRODUCTS" >"$FILE" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({
        "identifier": "bench-%06d" % i,
        "enabled": True,
        "family": "family_%d" % (i % 5 + 1),
        "categories": ["master"],
        "values": {"name": [{"locale": "en_US", "scope": None, "data": "Bench product %d" % i}]},
    }, separators=(",", ":")))
PY

# run NAME COMMAND...: the command under pimsim run, its CPU time measured.
run() {
  local name="$1"; shift
  local rc=0
  "$PIMSIM" run "$SCENARIO" --progress=off --json="$WORK/$name.json" --output="$WORK/$name.out" -- \
    /usr/bin/time -f '%U %S' -o "$WORK/$name.cpu" "$@" >"$WORK/$name.report" 2>"$WORK/$name.err" || rc=$?
  echo "$rc" >"$WORK/$name.rc"
  echo "$name: pimsim run exit $rc" >&2
}

if "$PIMSIM" import --help >/dev/null 2>&1; then
  run import-1 "$PIMSIM" import "$FILE" --batch_size=1 --connections=1
  run import-3 "$PIMSIM" import "$FILE" --batch_size=1 --connections=3
else
  echo "pimsim import is not available in $PIMSIM: its rows are skipped" >&2
fi
run got-1 node "$GOT_DIR/got_import.mjs" "$FILE" --connections=1
run got-3 node "$GOT_DIR/got_import.mjs" "$FILE" --connections=3

/usr/bin/python3 - "$WORK" "$PRODUCTS" <<'PY'
import json, os, sys

work, products = sys.argv[1], int(sys.argv[2])
ways = [("import-1", 1), ("import-3", 3), ("got-1", 1), ("got-3", 3)]
rows = {}
for name, conns in ways:
    if not os.path.exists(os.path.join(work, name + ".rc")):
        rows[name] = None
        continue
    rc = int(open(os.path.join(work, name + ".rc")).read())
    row = {"rc": rc, "conns": conns}
    try:
        report = json.load(open(os.path.join(work, name + ".json")))
    except (OSError, ValueError) as e:
        row["error"] = "no JSON report (%s)" % e
        rows[name] = row
        continue
    m = report["metrics"]
    span = float(m["duration"].rstrip("s"))
    requests = int(m["requests"])
    by_status = {int(k): int(v) for k, v in m["requests_by_status"].items()}
    ok = sum(n for status, n in by_status.items() if 200 <= status < 300)
    # 201 created, 204 updated: the upserts that were applied.
    applied = by_status.get(201, 0) + by_status.get(204, 0)
    violated = []
    for rule in report["rules"]:
        if rule["outcome"] != "violated":
            continue
        severity = rule.get("violated_severity") or "unspecified"
        if severity == "unspecified":
            severity = rule["severity"]
        if severity in ("error", "warning"):
            violated.append("%s(%s)" % (rule["rule"], severity[0]))
    # GNU time writes "Command exited with non-zero status N" first when it did.
    cpu = None
    try:
        cpu = sum(float(x) for x in open(os.path.join(work, name + ".cpu")).read().split("\n")[-2].split())
    except (OSError, ValueError, IndexError):
        pass
    row.update(verdict=report["verdict"], requests=requests, span=span, ok=ok, applied=applied,
               rps=requests / span if span else 0.0, okps=ok / span if span else 0.0,
               violated=violated, cpu=cpu,
               cpu_ms=cpu * 1000.0 / requests if cpu is not None and requests else None)
    rows[name] = row

print("%d products, one PATCH each; bench/client_throughput.textproto (50 ms fixed, default limits)" % products)
print("%-9s %5s %4s %-7s %8s %8s %7s %8s %8s %7s %9s  %s" % (
    "client", "conns", "exit", "verdict", "applied", "requests", "span s", "req/s", "2xx/s", "cpu s",
    "cpu ms/req", "error/warning rules violated"))
for name, conns in ways:
    row = rows[name]
    if row is None:
        print("%-9s %5d  not available (pimsim import --help failed)" % (name, conns))
        continue
    if "error" in row:
        print("%-9s %5d %4d  %s" % (name, conns, row["rc"], row["error"]))
        continue
    print("%-9s %5d %4d %-7s %8d %8d %7.2f %8.1f %8.1f %7s %10s  %s" % (
        name, conns, row["rc"], row["verdict"], row["applied"], row["requests"], row["span"], row["rps"], row["okps"],
        "-" if row["cpu"] is None else "%.2f" % row["cpu"],
        "-" if row["cpu_ms"] is None else "%.3f" % row["cpu_ms"],
        " ".join(row["violated"]) or "none"))

def ready(name):
    return rows.get(name) is not None and "error" not in rows[name]

print()
print("goals (import rows; throughput judged on 2xx/s):")
for name, target in (("import-1", 80.0), ("import-3", 100.0)):
    if not ready(name):
        print("  %-9s >= 95%% of %.0f req/s: not available" % (name, target))
        continue
    r = rows[name]["okps"] / target
    print("  %-9s >= 95%% of %.0f req/s: %.1f%% %s" % (name, target, 100 * r, "met" if r >= 0.95 else "NOT met"))
for name in ("import-1", "import-3"):
    if not ready(name):
        print("  %-9s zero error/warning violations: not available" % name)
        continue
    v = rows[name]["violated"]
    print("  %-9s zero error/warning violations: %s" % (name, "met" if not v else "NOT met (%s)" % " ".join(v)))
for mine, theirs in (("import-1", "got-1"), ("import-3", "got-3")):
    if not (ready(mine) and ready(theirs)):
        print("  %-9s throughput >= %s, cpu/req <= 0.25x: not available" % (mine, theirs))
        continue
    a, b = rows[mine], rows[theirs]
    t = a["okps"] / b["okps"] if b["okps"] else float("inf")
    note = ""
    if b["applied"] < products:
        note = " (%s applied only %d of %d products: its 2xx/s is that of a run that did not finish)" % (
            theirs, b["applied"], products)
    print("  %-9s throughput / %s's: %.2fx %s%s" % (mine, theirs, t, "met" if t >= 1.0 else "NOT met", note))
    if a["cpu_ms"] is None or b["cpu_ms"] is None:
        print("  %-9s cpu per request / %s's: not measured" % (mine, theirs))
    else:
        c = a["cpu_ms"] / b["cpu_ms"]
        print("  %-9s cpu per request / %s's: %.2fx %s" % (mine, theirs, c, "met" if c <= 0.25 else "NOT met"))
PY
