#!/usr/bin/python3
"""Runs one real client on one workload (run_client.run, with a final report)
and checks the verdict and the violated rules against expectations.py.

  real_client_test.py --pimsim=PATH --client=NAME --workload=unique|repeat

Keeps the report JSON and the mock's journal in TEST_UNDECLARED_OUTPUTS_DIR
(bazel-testlogs/.../test.outputs) for a look at what happened.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import expectations  # noqa: E402
import run_client  # noqa: E402
import workload  # noqa: E402


def check(result, expected, planned_ops):
    """Returns the list of differences between a run and its expectation."""
    problems = []
    report = result["report"]
    if result["client"]["ops"] != planned_ops:
        problems.append("the client ran %d operations of %d" % (result["client"]["ops"],
                                                               planned_ops))
    verdict = report.get("verdict", "UNSPECIFIED")
    if verdict != expected["verdict"]:
        problems.append("verdict %s, expected %s" % (verdict, expected["verdict"]))
    for e in report.get("errors", []):
        problems.append("report error: %s" % e)
    violated = {r["rule"] for r in report.get("rules", [])
                if r.get("outcome") == "violated"}
    required = set(expected["violated"])
    if not result["final"]:
        required -= expected["final_only"]
    for rule in sorted(required - violated):
        problems.append("%s not violated; expected: %s" % (rule, expected["violated"][rule]))
    allowed = set(expected["violated"]) | set(expected["may"]) | set(expectations.APPLICATION)
    for rule in sorted(violated - allowed):
        messages = [v.get("message", "") for v in report.get("violations", [])
                    if v["rule"] == rule]
        problems.append("%s violated, not expected: %s" % (rule, "; ".join(messages[:3])))
    return problems


def journal_problems(path, per_connection=4, per_instance=10):
    """What the mock's journal says against itself: every concurrency 429 must
    be justified by the requests the journal shows in flight at its arrival
    (arrived no later, answered later), and a client that never has more than
    4 requests in flight (every client here) must get none."""
    events = []
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if "summary" not in e:
                events.append(e)
    problems = []
    rejected = [e for e in events if e.get("rejection", "").startswith("REJECTION_CONCURRENCY")]
    for r in rejected:
        t = int(r["arrival_us"])
        instance_wide = r["rejection"] == "REJECTION_CONCURRENCY_INSTANCE"
        in_flight = sum(
            1 for e in events
            if e is not r and e.get("instance") == r.get("instance")
            and (instance_wide or e.get("connection") == r.get("connection"))
            and int(e["arrival_us"]) <= t < int(e["response_us"]))
        limit = per_instance if instance_wide else per_connection
        if in_flight < limit:
            problems.append("event %s got %s with only %d in flight in the journal (limit %d)" % (
                r["id"], r["rejection"], in_flight, limit))
    if rejected:
        problems.append("%d concurrency 429s for a client with at most %d in flight" % (
            len(rejected), per_connection))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pimsim", required=True)
    parser.add_argument("--client", required=True, choices=sorted(run_client.CLIENTS))
    parser.add_argument("--workload", required=True, choices=workload.WORKLOADS)
    args = parser.parse_args()
    if args.client not in expectations.EXPECTATIONS:
        print("FAIL: expectations.py has no entry for %s" % args.client)
        return 1
    outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR") or os.environ.get("TEST_TMPDIR")
    stem = os.path.join(outputs, "%s-%s" % (args.client, args.workload)) if outputs else None
    try:
        result = run_client.run(os.path.abspath(args.pimsim), args.client, args.workload,
                                report_json=stem and stem + ".report.json",
                                journal=stem and stem + ".journal.jsonl")
    except run_client.RunError as e:
        print("FAIL: the run broke: %s" % e)
        return 1
    print(run_client.describe(result, args.client, args.workload))
    problems = check(result, expectations.EXPECTATIONS[args.client],
                     len(workload.plan(args.workload)))
    if stem:
        problems += journal_problems(stem + ".journal.jsonl")
    if problems:
        print("\nFAIL: %s on %s differs from expectations.py:" % (args.client, args.workload))
        for p in problems:
            print("  - " + p)
        return 1
    print("\nPASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
