#!/usr/bin/python3
"""The curl command line (Debian's curl 7.88) as an Akeneo integration.

One `curl` process per operation, as a shell-script integration would run it:
no retries by default, or curl's own `--retry N` (408/429/500/502/503/504 and
timeouts, 1 s doubling, Retry-After obeyed). Bodies go to a regular temporary
file: curl 7.88 cannot retry into -o /dev/null ("Failed to truncate file").

  PIM_BASE_URL=... PIM_CLIENT_ID=... curl_client.py [--retry=5] unique|repeat

Prints one JSON summary line (workload.summary_line) on stdout; exit 0 when
the plan ran, whatever the operations' outcomes.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import workload  # noqa: E402

CURL = "/usr/bin/curl"


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit("curl_client: %s is not set" % name)
    return value


def token(base, scratch):
    body = json.dumps({"grant_type": "password", "username": env("PIM_USERNAME"),
                       "password": env("PIM_PASSWORD")})
    out = os.path.join(scratch, "token.json")
    subprocess.run([CURL, "-sS", "--fail", "-o", out, "-u",
                    "%s:%s" % (env("PIM_CLIENT_ID"), env("PIM_CLIENT_SECRET")),
                    "-H", "Content-Type: application/json", "--data-binary", body,
                    base + "/api/oauth/v1/token"], check=True)
    with open(out) as f:
        return json.load(f)["access_token"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--retry", type=int, default=0, help="curl --retry N (0: no retries)")
    parser.add_argument("workload", choices=workload.WORKLOADS)
    args = parser.parse_args()
    base = env("PIM_BASE_URL").rstrip("/")
    scratch = tempfile.mkdtemp(prefix="curl_client.")
    bearer = "Authorization: Bearer " + token(base, scratch)
    retry = ["--retry", str(args.retry)] if args.retry > 0 else []

    def send(op):
        fd, out = tempfile.mkstemp(dir=scratch, suffix=".body")
        os.close(fd)
        cmd = [CURL, "-sS", "-o", out, "-w", "%{http_code}", "-H", bearer] + retry
        if op["body"] is not None:
            cmd += ["-X", op["method"], "-H", "Content-Type: application/json",
                    "--data-binary", op["body"]]
        cmd.append(base + op["path"])
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.unlink(out)
        if done.returncode != 0:
            return "curl_exit_%d" % done.returncode
        return done.stdout.strip()

    outcomes, seconds = workload.run_plan(workload.plan(args.workload), send)
    name = "curl-retry" if args.retry else "curl"
    print(workload.summary_line(name, args.workload, outcomes, seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
