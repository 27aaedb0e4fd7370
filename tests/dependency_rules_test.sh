#!/usr/bin/env bash
# Each argument is a genquery output (tests/BUILD): the transitive
# dependencies of a package that must not depend on the mock. Fails naming
# every //mock_pim target found.
set -uo pipefail
failed=0
for deps in "$@"; do
  [ -s "$deps" ] || { echo "FAIL: $deps is empty (the query found nothing)"; failed=1; continue; }
  bad=$(grep '^//mock_pim' "$deps" || true)
  if [ -n "$bad" ]; then
    echo "FAIL: $(basename "$deps") reaches the mock:"
    echo "$bad" | sed 's/^/  /'
    failed=1
  else
    echo "ok: $(basename "$deps"): $(wc -l <"$deps") targets, none in //mock_pim"
  fi
done
[ "$failed" = 0 ] && echo PASS
exit "$failed"
