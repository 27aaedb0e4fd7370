#!/usr/bin/python3
"""Python urllib3 1.26 (Debian's python3-urllib3) as an Akeneo integration.

One PoolManager (4 keep-alive connections, one per lane) with the Retry its
documentation suggests for a flaky API:
Retry(total=5, backoff_factor=0.5, status_forcelist=[429, 500, 502, 503, 504])
and the default allowed_methods (no POST, no PATCH).

  PIM_BASE_URL=... PIM_CLIENT_ID=... /usr/bin/python3 urllib3_client.py unique|repeat

Prints one JSON summary line (workload.summary_line) on stdout; exit 0 when
the plan ran, whatever the operations' outcomes.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import workload  # noqa: E402

import urllib3  # noqa: E402
from urllib3.util.retry import Retry  # noqa: E402


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit("urllib3_client: %s is not set" % name)
    return value


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in workload.WORKLOADS:
        sys.exit("usage: urllib3_client.py %s" % "|".join(workload.WORKLOADS))
    if not urllib3.__version__.startswith("1.26."):
        sys.exit("urllib3_client: needs urllib3 1.26 (Debian's python3-urllib3), found %s at %s"
                 % (urllib3.__version__, urllib3.__file__))
    name = sys.argv[1]
    base = env("PIM_BASE_URL").rstrip("/")
    retry = Retry(total=5, backoff_factor=0.5, status_forcelist=[429, 500, 502, 503, 504])
    http = urllib3.PoolManager(maxsize=workload.LANES, retries=retry)

    headers = urllib3.make_headers(
        basic_auth="%s:%s" % (env("PIM_CLIENT_ID"), env("PIM_CLIENT_SECRET")))
    headers["Content-Type"] = "application/json"
    r = http.request("POST", base + "/api/oauth/v1/token", headers=headers,
                     body=json.dumps({"grant_type": "password", "username": env("PIM_USERNAME"),
                                      "password": env("PIM_PASSWORD")}))
    if r.status != 200:
        sys.exit("urllib3_client: token request answered %d" % r.status)
    bearer = "Bearer " + json.loads(r.data)["access_token"]

    def send(op):
        headers = {"Authorization": bearer}
        if op["body"] is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = http.request(op["method"], base + op["path"], headers=headers,
                                    body=op["body"])
            return response.status
        except urllib3.exceptions.MaxRetryError as e:
            return "gave_up_%s" % type(e.reason).__name__
        except urllib3.exceptions.HTTPError as e:
            return type(e).__name__

    outcomes, seconds = workload.run_plan(workload.plan(name), send)
    print(workload.summary_line("urllib3", name, outcomes, seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
