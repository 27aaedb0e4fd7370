#!/usr/bin/python3
"""An Akeneo integration that keeps to the API's rules, in plain Python.

  PIM_BASE_URL=... PIM_CLIENT_ID=... PIM_CLIENT_SECRET=... PIM_USERNAME=...
  PIM_PASSWORD=... python_integration.py [--products=N] [--batch=B] [--verify=V]

The shape of a typical catalogue sync, written the way Akeneo asks clients
to behave (`pimsim run` sets the PIM_* variables):

  1. one OAuth token (password grant), reused by every request, refreshed
     once on a 401;
  2. reads the reference data once (channels, locales, families);
  3. upserts N products in batches of B with PATCH /api/rest/v1/products
     (NDJSON), then reads each line's status; lines that failed for a
     retryable reason are sent again in the next batch, 4xx lines are
     reported and not retried;
  4. reads V of the products back one by one (GET), then the whole
     catalogue page by page, following _links.next.

One request at a time (under the limit of 4 per connection), at most 20 a
second. A 408, a 429, a 5xx or a dropped connection is retried up to 6
times after a full-jitter exponential backoff (a uniform draw under a cap
doubling from 0.5 s to 8 s); a Retry-After is waited out first. A PATCH
upsert is idempotent, so it may be re-sent after an ambiguous failure.
Exits 0 when every product was applied, 1 when the PIM rejected some, 3
when it could not finish.
"""

import argparse
import base64
import email.utils
import http.client
import json
import os
import random
import ssl
import sys
import time
import urllib.parse

RETRYABLE = {408, 429, 500, 502, 503, 504}
MAX_ATTEMPTS = 7
BASE_WAIT_S = 0.5
MAX_WAIT_S = 8.0
MIN_INTERVAL_S = 1 / 20


class GaveUp(Exception):
    pass


def retry_after_seconds(value):
    """Retry-After as seconds: a delay or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Pim:
    def __init__(self, base_url, client_id, secret, username, password, rng):
        url = urllib.parse.urlsplit(base_url)
        self.https = url.scheme == "https"
        self.host, self.port = url.hostname, url.port or (443 if self.https else 80)
        self.prefix = url.path.rstrip("/")
        self.credentials = (client_id, secret, username, password)
        self.rng = rng
        self.conn = None
        self.token = None
        self.last_send = 0.0
        self.retries = 0

    def _pace(self):
        wait = self.last_send + MIN_INTERVAL_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_send = time.monotonic()

    def _send(self, method, path, body, headers):
        self._pace()
        if self.conn is None:
            if self.https:
                # PIM_CA_FILE: the CA `pimsim run --tls` made; else the system's.
                context = ssl.create_default_context(cafile=os.environ.get("PIM_CA_FILE") or None)
                self.conn = http.client.HTTPSConnection(self.host, self.port, timeout=30,
                                                        context=context)
            else:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self.conn.request(method, self.prefix + path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            return None, None, b""
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, response.getheader("Retry-After"), data

    def _authenticate(self):
        client_id, secret, username, password = self.credentials
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        body = json.dumps({"grant_type": "password", "username": username, "password": password})
        status, data = self._with_retries(
            "POST", "/api/oauth/v1/token", body,
            {"Authorization": "Basic " + basic, "Content-Type": "application/json"})
        if status != 200:
            raise GaveUp(f"token request answered {status}: {data[:200]!r}")
        self.token = json.loads(data)["access_token"]

    def _with_retries(self, method, path, body, headers):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status, retry_after, data = self._send(method, path, body, headers)
            if status is not None and status not in RETRYABLE:
                return status, data
            if attempt == MAX_ATTEMPTS:
                raise GaveUp(f"{method} {path}: {status or 'no response'} after {attempt} attempts")
            cap = min(MAX_WAIT_S, BASE_WAIT_S * 2 ** (attempt - 1))
            wait = self.rng.uniform(0, cap)
            delay = retry_after_seconds(retry_after)
            if delay is not None:
                wait += delay
            elif status == 429:
                wait += 1.0  # a 429 without Retry-After still backs off
            self.retries += 1
            time.sleep(wait)
        raise AssertionError("unreachable")

    def call(self, method, path, body=None, content_type="application/json"):
        if self.token is None:
            self._authenticate()
        for refreshed in (False, True):
            headers = {"Authorization": "Bearer " + self.token}
            if body is not None:
                headers["Content-Type"] = content_type
            status, data = self._with_retries(method, path, body, headers)
            if status == 401 and not refreshed:
                self._authenticate()
                continue
            return status, data
        return status, data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--verify", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    env = os.environ
    try:
        pim = Pim(env["PIM_BASE_URL"], env["PIM_CLIENT_ID"], env["PIM_CLIENT_SECRET"],
                  env["PIM_USERNAME"], env["PIM_PASSWORD"], random.Random(args.seed))
    except KeyError as missing:
        print(f"python_integration: {missing} is not set (run me through `pimsim run`)",
              file=sys.stderr)
        return 3
    try:
        for resource in ("channels", "locales", "families"):
            status, _ = pim.call("GET", f"/api/rest/v1/{resource}?limit=100")
            if status != 200:
                raise GaveUp(f"GET {resource} answered {status}")

        pending = [{"identifier": f"example-{i:06d}", "enabled": True, "values": {}}
                   for i in range(args.products)]
        rejected = []
        applied = 0
        rounds = 0
        while pending and rounds < MAX_ATTEMPTS:
            rounds += 1
            again = []
            for start in range(0, len(pending), args.batch):
                lines = pending[start:start + args.batch]
                body = "\n".join(json.dumps(p) for p in lines)
                status, data = pim.call("PATCH", "/api/rest/v1/products", body,
                                        "application/vnd.akeneo.collection+json")
                if status != 200:
                    raise GaveUp(f"batch PATCH answered {status}: {data[:200]!r}")
                by_id = {p["identifier"]: p for p in lines}
                for line in data.decode().splitlines():
                    result = json.loads(line)
                    code = result.get("status_code", 0)
                    if code in (200, 201, 204):
                        applied += 1
                    elif code in RETRYABLE:
                        again.append(by_id[result["identifier"]])
                    else:
                        rejected.append(result)
            pending = again

        for i in range(min(args.verify, args.products)):
            status, _ = pim.call("GET", f"/api/rest/v1/products/example-{i:06d}")
            if status != 200:
                raise GaveUp(f"GET example-{i:06d} answered {status}")

        pages = 0
        path = "/api/rest/v1/products?limit=100&pagination_type=search_after"
        while path:
            status, data = pim.call("GET", path)
            if status != 200:
                raise GaveUp(f"GET {path} answered {status}")
            pages += 1
            page = json.loads(data)
            nxt = page.get("_links", {}).get("next", {}).get("href")
            path = urllib.parse.urlsplit(nxt)._replace(scheme="", netloc="").geturl() if nxt else None
            if path and pim.prefix and path.startswith(pim.prefix):
                path = path[len(pim.prefix):]
    except GaveUp as e:
        print(f"python_integration: gave up: {e}", file=sys.stderr)
        return 3
    print(f"python_integration: {applied} applied, {len(rejected)} rejected, "
          f"{len(pending)} not applied, {pages} pages read, {pim.retries} retries")
    for r in rejected[:10]:
        print(f"  rejected: {json.dumps(r)}")
    if pending:
        return 3
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
