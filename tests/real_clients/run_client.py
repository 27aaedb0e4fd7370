#!/usr/bin/python3
"""Runs one real HTTP client against `pimsim serve` with the CI-gate fault set
and judges it with `pimsim report`.

  run_client.py --pimsim=PATH --client=NAME --workload=unique|repeat
                [--report-json=FILE] [--journal=FILE] [--final] [--seed=N]

Starts the mock on 127.0.0.1 (port 0, no service-time model, seeded products,
the fault rules in FAULTS), runs the client with PIM_BASE_URL, PIM_CLIENT_ID,
PIM_CLIENT_SECRET, PIM_USERNAME and PIM_PASSWORD in its environment and a hard
timeout, asks the control plane for the report (with --final when given: the
run is over, so rules that wait for what follows a failure judge the end of
the run too), stops the mock with SIGTERM and prints
the verdict, each rule's outcome and violation count, and the violations.

Exit code 0 when it ran (whatever the verdict), 3 when the mock, the client or
the report broke, 2 on bad usage. tests/real_clients/real_client_test.py uses
run() to compare the verdict with expectations.py.
"""

import argparse
import json
import os
import re
import signal
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
CLIENT_TIMEOUT_S = 180
CREDENTIALS = {"PIM_CLIENT_ID": "pimsim", "PIM_CLIENT_SECRET": "pimsim",
               "PIM_USERNAME": "admin", "PIM_PASSWORD": "admin"}


class RunError(Exception):
    """The run broke: the mock, the client or the report."""


def _start_mock(pimsim, seed, journal, scratch):
    cmd = [pimsim, "serve", "--listen=127.0.0.1:0", "--control=127.0.0.1:0", "--latency=0",
           "--seed=%d" % seed, "--seed_products=%d" % workload.SEEDED_PRODUCTS]
    if journal:
        cmd.append("--journal=" + journal)
    cmd += ["--fault=" + f for f in FAULTS]
    err = open(os.path.join(scratch, "serve.stderr"), "w")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    line = proc.stdout.readline().strip()
    m = re.fullmatch(r"http=(\S+) control=(\S+)", line)
    if not m:
        proc.kill()
        proc.wait()
        with open(err.name) as f:
            raise RunError("pimsim serve printed %r first; stderr: %s" % (line, f.read()[-2000:]))
    return proc, m.group(1), m.group(2)


def _stop_mock(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise RunError("pimsim serve did not stop within 30 s of SIGTERM")
    if proc.returncode != 0:
        raise RunError("pimsim serve exited %d" % proc.returncode)


def _run_client(client, workload_name, http, scratch):
    env = dict(os.environ, PIM_BASE_URL="http://" + http, **CREDENTIALS)
    out_path = os.path.join(scratch, "client.stdout")
    err_path = os.path.join(scratch, "client.stderr")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(CLIENTS[client] + [workload_name], stdout=out, stderr=err,
                                env=env, cwd=scratch, start_new_session=True)
        try:
            code = proc.wait(timeout=CLIENT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise RunError("client %s did not finish within %d s" % (client, CLIENT_TIMEOUT_S))
    with open(out_path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    with open(err_path) as f:
        stderr = f.read()
    if code != 0 or not lines:
        raise RunError("client %s exited %d; stderr: %s" % (client, code, stderr[-3000:]))
    try:
        return json.loads(lines[-1])
    except ValueError:
        raise RunError("client %s printed no summary; last line %r" % (client, lines[-1]))


def _report(pimsim, control, json_path, final):
    cmd = [pimsim, "report", "--control=" + control, "--json=" + json_path]
    if final:
        cmd.append("--final")
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120)
    if done.returncode not in (0, 1, 3) or not os.path.exists(json_path):
        raise RunError("pimsim report exited %d: %s" % (done.returncode, done.stderr[-2000:]))
    with open(json_path) as f:
        return json.load(f)


def run(pimsim, client, workload_name, report_json=None, journal=None, final=False,
        seed=DEFAULT_SEED):
    """Runs `client` on `workload_name` and returns what happened: a dict with
    client (its summary line), wall_s, final (whether the report was a final
    one), and report (the pimsim.v1.Report JSON). Raises RunError when the run
    broke."""
    if client not in CLIENTS:
        raise ValueError("unknown client %r (expected one of %s)" % (client, ", ".join(CLIENTS)))
    if client in NODE_CLIENTS and not os.path.isdir(os.path.join(HERE, "node_modules")):
        raise RunError("%s/node_modules is missing: run scripts/setup.sh (npm ci)" % HERE)
    scratch = tempfile.mkdtemp(prefix="run_client.", dir=os.environ.get("TEST_TMPDIR"))
    report_json = report_json or os.path.join(scratch, "report.json")
    started = time.monotonic()
    proc, http, control = _start_mock(pimsim, seed, journal, scratch)
    try:
        summary = _run_client(client, workload_name, http, scratch)
        wall_s = time.monotonic() - started
        report = _report(pimsim, control, report_json, final)
    finally:
        if proc.poll() is None:
            _stop_mock(proc)
    return {"client": summary, "wall_s": wall_s, "final": final, "report": report}


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
    parser.add_argument("--journal", help="have the mock write its journal here at shutdown")
    parser.add_argument("--final", action="store_true",
                        help="ask for a final report (pimsim report --final)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the mock's seed")
    args = parser.parse_args()
    try:
        result = run(os.path.abspath(args.pimsim), args.client, args.workload,
                     report_json=args.report_json, journal=args.journal, final=args.final,
                     seed=args.seed)
    except RunError as e:
        print("run_client: %s" % e, file=sys.stderr)
        return 3
    print(describe(result, args.client, args.workload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
