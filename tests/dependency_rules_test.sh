#!/usr/bin/env bash
# Arguments come in pairs: a forbidden label prefix (//mock_pim, or
# //mock_pim/http) and a genquery output (tests/BUILD) holding the
# transitive dependencies of a target that must not reach it. Fails naming
# every forbidden target found.
set -uo pipefail
failed=0
while [ "$#" -ge 2 ]; do
  forbidden="$1"
  deps="$2"
  shift 2
  [ -s "$deps" ] || { echo "FAIL: $deps is empty (the query found nothing)"; failed=1; continue; }
  bad=$(grep -E "^${forbidden}(/|:)" "$deps" || true)
  if [ -n "$bad" ]; then
    echo "FAIL: $(basename "$deps") reaches $forbidden:"
    echo "$bad" | sed 's/^/  /'
    failed=1
  else
    echo "ok: $(basename "$deps"): $(wc -l <"$deps") targets, none in $forbidden"
  fi
done
[ "$#" -eq 0 ] || { echo "FAIL: odd argument count"; failed=1; }
[ "$failed" = 0 ] && echo PASS
exit "$failed"
