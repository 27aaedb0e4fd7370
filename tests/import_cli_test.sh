#!/usr/bin/env bash
# `pimsim import` end to end against the mock, through `pimsim run`:
# 2,000 products imported with every fault of scenarios/import_chaos on, over
# three connections, every product present exactly once afterwards (--verify
# lists them through the API) and a PASS verdict; single upserts too; the
# naive preset, playing a misbehaving integration, is caught (the
# concurrency and rate rules violated); rejected lines go to
# --rejected with the PIM's answer and exit 1; bad usage is exit 2; a PIM
# that is not there is exit 3. The 20,000-product, 20-run version is
# scripts/import_runs.sh.
set -euo pipefail

PIMSIM="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
verdict() { sed -n 's/.*"verdict": *"\([A-Z_]*\)".*/\1/p' "$1" | head -1; }
run() {  # run NAME SCENARIO -- IMPORT-ARGS... : exit code in CODE
  local name="$1" scenario="$2"; shift 2
  set +e
  "$PIMSIM" run --progress=off --json="$TMP/$name.json" "$scenario" -- "$PIMSIM" import "$@" \
    >"$TMP/$name.txt" 2>"$TMP/$name.err"
  CODE=$?
  set -e
}
python3 - "$TMP/products.ndjson" 2000 <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"identifier": "sku-%06d" % i, "enabled": True, "values": {}}) + "\n")
PY

# --- every fault on: all applied, each once, PASS -------------------------
run chaos scenarios/import_chaos.textproto "$TMP/products.ndjson" --connections=3 --verify \
  --timeout=5s --seed=3
[ "$CODE" = 0 ] || fail "chaos import exited $CODE: $(tail -30 "$TMP/chaos.err" "$TMP/chaos.txt")"
[ "$(verdict "$TMP/chaos.json")" = PASS ] || fail "chaos verdict $(verdict "$TMP/chaos.json")"
grep -q 'pimsim import: 2,000 lines: 2,000 applied, 0 rejected, 0 not applied' "$TMP/chaos.err" ||
  fail "chaos summary: $(grep 'pimsim import' "$TMP/chaos.err")"
grep -q 'verify: .* 2,000 of 2,000 applied lines present, 0 missing, 0 listed more than once: ok' \
  "$TMP/chaos.err" || fail "chaos verify: $(grep verify "$TMP/chaos.err")"
grep -Eq '[1-9][0-9]* retries' "$TMP/chaos.err" || fail "the faults never fired: $(cat "$TMP/chaos.err")"

# --- single upserts ---------------------------------------------------------
head -300 "$TMP/products.ndjson" >"$TMP/small.ndjson"
run single scenarios/import_chaos.textproto "$TMP/small.ndjson" --batch_size=1 --verify \
  --timeout=5s --seed=4
[ "$CODE" = 0 ] || fail "single upserts exited $CODE: $(tail -30 "$TMP/single.err")"
[ "$(verdict "$TMP/single.json")" = PASS ] || fail "single verdict $(verdict "$TMP/single.json")"

# --- the naive preset is caught ----------------------------------------------
cat >"$TMP/plain.textproto" <<'TXT'
name: "plain"
instances { name: "default" connections { client_id: "c1" secret: "s1" username: "u1" password: "p1" } }
TXT
run naive "$TMP/plain.textproto" "$TMP/small.ndjson" --batch_size=1 --preset=naive
# Throttled into giving up, it also fails to finish: FAIL or ERROR (exit 3).
case "$(verdict "$TMP/naive.json")" in FAIL|ERROR) ;; *) fail "naive verdict $(verdict "$TMP/naive.json")";; esac
for rule in concurrency.connection rate.instance; do
  python3 - "$TMP/naive.json" "$rule" <<'PY' || fail "naive: $rule not violated"
import json, sys
report = json.load(open(sys.argv[1]))
rule = next(r for r in report["rules"] if r["rule"] == sys.argv[2])
sys.exit(0 if rule["outcome"] == "violated" else 1)
PY
done

# --- rejected lines: exit 1, written with the PIM's answer -----------------
{ head -5 "$TMP/products.ndjson"; echo '{"identifier": "bad-1", "family": "no_such_family"}';
  echo 'not json'; echo '{"code": "no identifier"}'; } >"$TMP/mixed.ndjson"
# (`pimsim run` counts any failing command as a failed run, so the import's
# own exit code is printed by a shell around it.)
set +e
"$PIMSIM" run --progress=off "$TMP/plain.textproto" -- sh -c \
  '"$0" import "$1" --rejected="$2"; echo "import exit $?"' \
  "$PIMSIM" "$TMP/mixed.ndjson" "$TMP/rejected.ndjson" >"$TMP/mixed.txt" 2>"$TMP/mixed.err"
set -e
grep -q 'import exit 1' "$TMP/mixed.err" || fail "rejected lines: $(cat "$TMP/mixed.err")"
grep -q '5 applied, 3 rejected' "$TMP/mixed.err" || fail "mixed summary: $(cat "$TMP/mixed.err")"
[ "$(wc -l <"$TMP/rejected.ndjson")" = 3 ] || fail "rejected file: $(cat "$TMP/rejected.ndjson")"
grep -q '"line":6,.*"identifier":"bad-1".*"status_code":422' "$TMP/rejected.ndjson" ||
  fail "the PIM's rejection: $(cat "$TMP/rejected.ndjson")"
grep -q '"line":7,"message":"not valid JSON"' "$TMP/rejected.ndjson" ||
  fail "invalid line: $(cat "$TMP/rejected.ndjson")"

# --- usage errors are 2, an absent PIM is 3 -----------------------------------
set +e
"$PIMSIM" import >/dev/null 2>&1; [ $? = 2 ] || fail "no file: not exit 2"
"$PIMSIM" import "$TMP/small.ndjson" --batch_size=101 >/dev/null 2>&1
[ $? = 2 ] || fail "--batch_size=101: not exit 2"
env -u PIM_BASE_URL "$PIMSIM" import "$TMP/small.ndjson" >/dev/null 2>"$TMP/noenv.err"
[ $? = 2 ] || fail "no PIM_BASE_URL: not exit 2"
"$PIMSIM" import "$TMP/small.ndjson" --preset=careful --base_url=http://127.0.0.1:1 \
  --client_id=a --secret=b --username=c --password=d >/dev/null 2>"$TMP/preset.err"
[ $? = 2 ] || fail "unknown preset: not exit 2"
grep -q 'unknown preset "careful"' "$TMP/preset.err" || fail "preset message: $(cat "$TMP/preset.err")"
"$PIMSIM" import "$TMP/small.ndjson" --base_url=http://127.0.0.1:1 --client_id=a --secret=b \
  --username=c --password=d --timeout=2s --max_attempts=2 >"$TMP/absent.txt" 2>&1
[ $? = 3 ] || fail "absent PIM: not exit 3: $(cat "$TMP/absent.txt")"
grep -q 'first line not applied: .*connection failed' "$TMP/absent.txt" ||
  fail "absent PIM: no reason given: $(cat "$TMP/absent.txt")"
set -e
echo PASS
