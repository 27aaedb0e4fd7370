#!/usr/bin/env bash
# Opens the HTML report of the sample in headless chromium (Debian's package,
# installed by scripts/setup.sh; the test fails without it). Checks that the
# screenshot is not blank (png_check.py), that the DOM chromium parsed holds
# the four charts, and that the browser logged no console error and no blocked
# or failed load (the page must be self-contained). Each chromium run is
# bounded by a timeout and its whole process group is killed afterwards.
set -euo pipefail

RENDER="$1"
PNG_CHECK="$2"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
OUT="${TEST_UNDECLARED_OUTPUTS_DIR:-$TMP}"
fail() { echo "FAIL: $*" >&2; exit 1; }

CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$CHROMIUM" ] || fail "chromium is not installed (scripts/setup.sh installs it)"

"$RENDER" html sample "$TMP/report.html"
"$RENDER" html empty "$TMP/empty.html"

# Runs chromium with the given extra flags in its own process group, at most
# 40 s, then kills whatever is left of the group.
run_chromium() {
  local log="$1"
  shift
  local profile
  profile="$(mktemp -d "$TMP/profile.XXXXXX")"
  HOME="$TMP" XDG_CONFIG_HOME="$TMP/config" XDG_CACHE_HOME="$TMP/cache" \
    setsid timeout -k 5 40 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run \
    --disable-extensions --disable-features=Translate,MediaRouter \
    --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --enable-logging=stderr --log-level=0 \
    "$@" 2>"$log" &
  local pid=$!
  local rc=0
  wait "$pid" || rc=$?
  kill -KILL -- "-$pid" 2>/dev/null || true
  return "$rc"
}

check_log() {
  # The page has no script: any console message (a CSP block, a script
  # error) or failed load means it is not self-contained or not clean.
  if grep -E ":CONSOLE|Uncaught|net::ERR_" "$1"; then
    fail "the browser logged an error loading the page (see above)"
  fi
}

# Canary: a page that loads an outside image must trip check_log, or the log
# format changed and the check below would pass vacuously.
sed 's#<main>#<main><img alt="" src="https://example.invalid/x.png">#' \
  "$TMP/report.html" >"$TMP/canary.html"
run_chromium "$TMP/canary.log" --dump-dom "file://$TMP/canary.html" >/dev/null \
  || { cat "$TMP/canary.log" >&2; fail "chromium --dump-dom (canary) failed"; }
grep -q ":CONSOLE" "$TMP/canary.log" \
  || { cat "$TMP/canary.log" >&2; fail "chromium logged no console message for a blocked load"; }

run_chromium "$TMP/shot.log" --screenshot="$OUT/report.png" --window-size=1280,2000 \
  "file://$TMP/report.html" || { cat "$TMP/shot.log" >&2; fail "chromium --screenshot failed"; }
[ -s "$OUT/report.png" ] || { cat "$TMP/shot.log" >&2; fail "no screenshot written"; }
check_log "$TMP/shot.log"
python3 "$PNG_CHECK" "$OUT/report.png"

run_chromium "$TMP/dom.log" --dump-dom "file://$TMP/report.html" >"$TMP/dom.html" \
  || { cat "$TMP/dom.log" >&2; fail "chromium --dump-dom failed"; }
check_log "$TMP/dom.log"
SVGS="$(grep -o '<svg ' "$TMP/dom.html" | wc -l)"
[ "$SVGS" -eq 4 ] || fail "expected 4 charts in the parsed DOM, found $SVGS"
grep -q 'class="badge verdict-FAIL"' "$TMP/dom.html" || fail "no FAIL badge in the DOM"
grep -q '<polyline' "$TMP/dom.html" || fail "no chart line in the DOM"

run_chromium "$TMP/empty.log" --dump-dom "file://$TMP/empty.html" >"$TMP/empty_dom.html" \
  || { cat "$TMP/empty.log" >&2; fail "chromium --dump-dom (empty report) failed"; }
check_log "$TMP/empty.log"
grep -q "no traffic" "$TMP/empty_dom.html" || fail "the empty report does not say 'no traffic'"

echo "PASS"
