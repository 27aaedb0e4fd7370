#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs every pimsim test: the whole suite in
# the default configuration, then again under AddressSanitizer + UBSan, then
# the tests of multi-threaded code under ThreadSanitizer, then every
# libFuzzer target briefly (scripts/fuzz.sh --runs=20000, each target one
# test). Ends with one line "N passed, N failed" counted from the test
# results.
#
#   scripts/run_tests.sh            # all four passes
#   PIMSIM_SANITIZERS=0 scripts/run_tests.sh   # no ASan+UBSan or TSan pass
#   PIMSIM_FUZZ=0 scripts/run_tests.sh         # no fuzzing pass
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

total_passed=0
total_failed=0
status=0

# run_pass NAME "TARGETS" [BAZEL_FLAGS...]
run_pass() {
  local name="$1" targets
  read -ra targets <<<"$2"
  shift 2
  local log start=$SECONDS
  log=$(mktemp)
  echo "== bazel test $* ${targets[*]}" >&2
  bazel test "$@" "${targets[@]}" 2>&1 | tee "$log" |
    grep -E "^(//|Executed|INFO: Build|ERROR|FAIL)" >&2
  local rc=${PIPESTATUS[0]}
  # Only this pass's results: bazel-testlogs points at this configuration.
  read -r p f < <(python3 scripts/count_test_results.py bazel-testlogs < "$log")
  echo "== $name: $p passed, $f failed (bazel exit $rc, $((SECONDS - start)) s)" >&2
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [ "$rc" -eq 0 ] || status=1
  rm -f "$log"
}

# Stale results of an earlier run must not be counted.
rm -rf "$(bazel info bazel-testlogs 2>/dev/null)" 2>/dev/null || true
run_pass default //...
if [ "${PIMSIM_SANITIZERS:-1}" != 0 ]; then
  rm -rf "$(bazel info --config=asan bazel-testlogs 2>/dev/null)" 2>/dev/null || true
  # The real third-party clients exercise the same mock code paths as the
  # integration tests; under the sanitizers they would only add minutes.
  run_pass asan+ubsan //... --config=asan --test_tag_filters=-real_client
  rm -rf "$(bazel info --config=tsan bazel-testlogs 2>/dev/null)" 2>/dev/null || true
  # The tsan config itself leaves out the real_client, fuzz and no_tsan
  # tests (.bazelrc says why), and only the packages whose code runs on
  # several threads are built: the tests of //report, //tools, //scenarios
  # and the rest of //common are single-threaded, and TSan over //... takes
  # a third longer from a cold cache.
  run_pass tsan "//mock_pim/... //tests/... //checker/... //common:mutex_test" --config=tsan
fi

if [ "${PIMSIM_FUZZ:-1}" != 0 ]; then
  log=$(mktemp)
  start=$SECONDS
  echo "== scripts/fuzz.sh --runs=20000" >&2
  scripts/fuzz.sh --runs=20000 2> >(grep -E "^(== |   )|FUZZ_CHECK|ERROR|SUMMARY" >&2) | tee "$log" >&2
  rc=${PIPESTATUS[0]}
  # fuzz.sh ends with "fuzz: N passed, N failed", one test per target.
  read -r p f < <(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log")
  p=${p:-0}
  f=${f:-1}
  echo "== fuzz: $p passed, $f failed (exit $rc, $((SECONDS - start)) s)" >&2
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [ "$rc" -eq 0 ] || status=1
  rm -f "$log"
fi

echo "${total_passed} passed, ${total_failed} failed"
exit "$status"
