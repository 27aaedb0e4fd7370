"""Checks a JUnit file from render_sample with python3's XML parser.

usage: junit_xml_check.py FILE [--expect-error] [--hostile]

Well-formed; <testsuites>/<testsuite> counts equal the elements present; every
testcase has a classname "pimsim.<family>" matching its name; with --hostile,
the hostile text survives escaping (markup intact, control characters gone).
"""
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def main():
    path = sys.argv[1]
    flags = set(sys.argv[2:])
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path} is not well-formed XML: {e}")
    if root.tag != "testsuites":
        fail(f"root is <{root.tag}>")
    suites = root.findall("testsuite")
    if len(suites) != 1 or suites[0].get("name") != "pimsim compliance":
        fail("expected one <testsuite name='pimsim compliance'>")
    suite = suites[0]
    cases = suite.findall("testcase")
    counted = {
        "tests": len(cases),
        "failures": sum(len(c.findall("failure")) for c in cases),
        "errors": sum(len(c.findall("error")) for c in cases),
        "skipped": sum(len(c.findall("skipped")) for c in cases),
    }
    for element in (root, suite):
        for key, value in counted.items():
            if element.get(key) != str(value):
                fail(f"<{element.tag}> {key}={element.get(key)}, counted {value}")
        float(element.get("time"))
    for c in cases:
        name, classname = c.get("name"), c.get("classname")
        if name == "run":
            continue
        family = name.split(".", 1)[0] or "rule"
        if classname != "pimsim." + family:
            fail(f"testcase {name!r} has classname {classname!r}")
    run = [c for c in cases if c.get("name") == "run"]
    if ("--expect-error" in flags) != bool(run):
        fail(f"'run' testcase present: {bool(run)}")
    if run and run[0].find("error") is None:
        fail("'run' testcase has no <error>")
    if "--hostile" in flags:
        texts = [f.text or "" for f in suite.iter("failure")]
        texts += [f.get("message") for f in suite.iter("failure")]
        texts += [e.text or "" for e in suite.iter("error")]
        joined = "\n".join(texts)
        for needle in ("<script>alert(1)</script>", "& \"quoted\" 'single' ]]>", "caf\u00e9",
                       "bad\ufffd utf-8"):
            if needle not in joined:
                fail(f"escaped text lost {needle!r}")
        if "\x01" in joined or "\x1b" in joined:
            fail("control characters survived")
    print(f"ok: {path}: {counted}")


if __name__ == "__main__":
    main()
