#!/usr/bin/python3
"""Runs one real HTTP client as the integration under test of `pimsim run`,
against the CI-gate fault set, and prints its verdict.

  run_client.py --pimsim=PATH --client=NAME --workload=unique|repeat
                [--report-json=FILE] [--journal=FILE] [--seed=N]

Runs `pimsim run battery.textproto --fault=... -- CLIENT WORKLOAD`: the mock
on 127.0.0.1 (port 0, no service-time model, seeded products, the fault rules
in FAULTS), the client with the PIM_* variables `pimsim run` sets and the
scenario's bound on the run, then the final report. Prints the verdict, each
rule's outcome and violation count, and the violations.

Exit code 0 when it ran (whatever the verdict), 3 when the mock, the client or
the run broke, 2 on bad usage. tests/real_clients/real_client_test.py uses
run() to compare the verdict with expectations.py.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import workload  # noqa: E402

# Debian's interpreter: its python3-urllib3 is the 1.26 under test.
PYTHON = "/usr/bin/python3"
NODE = "node"

# Each client: the command that runs it, given the workload name after it.
CLIENTS = {
    "curl": [PYTHON, os.path.join(HERE, "curl_client.py")],
    "curl-retry": [PYTHON, os.path.join(HERE, "curl_client.py"), "--retry=5"],
    "urllib3": [PYTHON, os.path.join(HERE, "urllib3_client.py")],
    "got": [NODE, os.path.join(HERE, "got_client.mjs")],
    "axios-retry": [NODE, os.path.join(HERE, "axios_client.mjs")],
}
NODE_CLIENTS = ("got", "axios-retry")

# The CI-gate fault set, in `pimsim serve --fault=` form. Order matters: the
# first rule that fires wins. Triggers are counts and seeded probabilities,
# so a ~350-request run hits each rule, the same way for the same seed and
# the same request sequence.
FAULTS = (
    # One hang of 15 s: the first list page asked for.
    "hang=15s,first=1,route=list,name=hang-15s",
    # Two long throttles, early in the run (the 20th and 40th item GETs).
    "status=429,retry_after=35s,every=20,max=2,route=get_item,name=throttle-35s",
    # Responses lost after the write was applied (3 or so of each method).
    "disconnect=after,every=18,method=POST,route=write_item,name=lost-post-response",
    "disconnect=after,every=18,method=PATCH,route=write_item,name=lost-patch-response",
    # Connections reset before anything was applied (7 or so).
    "disconnect=before,close=reset,every=45,route=get_item|list|write_item,name=reset-before",
    "status=429,retry_after=2s,p=0.04,route=get_item|list|write_item,name=throttle-2s",
    "status=503,p=0.07,method=GET,route=get_item|list,name=unavailable-reads",
    "status=500,p=0.01,route=get_item|list|write_item,name=internal-error",
    "status=502,p=0.01,route=get_item|list|write_item,name=bad-gateway",
    "status=504,p=0.01,route=get_item|list|write_item,name=gateway-timeout",
    "status=408,p=0.01,route=get_item|list|write_item,name=request-timeout",
)

DEFAULT_SEED = 7
SCENARIO = os.path.join(HERE, "battery.textproto")


class RunError(Exception):
    """The run broke: the mock, the client or the report."""


def _summary(output_path, client):
    """The client's summary: the last JSON line it printed."""
    with open(output_path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    for line in reversed(lines):
        try:
            summary = json.loads(line)
        except ValueError:
            continue
        if isinstance(summary, dict) and "ops" in summary:
            return summary
    raise RunError("client %s printed no summary; its output ends: %s" % (
        client, "\n".join(lines[-20:])))


def run(pimsim, client, workload_name, report_json=None, journal=None, final=True,
        seed=DEFAULT_SEED):
    """Runs `client` on `workload_name` through `pimsim run` and returns what
    happened: a dict with client (its summary line), wall_s, final (always
    true: the report of a run is final), and report (the report JSON). Raises
    RunError when the run broke."""
    if client not in CLIENTS:
        raise ValueError("unknown client %r (expected one of %s)" % (client, ", ".join(CLIENTS)))
    if client in NODE_CLIENTS and not os.path.isdir(os.path.join(HERE, "node_modules")):
        raise RunError("%s/node_modules is missing: run scripts/setup.sh (npm ci)" % HERE)
    scratch = tempfile.mkdtemp(prefix="run_client.", dir=os.environ.get("TEST_TMPDIR"))
    report_json = report_json or os.path.join(scratch, "report.json")
    output = os.path.join(scratch, "client.output")
    cmd = [pimsim, "run", SCENARIO, "--progress=off", "--seed=%d" % seed,
           "--json=" + report_json, "--output=" + output]
    if journal:
        cmd.append("--journal=" + journal)
    cmd += ["--fault=" + f for f in FAULTS]
    cmd += ["--"] + CLIENTS[client] + [workload_name]
    started = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=scratch, timeout=600)
    wall_s = time.monotonic() - started
    if done.returncode not in (0, 1) or not os.path.exists(report_json):
        detail = done.stdout[-3000:] + done.stderr[-2000:]
        if os.path.exists(output):
            with open(output) as f:
                detail += "\nclient output:\n" + f.read()[-3000:]
        raise RunError("pimsim run exited %d: %s" % (done.returncode, detail))
    with open(report_json) as f:
        report = json.load(f)
    return {"client": _summary(output, client), "wall_s": wall_s, "final": True,
            "report": report}


def describe(result, client, workload_name):
    """The terminal summary of a run(): verdict, rules, violations."""
    report = result["report"]
    summary = result["client"]
    lines = [
        "client %s, workload %s: %d operations in %.1f s (%s); wall %.1f s; %s report" % (
            client, workload_name, summary["ops"], summary["seconds"],
            ", ".join("%s=%d" % kv for kv in sorted(summary["outcomes"].items())),
            result["wall_s"], "final" if result["final"] else "live"),
        "verdict: %s" % report.get("verdict", "UNSPECIFIED"),
    ]
    for e in report.get("errors", []):
        lines.append("error: %s" % e)
    lines.append("rules:")
    for r in report.get("rules", []):
        lines.append("  %-28s %-9s %-10s violations=%-3s %s" % (
            r["rule"], r.get("severity", ""),
            r.get("outcome", ""), r.get("violations", 0),
            r.get("detail", "")))
    violations = report.get("violations", [])
    lines.append("violations: %d" % len(violations))
    for v in violations:
        lines.append("  [%s] %s: %s" % (v.get("severity", ""), v["rule"],
                                        v.get("message", "")))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pimsim", required=True, help="the pimsim binary")
    parser.add_argument("--client", required=True, choices=sorted(CLIENTS))
    parser.add_argument("--workload", required=True, choices=workload.WORKLOADS)
    parser.add_argument("--report-json", help="also keep the report JSON here")
    parser.add_argument("--journal", help="stream the journal to this file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the mock's seed")
    args = parser.parse_args()
    try:
        result = run(os.path.abspath(args.pimsim), args.client, args.workload,
                     report_json=args.report_json, journal=args.journal, seed=args.seed)
    except RunError as e:
        print("run_client: %s" % e, file=sys.stderr)
        return 3
    print(describe(result, args.client, args.workload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
