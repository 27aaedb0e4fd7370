#!/usr/bin/env python3
"""The workloads every real client runs against the mock, and how they are paced.

A workload is a plan: a list of operations, each an HTTP method, a path under
PIM_BASE_URL, an optional JSON body and the time (seconds after the client got
its token) at which it should start. Every client runs the same plan through
its own retry machinery, in LANES lanes (at most LANES requests in flight on
the one PIM connection, Akeneo's limit), starting operations in plan order,
none before its time and none within MIN_SPACING_S of the previous start (so a
lane that catches up after a long wait never bursts past Akeneo's rate). A
client never reacts to a failure by itself: what happens after one is the
client library's retry policy alone.

  unique  every operation has its own URL (and body): GETs of seeded products,
          PATCH upserts and POST creates of new products, list pages with
          distinct query strings. A same-fingerprint request in the journal is
          then always a retry.
  repeat  what real sync integrations do besides: 30 % of the products read
          are read again a few seconds later, one list page is polled every
          3 s, some PATCH upserts are sent again with the same body. The
          repeats are planned operations, never reactions to a failure.

Python clients import this module; other clients read the plan as JSON from
`python3 workload.py NAME`.
"""

import collections
import json
import random
import sys
import threading
import time

# run_client.py seeds this many products (product_000001 ...).
SEEDED_PRODUCTS = 400
# First attempts are spread evenly over this many seconds.
SPREAD_S = 36.0
LANES = 4
MIN_SPACING_S = 0.04
LIST_PAGE_SIZE = 10
WORKLOADS = ("unique", "repeat")

_PRODUCTS = "/api/rest/v1/products"


def _product(i):
    return "product_%06d" % i


def _get(i):
    return {"method": "GET", "path": "%s/%s" % (_PRODUCTS, _product(i)), "body": None}


def _list(page):
    return {"method": "GET", "body": None,
            "path": "%s?limit=%d&page=%d" % (_PRODUCTS, LIST_PAGE_SIZE, page)}


def _values(code, text):
    return {"name": [{"locale": "en_US", "scope": None, "data": text}],
            "description": [{"locale": "en_US", "scope": "ecommerce",
                             "data": "Imported by a real-client test: %s" % code}]}


def _patch(code, text):
    body = {"identifier": code, "values": _values(code, text)}
    return {"method": "PATCH", "path": "%s/%s" % (_PRODUCTS, code),
            "body": json.dumps(body, sort_keys=True, separators=(",", ":"))}


def _post(code):
    body = {"identifier": code, "values": _values(code, "New " + code)}
    return {"method": "POST", "path": _PRODUCTS,
            "body": json.dumps(body, sort_keys=True, separators=(",", ":"))}


def _spread(ops, rng, spread_s=SPREAD_S):
    """Shuffles `ops` and gives them evenly spaced start times."""
    rng.shuffle(ops)
    step = spread_s / len(ops)
    return [dict(op, at=round(k * step, 3)) for k, op in enumerate(ops)]


def _unique(rng):
    ops = [_get(i) for i in range(1, 171)]
    ops += [_list(p) for p in range(2, 41)]
    ops += [_patch("rc-patch-%04d" % i, "Upserted rc-patch-%04d" % i) for i in range(1, 56)]
    ops += [_post("rc-post-%04d" % i) for i in range(1, 56)]
    return [dict(_list(1), at=0.5)] + _spread(ops, rng)


def _repeat(rng):
    reads = list(range(1, 151))
    ops = [_get(i) for i in reads]
    ops += [_list(p) for p in range(2, 22)]
    ops += [_patch("rc-patch-%04d" % i, "Upserted rc-patch-%04d" % i) for i in range(1, 46)]
    ops += [_post("rc-post-%04d" % i) for i in range(1, 46)]
    plan = _spread(ops, rng)
    # Read again, 4-8 s later: 30 % of the products read.
    for i in rng.sample(reads, k=len(reads) * 3 // 10):
        first = next(op for op in plan if op["path"] == _get(i)["path"])
        plan.append(dict(_get(i), at=round(min(first["at"] + rng.uniform(4, 8), SPREAD_S), 3)))
    # The first page polled every 3 s.
    plan += [dict(_list(1), at=0.5 + 3.0 * k) for k in range(12)]
    # Four products upserted with the same body every 8 s.
    for k, code in enumerate("rc-sync-%04d" % i for i in range(1, 5)):
        plan += [dict(_patch(code, "Synced " + code), at=1.0 + k + 8.0 * n) for n in range(4)]
    plan.sort(key=lambda op: op["at"])
    return plan


def plan(name, seed=20261201):
    """The operations of workload `name` in start order, each a dict with
    method, path, body (JSON text or None) and at (seconds)."""
    rng = random.Random("%s:%d" % (name, seed))
    if name == "unique":
        ops = _unique(rng)
    elif name == "repeat":
        ops = _repeat(rng)
    else:
        raise ValueError("unknown workload %r (expected one of %s)" % (name, ", ".join(WORKLOADS)))
    return sorted(ops, key=lambda op: op["at"])


def plan_document(name):
    """The plan and its pacing as one JSON-ready document (for non-Python clients)."""
    return {"workload": name, "lanes": LANES, "min_spacing_s": MIN_SPACING_S, "ops": plan(name)}


def run_plan(ops, send, lanes=LANES, min_spacing_s=MIN_SPACING_S):
    """Runs `ops` in `lanes` threads as the module docstring says; send(op)
    performs one operation through the client and returns its outcome (a
    status code, or a short error name). Returns (outcomes Counter, seconds)."""
    outcomes = collections.Counter()
    lock = threading.Lock()
    state = {"next": 0, "last_start": float("-inf")}
    start = time.monotonic()

    def lane():
        while True:
            with lock:
                i = state["next"]
                if i >= len(ops):
                    return
                state["next"] = i + 1
                t = max(start + ops[i]["at"], state["last_start"] + min_spacing_s)
                state["last_start"] = t
            delay = t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            outcome = str(send(ops[i]))
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=lane, daemon=True) for _ in range(lanes)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return outcomes, time.monotonic() - start


def summary_line(client, workload, outcomes, seconds):
    """The last line every client prints: what it did, as JSON."""
    return json.dumps({"client": client, "workload": workload, "ops": sum(outcomes.values()),
                       "seconds": round(seconds, 3), "outcomes": dict(sorted(outcomes.items()))},
                      sort_keys=True)


def main(argv):
    if len(argv) != 2 or argv[1] not in WORKLOADS:
        sys.stderr.write("usage: workload.py %s\n" % "|".join(WORKLOADS))
        return 2
    json.dump(plan_document(argv[1]), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
