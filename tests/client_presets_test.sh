#!/usr/bin/env bash
# The reference client's presets as misbehaving integrations, judged by the
# checker end to end: for each preset, `pimsim import` runs through `pimsim
# run` with the faults that expose it, and the rule it breaks must be
# violated; the compliant client, under the very same faults, must pass
# that rule and the whole run (verdict PASS, exit 0).
#
#   preset                 faults                          rule
#   no-backoff             503 on 30% of requests          backoff.immediate
#   no-jitter              503 on 10% of requests          backoff.no_jitter
#   ignore-retry-after     429 + Retry-After: 2 on 15%     retry_after.ignored
#   unlimited-concurrency  200 ms more latency             concurrency.connection
#   blind-post-retry       creates: responses lost 15%     retry.non_idempotent
#   retry-4xx              lines the PIM rejects (422)     retry.non_retryable
set -euo pipefail

PIMSIM="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
cat >"$TMP/one.textproto" <<'TXT'
name: "presets"
seed: 3
instances { name: "default" connections { client_id: "c1" secret: "s1" username: "u1" password: "p1" } }
TXT
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
with open(d + "/good.ndjson", "w") as f:
    for i in range(120):
        f.write(json.dumps({"identifier": "sku-%04d" % i, "values": {}}) + "\n")
with open(d + "/some_bad.ndjson", "w") as f:
    for i in range(40):
        p = {"identifier": "sku-%04d" % i, "values": {}}
        if i % 5 == 0:
            p["family"] = "no_such_family"  # the PIM answers 422
        f.write(json.dumps(p) + "\n")
PY

# outcome JSON RULE: the rule's outcome in the report
outcome() {
  python3 - "$1" "$2" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(next(r["outcome"] for r in report["rules"] if r["rule"] == sys.argv[2]))
PY
}
# judge NAME RULE FILE FAULTS... -- IMPORT-FLAGS...: one preset and the compliant client
judge() {
  local preset="$1" rule="$2" file="$3"; shift 3
  local faults=()
  while [ "$1" != "--" ]; do faults+=("--fault=$1"); shift; done
  shift
  for p in "$preset" compliant; do
    set +e
    "$PIMSIM" run --progress=off --json="$TMP/$preset-$p.json" "${faults[@]}" "$TMP/one.textproto" \
      -- "$PIMSIM" import "$TMP/$file" --preset="$p" --timeout=5s --seed=9 "$@" \
      >"$TMP/$preset-$p.txt" 2>"$TMP/$preset-$p.err"
    local code=$?
    set -e
    local got
    got=$(outcome "$TMP/$preset-$p.json" "$rule")
    if [ "$p" = compliant ]; then
      local want_code=0
      [ "$file" = some_bad.ndjson ] && want_code=3  # the import exits 1, the run 3
      [ "$got" = passed ] || fail "compliant under $preset's faults: $rule $got: $(tail -40 "$TMP/$preset-$p.txt")"
      [ "$code" = "$want_code" ] || fail "compliant under $preset's faults: exit $code: $(tail -40 "$TMP/$preset-$p.txt" "$TMP/$preset-$p.err")"
    else
      [ "$got" = violated ] || fail "$preset: $rule $got: $(tail -40 "$TMP/$preset-$p.txt")"
    fi
    echo "$p under $preset's faults: $rule $got (exit $code)"
  done
}

judge no-backoff backoff.immediate good.ndjson "status=503,p=0.3,route=write_item" -- --batch_size=1
judge no-jitter backoff.no_jitter good.ndjson "status=503,p=0.1,route=write_item" -- --batch_size=1
judge ignore-retry-after retry_after.ignored good.ndjson \
  "status=429,retry_after=2s,p=0.15,route=write_item" -- --batch_size=1
judge unlimited-concurrency concurrency.connection good.ndjson "latency=200ms" -- --batch_size=1
judge blind-post-retry retry.non_idempotent good.ndjson \
  "disconnect=after,p=0.15,method=POST,path=/api/rest/v1/products" \
  "disconnect=before,p=0.1,method=POST,path=/api/rest/v1/products" -- --create
judge retry-4xx retry.non_retryable some_bad.ndjson -- --batch_size=1 --max_attempts=3
echo PASS
