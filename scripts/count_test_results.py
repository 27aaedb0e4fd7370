#!/usr/bin/env python3
"""Counts test cases in Bazel's test.xml files: prints 'PASSED FAILED'.

Every GoogleTest case is one test; a target whose XML has no test case (a
script test) counts as one, passed or failed by its own status. A target that
did not run at all (failed to build, timed out before writing XML) counts as
one failure, from the list of targets given on stdin as bazel's summary lines.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def count(testlogs: pathlib.Path):
    passed = failed = 0
    for xml in sorted(testlogs.rglob("test.xml")):
        try:
            root = ET.parse(xml).getroot()
        except ET.ParseError:
            failed += 1
            continue
        cases = list(root.iter("testcase"))
        if not cases:
            bad = int(root.get("failures", 0) or 0) + int(root.get("errors", 0) or 0)
            failed, passed = (failed + 1, passed) if bad else (failed, passed + 1)
            continue
        for case in cases:
            # Bazel wraps a script test's result in one synthetic testcase.
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.get("status", "run") == "notrun" or case.find("skipped") is not None:
                continue
            else:
                passed += 1
    return passed, failed


def main():
    testlogs = pathlib.Path(sys.argv[1])
    passed, failed = count(testlogs)
    # Targets bazel reports as not built / no status have no XML.
    for line in sys.stdin:
        if "FAILED TO BUILD" in line or "NO STATUS" in line:
            failed += 1
    print(passed, failed)


if __name__ == "__main__":
    main()
