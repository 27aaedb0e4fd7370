#!/usr/bin/python3
"""A client that keeps to Akeneo's limits, for the soak and abuse scripts.

  compliant_client.py --base=http://127.0.0.1:8080 --seconds=600
                      [--ops=N] [--client=pimsim] [--lanes=4] [--rate=80]
                      [--seed=1] [--summary=FILE] [--latencies=FILE]

It gets one OAuth token, then runs LANES lanes (one keep-alive connection
each, so never more than LANES requests in flight on its PIM connection) for
SECONDS, or until the lanes together have started OPS operations when --ops
is given (so that runs to be compared send the same number). Every attempt,
first or retry, waits for the shared pacer, which starts at most RATE a
second. Operations are reads of seeded products and of list pages and PATCH
upserts of seeded products, each with its own URL (an `op` query parameter),
so that the journal tells every retry from a new request. Lanes partition
the products, so no two lanes ever work on the same one. A failure (408, 429,
5xx, a dropped connection) is retried up to 6 times with full jitter (a
uniform draw under a cap that doubles from 0.5 s to 8 s); after a Retry-After
the wait is Retry-After plus that draw. 4xx are not retried.

The summary (one JSON line on stdout, and in --summary) counts the attempts
the client sent (the request written whole), by outcome, and gives the
latency of the attempts that got a response: p50, p90, p99 and max, in
milliseconds. An attempt's latency is taken on the monotonic clock, from just
before its request is written (after the pacer's wait) to its last body byte
read. --latencies writes every one of them, in milliseconds, one a line.
"""

import argparse
import base64
import http.client
import json
import random
import socket
import sys
import threading
import time
import urllib.parse

SEEDED_PRODUCTS = 400
MAX_ATTEMPTS = 7
BASE_WAIT_S = 0.5
MAX_WAIT_S = 8.0
TIMEOUT_S = 30.0
RETRYABLE = {408, 429, 500, 502, 503, 504}


class Pacer:
    """Hands out start times at most `rate` a second, shared by the lanes."""

    def __init__(self, rate):
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self):
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        delay = start - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class Tickets:
    """Hands out at most `limit` operations to the lanes (None: no limit)."""

    def __init__(self, limit):
        self._left = limit
        self._lock = threading.Lock()

    def take(self):
        if self._left is None:
            return True
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.statuses = {}
        self.dropped = 0  # sent, then the connection failed before a response
        self.unsent = 0   # the connection failed while writing the request
        self.ops = 0
        self.ops_failed = 0
        self.retries = 0
        self.latencies_ms = []

    def summary(self, seconds):
        lat = sorted(self.latencies_ms)

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

        return {"seconds": seconds, "sent": self.sent, "statuses": self.statuses,
                "dropped": self.dropped, "unsent": self.unsent, "ops": self.ops,
                "ops_failed": self.ops_failed, "retries": self.retries,
                "rate": round(self.sent / seconds, 1) if seconds else 0,
                "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99),
                               "max": round(lat[-1], 2) if lat else None, "n": len(lat)}}


def get_token(host, port, client, prefix):
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
    auth = base64.b64encode(("%s:%s" % (client, client)).encode()).decode()
    body = json.dumps({"grant_type": "password", "username": "admin", "password": "admin"})
    for attempt in range(MAX_ATTEMPTS):
        try:
            conn.request("POST", prefix + "/api/oauth/v1/token", body,
                         {"Authorization": "Basic " + auth, "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status == 200:
                conn.close()
                return json.loads(data)["access_token"]
            if r.status not in RETRYABLE:
                raise SystemExit("token request answered %d: %r" % (r.status, data[:200]))
        except (OSError, http.client.HTTPException):
            conn.close()
        time.sleep(random.uniform(0, min(MAX_WAIT_S, BASE_WAIT_S * 2 ** attempt)))
    raise SystemExit("no token after %d attempts" % MAX_ATTEMPTS)


def retry_after_s(value):
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the mock sends seconds by default


def lane(index, lanes, args, host, port, prefix, token, pacer, tickets, stats, stop_at, rng):
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
    products = [i for i in range(1, SEEDED_PRODUCTS + 1) if i % lanes == index]
    n = 0
    while time.monotonic() < stop_at and tickets.take():
        n += 1
        code = "product_%06d" % rng.choice(products)
        op = "%d-%d" % (index, n)
        kind = rng.random()
        body = None
        headers = {"Authorization": "Bearer " + token}
        if kind < 0.70:
            method, path = "GET", "%s/api/rest/v1/products/%s?op=%s" % (prefix, code, op)
        elif kind < 0.85:
            page = 1 + (n * lanes + index) % 40
            method, path = "GET", "%s/api/rest/v1/products?limit=10&page=%d&op=%s" % (
                prefix, page, op)
        else:
            method = "PATCH"
            path = "%s/api/rest/v1/products/%s?op=%s" % (prefix, code, op)
            body = json.dumps({"identifier": code, "values": {"name": [
                {"locale": "en_US", "scope": None, "data": "soak %s" % op}]}})
            headers["Content-Type"] = "application/json"
        ok = False
        # A failure is retried even after SECONDS, so that the run ends with
        # no failure left unretried.
        for attempt in range(MAX_ATTEMPTS):
            pacer.wait()
            wait = None
            sent = False
            try:
                t0 = time.monotonic()
                conn.request(method, path, body, headers)
                sent = True
                with stats.lock:
                    stats.sent += 1
                    stats.retries += attempt > 0
                r = conn.getresponse()
                r.read()
                elapsed_ms = (time.monotonic() - t0) * 1000
                with stats.lock:
                    stats.statuses[str(r.status)] = stats.statuses.get(str(r.status), 0) + 1
                    stats.latencies_ms.append(elapsed_ms)
                if r.status < 400:
                    ok = True
                    break
                if r.status not in RETRYABLE:
                    break
                wait = retry_after_s(r.getheader("Retry-After"))
            except (OSError, http.client.HTTPException):
                with stats.lock:
                    if sent:
                        stats.dropped += 1
                    else:
                        stats.unsent += 1
                conn.close()
            jitter = rng.uniform(0, min(MAX_WAIT_S, BASE_WAIT_S * 2 ** attempt))
            time.sleep((wait or 0) + jitter)
        with stats.lock:
            stats.ops += 1
            stats.ops_failed += not ok
    conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="http://HOST:PORT[/instance]")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--ops", type=int, help="stop after this many operations (not SECONDS)")
    p.add_argument("--client", default="pimsim", help="client id; the secret is the same")
    p.add_argument("--lanes", type=int, default=4)
    p.add_argument("--rate", type=float, default=80)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--summary", help="also write the summary JSON here")
    p.add_argument("--latencies", help="write every attempt's latency (ms) here, one a line")
    args = p.parse_args()
    url = urllib.parse.urlsplit(args.base)
    host, port, prefix = url.hostname, url.port or 80, url.path.rstrip("/")
    socket.setdefaulttimeout(TIMEOUT_S)
    token = get_token(host, port, args.client, prefix)
    pacer = Pacer(args.rate)
    stats = Stats()
    start = time.monotonic()
    stop_at = float("inf") if args.ops is not None else start + args.seconds
    tickets = Tickets(args.ops)
    threads = [threading.Thread(target=lane, daemon=True,
                                args=(i, args.lanes, args, host, port, prefix, token, pacer,
                                      tickets, stats, stop_at, random.Random(args.seed * 1000 + i)))
               for i in range(args.lanes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = stats.summary(round(time.monotonic() - start, 1))
    summary["token_requests"] = 1
    line = json.dumps(summary, sort_keys=True)
    print(line)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(line + "\n")
    if args.latencies:
        with open(args.latencies, "w") as f:
            f.writelines("%.4f\n" % ms for ms in stats.latencies_ms)


if __name__ == "__main__":
    main()
