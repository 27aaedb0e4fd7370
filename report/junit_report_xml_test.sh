#!/usr/bin/env bash
# JUnit output of the sample, hostile and ERROR reports, checked by python3's
# XML parser (see junit_xml_check.py).
set -euo pipefail

RENDER="$1"
CHECK="$2"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

"$RENDER" junit sample "$TMP/sample.xml"
python3 "$CHECK" "$TMP/sample.xml"
"$RENDER" junit hostile "$TMP/hostile.xml"
python3 "$CHECK" "$TMP/hostile.xml" --hostile --expect-error
"$RENDER" junit error "$TMP/error.xml"
python3 "$CHECK" "$TMP/error.xml" --expect-error
"$RENDER" junit empty "$TMP/empty.xml"
python3 "$CHECK" "$TMP/empty.xml"
echo "PASS"
