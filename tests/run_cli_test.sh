#!/usr/bin/env bash
# `pimsim run` and `pimsim validate` end to end: the bundled smoke scenario
# passes with its example integration and gives the same verdict offline
# from its journal; a command that fails, crashes, cannot start or runs past
# its timeout is exit 3 with the reason, never a pass; SIGINT still writes
# the report, marked incomplete; a real client (curl) run as the command
# reaches the mock through the PIM_* variables; invalid scenarios are exit 2
# with file:line:column; the same run drives a running `pimsim serve`
# through --control.
set -euo pipefail

PIMSIM="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$PWD"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
verdict() { sed -n 's/.*"verdict": *"\([A-Z_]*\)".*/\1/p' "$1" | head -1; }
run() {  # run NAME ARGS... : exit code in CODE, outputs in $TMP/NAME.{txt,err,json}
  local name="$1"; shift
  set +e
  "$PIMSIM" run --progress=off --json="$TMP/$name.json" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.err"
  CODE=$?
  set -e
}

# --- smoke passes, and the journal gives the same verdict offline ---------
run smoke scenarios/smoke.textproto --journal="$TMP/smoke.jsonl" --junit="$TMP/smoke.xml"
[ "$CODE" = 0 ] || fail "smoke exited $CODE: $(cat "$TMP/smoke.err" "$TMP/smoke.txt")"
[ "$(verdict "$TMP/smoke.json")" = PASS ] || fail "smoke verdict $(verdict "$TMP/smoke.json")"
grep -q '^\[python3\] python_integration: 100 applied, 0 rejected' "$TMP/smoke.err" ||
  fail "the integration's output was not passed through: $(cat "$TMP/smoke.err")"
grep -q '<testsuite' "$TMP/smoke.xml" || fail "no JUnit file"
set +e; "$PIMSIM" report --journal="$TMP/smoke.jsonl" --json="$TMP/offline.json" >/dev/null; OFF=$?; set -e
[ "$OFF" = 0 ] || fail "offline report exited $OFF"
/usr/bin/python3 - "$TMP/smoke.json" "$TMP/offline.json" <<'PY' || fail "live and offline reports differ"
import json, sys
live, offline = (json.load(open(p)) for p in sys.argv[1:])
def key(r):
    return (r["verdict"], [(x["rule"], x["outcome"], x.get("violations", 0)) for x in r["rules"]],
            r.get("phases"), r.get("events"))
assert key(live) == key(offline), (key(live), key(offline))
names = [p["name"] for p in live["phases"]]
assert names == ["warm-up", "flaky"], names
assert live["metrics"]["requests_by_status"].get("503", 0) > 0, live["metrics"]
PY

# The same traffic re-judged under other thresholds: at most 2 attempts a chain.
cat >"$TMP/strict.textproto" <<'PB'
thresholds { max_attempts: 2 }
PB
set +e; "$PIMSIM" report --journal="$TMP/smoke.jsonl" --expectations="$TMP/strict.textproto" \
  --json="$TMP/strict.json" >/dev/null; STRICT=$?; set -e
[ "$STRICT" = 1 ] || fail "re-judged with max_attempts 2: exit $STRICT"
grep -q '"retry.too_many"' "$TMP/strict.json" || fail "no retry.too_many in the strict report"
echo 'thresholds { max_attempts: 0 }' >"$TMP/invalid.textproto"
set +e; "$PIMSIM" report --journal="$TMP/smoke.jsonl" --expectations="$TMP/invalid.textproto" \
  >/dev/null 2>"$TMP/invalid.err"; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "invalid expectations: exit $CODE"
grep -q "invalid.textproto" "$TMP/invalid.err" || fail "said: $(cat "$TMP/invalid.err")"

# --- the same run against a running `pimsim serve`, through its control API --
"$PIMSIM" serve --listen=127.0.0.1:0 --control=127.0.0.1:0 --seed_products=20 >"$TMP/serve.out" \
  2>"$TMP/serve.err" &
SERVE=$!
for _ in $(seq 1 600); do grep -q "^http=" "$TMP/serve.out" 2>/dev/null && break; sleep 0.05; done
CONTROL="$(sed -n 's/.*control=//p' "$TMP/serve.out")"
[ -n "$CONTROL" ] || fail "serve printed: $(cat "$TMP/serve.out" "$TMP/serve.err")"
curl -s -o /dev/null "http://$(sed -n 's/^http=\([^ ]*\).*/\1/p' "$TMP/serve.out")/api/rest/v1/locales"
run remote scenarios/smoke.textproto --control="$CONTROL"
[ "$CODE" = 0 ] || fail "the remote run exited $CODE: $(cat "$TMP/remote.err" "$TMP/remote.txt")"
/usr/bin/python3 - "$TMP/smoke.json" "$TMP/remote.json" <<'PY' || fail "the remote run differs from the embedded one"
import json, sys
embedded, remote = (json.load(open(p)) for p in sys.argv[1:])
# The journal was reset for the run (the earlier request is not in it), and
# the seeded faults met the same traffic.
assert remote["events"] == embedded["events"], (remote["events"], embedded["events"])
assert remote["metrics"]["requests_by_status"] == embedded["metrics"]["requests_by_status"]
assert [p["name"] for p in remote["phases"]] == ["warm-up", "flaky"], remote["phases"]
PY
[ -z "$("$PIMSIM" ctl --control="$CONTROL" faults list)" ] || fail "the phases' rules stayed on the mock"
run remote_bad scenarios/smoke.textproto --control="$CONTROL" --journal="$TMP/x.jsonl"
[ "$CODE" = 2 ] || fail "--control with --journal exited $CODE"
kill -TERM "$SERVE"; wait "$SERVE" || true
run unreachable scenarios/smoke.textproto --control=127.0.0.1:1
[ "$CODE" = 3 ] || fail "an unreachable --control exited $CODE"

# --- a failing command is exit 3 with the reason, the verdict ERROR ---------
run failing scenarios/smoke.textproto -- sh -c 'echo partial work; exit 5'
[ "$CODE" = 3 ] || fail "a command exiting 5 gave exit $CODE"
grep -q 'exited with status 5' "$TMP/failing.txt" || fail "no reason: $(cat "$TMP/failing.txt")"
[ "$(verdict "$TMP/failing.json")" = ERROR ] || fail "verdict $(verdict "$TMP/failing.json")"
grep -q '^\[sh\] partial work$' "$TMP/failing.err" || fail "output not prefixed: $(cat "$TMP/failing.err")"

run crashing scenarios/smoke.textproto -- sh -c 'kill -SEGV $$'
[ "$CODE" = 3 ] || fail "a crashing command gave exit $CODE"
grep -q 'killed by signal 11' "$TMP/crashing.txt" || fail "no reason: $(cat "$TMP/crashing.txt")"

run missing scenarios/smoke.textproto -- ./pimsim-no-such-integration
[ "$CODE" = 3 ] || fail "a command that cannot start gave exit $CODE"
grep -q 'cannot run "./pimsim-no-such-integration"' "$TMP/missing.txt" || fail "no reason: $(cat "$TMP/missing.txt")"

cat >"$TMP/slow.textproto" <<'PB'
name: "slow"
workload { external { argv: "sleep" argv: "60" timeout { seconds: 1 } } }
PB
run slow "$TMP/slow.textproto"
[ "$CODE" = 3 ] || fail "a command past its timeout gave exit $CODE"
grep -q 'ran past its timeout' "$TMP/slow.txt" || fail "no reason: $(cat "$TMP/slow.txt")"

# --- SIGINT stops the run and still writes the report ----------------------
set +e
"$PIMSIM" run "$TMP/slow.textproto" --progress=off --json="$TMP/int.json" -- sleep 60 \
  >"$TMP/int.txt" 2>"$TMP/int.err" &
PID=$!
for _ in $(seq 1 200); do grep -q "control API" "$TMP/int.err" 2>/dev/null && break; sleep 0.05; done
kill -INT "$PID"; wait "$PID"; CODE=$?
set -e
[ "$CODE" = 3 ] || fail "SIGINT gave exit $CODE"
grep -q 'interrupted (Interrupt)' "$TMP/int.json" || fail "report not marked: $(cat "$TMP/int.json")"
grep -q 'incomplete' "$TMP/int.json" || fail "report not marked incomplete"

# --- a real client as the command, through the PIM_* variables -------------
cat >"$TMP/curl.sh" <<'SH'
#!/bin/sh
set -e
python3 -c 'import json,os; c=json.load(open(os.environ["PIM_CONNECTIONS_FILE"])); assert c[0]["base_url"]==os.environ["PIM_BASE_URL"], c'
TOKEN=$(curl -sS -u "$PIM_CLIENT_ID:$PIM_CLIENT_SECRET" -H 'Content-Type: application/json' \
  -d "{\"grant_type\":\"password\",\"username\":\"$PIM_USERNAME\",\"password\":\"$PIM_PASSWORD\"}" \
  "$PIM_BASE_URL/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
for i in 1 2 3; do
  curl -sS -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" "$PIM_BASE_URL/api/rest/v1/channels?page=$i"
done
SH
chmod +x "$TMP/curl.sh"
cat >"$TMP/plain.textproto" <<'PB'
name: "plain"
PB
run curl "$TMP/plain.textproto" -- "$TMP/curl.sh"
[ "$CODE" = 0 ] || fail "curl run exited $CODE: $(cat "$TMP/curl.err" "$TMP/curl.txt")"
[ "$(grep -c '^\[curl.sh\] 200$' "$TMP/curl.err")" = 3 ] || fail "curl output: $(cat "$TMP/curl.err")"
grep -q '"events": *4' "$TMP/curl.json" || fail "expected 4 journal events: $(grep events "$TMP/curl.json")"

# --- limits a phase changes are in the journal, and judge the verdict -------
# The instance starts at 1 request in flight per connection; the only phase
# allows 4, and the client sends 3 at once (each held 300 ms). Live and
# offline the client is judged against the loosest limits it had (4): a
# pass. The same journal without its limits lines is judged against the
# scenario's 1: a concurrency violation, so the lines are what decides.
cat >"$TMP/par.sh" <<'SH'
#!/bin/sh
set -e
TOKEN=$(curl -sS -u "$PIM_CLIENT_ID:$PIM_CLIENT_SECRET" -H 'Content-Type: application/json' \
  -d "{\"grant_type\":\"password\",\"username\":\"$PIM_USERNAME\",\"password\":\"$PIM_PASSWORD\"}" \
  "$PIM_BASE_URL/api/oauth/v1/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -sS --parallel --parallel-immediate -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\n' \
  -H "Authorization: Bearer $TOKEN" "$PIM_BASE_URL/api/rest/v1/channels?page=[1-3]"
SH
chmod +x "$TMP/par.sh"
cat >"$TMP/loosened.textproto" <<'PB'
name: "loosened"
instances { name: "default" limits { max_in_flight_per_connection: 1 } }
latency { list { fixed { seconds: 0 nanos: 300000000 } } }
phases {
  name: "loose"
  requests: 1000
  limits { key: "default" value { max_in_flight_per_connection: 4 } }
}
PB
run par "$TMP/loosened.textproto" --journal="$TMP/par.jsonl" -- "$TMP/par.sh"
[ "$CODE" = 0 ] || fail "loosened run exited $CODE: $(cat "$TMP/par.err" "$TMP/par.txt")"
[ "$(grep -c '^\[par.sh\] 200$' "$TMP/par.err")" = 3 ] || fail "par output: $(cat "$TMP/par.err")"
LIMITS=$(grep -c '^{"limits":{' "$TMP/par.jsonl")
[ "$LIMITS" -ge 2 ] || fail "expected the starting and the phase's limits lines, got $LIMITS"
set +e; "$PIMSIM" report --journal="$TMP/par.jsonl" --json="$TMP/par_off.json" >/dev/null; OFF=$?; set -e
[ "$OFF" = 0 ] || fail "offline report of the loosened run exited $OFF"
grep -v '^{"limits":{' "$TMP/par.jsonl" >"$TMP/par_nolimits.jsonl"
set +e; "$PIMSIM" report --journal="$TMP/par_nolimits.jsonl" --json="$TMP/par_strict.json" >/dev/null
STRICT=$?; set -e
[ "$STRICT" = 1 ] || fail "without its limits lines the journal should fail (1), got $STRICT"
/usr/bin/python3 - "$TMP/par.json" "$TMP/par_off.json" "$TMP/par_strict.json" <<'PY' ||
import json, sys
live, offline, strict = (json.load(open(p)) for p in sys.argv[1:])
def key(r):
    return (r["verdict"], [(x["rule"], x["outcome"], x.get("violations", 0)) for x in r["rules"]])
assert key(live) == key(offline), (key(live), key(offline))
assert live["verdict"] == "PASS", live["verdict"]
violated = [x["rule"] for x in strict["rules"] if x["outcome"] == "violated"]
assert any(r.startswith("concurrency.") for r in violated), violated
PY
  fail "verdicts over the loosened run"

# --- bad usage and invalid scenarios: exit 2 --------------------------------
cat >"$TMP/bad.textproto" <<'PB'
name: "bad"
phases {
  name: "Bad Name"
  requests: 3
}
PB
set +e; "$PIMSIM" validate "$TMP/bad.textproto" scenarios/smoke.textproto >"$TMP/v.out" 2>"$TMP/v.err"; CODE=$?; set -e
[ "$CODE" = 2 ] || fail "validate of a bad file exited $CODE"
grep -q "bad.textproto:3:3: phases\[0\].name: must match" "$TMP/v.err" || fail "validate said: $(cat "$TMP/v.err")"
grep -q "smoke.textproto: ok" "$TMP/v.out" || fail "validate out: $(cat "$TMP/v.out")"
run bad "$TMP/bad.textproto" -- true
[ "$CODE" = 2 ] || fail "run of a bad file exited $CODE"
run noworkload "$TMP/plain.textproto"
[ "$CODE" = 2 ] || fail "a run with no workload exited $CODE"
grep -q "no workload to run" "$TMP/noworkload.err" || fail "said: $(cat "$TMP/noworkload.err")"
run noscenario
[ "$CODE" = 2 ] || fail "run without a scenario exited $CODE"
echo PASS
