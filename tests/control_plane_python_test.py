#!/usr/bin/python3
"""Drives the PimControl gRPC API from outside C++ (Debian's python3-grpcio).

Starts `pimsim serve` with the control plane on, reads its limits, tightens
the per-connection limit mid-run and sees concurrent HTTP requests get 429,
adds fault rules and sees them fire, follows the journal over WatchJournal,
reads the counters, and checks that a token-protected control plane refuses
calls without the token.

usage: control_plane_python_test.py PIMSIM_BINARY
"""

import base64
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

# The stubs are generated next to this file (//tests:control_py_proto).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from proto import control_pb2, control_pb2_grpc, faults_pb2, journal_pb2  # noqa: E402

LATENCY = "300ms"  # long enough that 4 simultaneous requests overlap
FIRST_LINE = re.compile(r"^http=(127\.0\.0\.1:\d+) control=(127\.0\.0\.1:\d+)$")


def log(message):
    print(message, flush=True)


def fail(message):
    print("FAIL: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Serve:
    """A `pimsim serve` subprocess and the addresses of its first line."""

    def __init__(self, pimsim, *extra):
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [pimsim, "serve", "--listen=127.0.0.1:0", "--control=127.0.0.1:0",
             "--latency=" + LATENCY, "--seed_products=3", *extra],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        check(ready, "serve printed nothing within 20 s: " + self.err())
        self.first_line = self.proc.stdout.readline().rstrip("\n")
        match = FIRST_LINE.match(self.first_line)
        check(match, "unexpected first line %r: %s" % (self.first_line, self.err()))
        self.http, self.control = match.group(1), match.group(2)

    def err(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=20)


def http(base, method, path, token=None, basic=None, body=None):
    """(status, headers, body) of one request on a fresh TCP connection."""
    request = urllib.request.Request("http://%s%s" % (base, path), method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if basic:
        request.add_header("Authorization",
                           "Basic " + base64.b64encode(basic.encode()).decode())
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data=data, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        with e:  # closes the socket now rather than at garbage collection
            return e.code, dict(e.headers), e.read()


def concurrent_gets(base, token, n, path):
    """Sends n GETs at the same moment; returns their statuses."""
    barrier = threading.Barrier(n)
    statuses = [None] * n

    def one(i):
        barrier.wait()
        statuses[i] = http(base, "GET", path, token=token)[0]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


class Watcher:
    """Collects WatchJournal events in a background thread."""

    def __init__(self, stub):
        self.events = []
        self.status = None
        self.lock = threading.Lock()
        self.call = stub.WatchJournal(control_pb2.WatchJournalRequest(after_id=0))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for event in self.call:
                with self.lock:
                    self.events.append(event)
        except grpc.RpcError as e:
            self.status = e.code()

    def wait_for(self, predicate, what, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if any(predicate(e) for e in self.events):
                    return
            time.sleep(0.02)
        fail("WatchJournal never delivered " + what)


def expect_rpc_error(call, code, text):
    try:
        call()
    except grpc.RpcError as e:
        check(e.code() == code, "expected %s, got %s: %s" % (code, e.code(), e.details()))
        check(text in e.details(), "expected %r in %r" % (text, e.details()))
        return
    fail("expected %s (%s), the call succeeded" % (code, text))


def main():
    pimsim = sys.argv[1]
    serve = Serve(pimsim)
    log("serve: " + serve.first_line)
    channel = grpc.insecure_channel(serve.control)
    grpc.channel_ready_future(channel).result(timeout=10)
    stub = control_pb2_grpc.PimControlStub(channel)

    # --- limits -----------------------------------------------------------
    limits = stub.GetLimits(control_pb2.GetLimitsRequest(), timeout=10)
    log("GetLimits: instance=%s per_connection=%d per_instance=%d rate=%g/s burst=%d" % (
        limits.instance, limits.limits.max_in_flight_per_connection,
        limits.limits.max_in_flight_per_instance,
        limits.limits.instance_rate.requests_per_second, limits.limits.instance_rate.burst))
    check(limits.limits.max_in_flight_per_connection == 4, "default per-connection limit")
    check(limits.limits.instance_rate.requests_per_second == 100, "default instance rate")
    expect_rpc_error(
        lambda: stub.GetLimits(control_pb2.GetLimitsRequest(instance="x"), timeout=10),
        grpc.StatusCode.INVALID_ARGUMENT, 'instance "x" does not exist')

    watcher = Watcher(stub)

    status, _, body = http(serve.http, "POST", "/api/oauth/v1/token", basic="pimsim:pimsim",
                           body={"grant_type": "password", "username": "admin",
                                 "password": "admin"})
    check(status == 200, "token answered %d: %r" % (status, body))
    token = json.loads(body)["access_token"]

    product = "/api/rest/v1/products/product_000001"
    before = concurrent_gets(serve.http, token, 4, product)
    log("4 concurrent GETs at per-connection 4: %s" % before)
    check(before.count(200) == 4, "expected 4 x 200, got %s" % before)

    tightened = control_pb2.SetLimitsRequest()
    tightened.limits.max_in_flight_per_connection = 1
    effective = stub.SetLimits(tightened, timeout=10).limits
    check(effective.max_in_flight_per_connection == 1, "SetLimits did not apply")
    check(effective.max_in_flight_per_instance == 10, "unset fields take the defaults")
    after = concurrent_gets(serve.http, token, 4, product)
    log("4 concurrent GETs at per-connection 1: %s" % after)
    check(after.count(429) >= 1 and after.count(200) >= 1,
          "expected some 200 and some 429, got %s" % after)

    bad = control_pb2.SetLimitsRequest()
    bad.limits.instance_rate.requests_per_second = 0
    expect_rpc_error(lambda: stub.SetLimits(bad, timeout=10), grpc.StatusCode.INVALID_ARGUMENT,
                     "limits.instance_rate.requests_per_second must be > 0, got 0")

    watcher.wait_for(
        lambda e: e.status == 429
        and e.rejection == journal_pb2.REJECTION_CONCURRENCY_CONNECTION,
        "a 429 for the per-connection limit")
    log("WatchJournal: saw the per-connection 429")

    # --- faults -------------------------------------------------------------
    loosen = control_pb2.SetLimitsRequest()  # every default again
    stub.SetLimits(loosen, timeout=10)
    rule = faults_pb2.FaultRule(name="boom")
    rule.match.methods.append("GET")
    rule.match.path = "/api/rest/v1/products/*"
    rule.trigger.first_n = 1
    rule.action.status.code = 503
    added = stub.AddFault(control_pb2.AddFaultRequest(rule=rule), timeout=10).rule
    check(added.name == "boom", "AddFault(rule) returned %s" % added)
    by_spec = stub.AddFault(
        control_pb2.AddFaultRequest(spec="status=502,first=1,path=/api/rest/v1/channels,name=spec"),
        timeout=10).rule
    check(by_spec.action.status.code == 502, "AddFault(spec) returned %s" % by_spec)
    names = [r.name for r in stub.ListFaults(control_pb2.ListFaultsRequest(), timeout=10).rules]
    log("ListFaults: %s" % names)
    check(names == ["boom", "spec"], "ListFaults returned %s" % names)
    expect_rpc_error(
        lambda: stub.AddFault(control_pb2.AddFaultRequest(spec="status=200"), timeout=10),
        grpc.StatusCode.INVALID_ARGUMENT, "spec: ")

    statuses = [http(serve.http, "GET", product, token=token)[0] for _ in range(2)]
    statuses.append(http(serve.http, "GET", "/api/rest/v1/channels", token=token)[0])
    log("GET product twice, then channels, with the faults: %s" % statuses)
    check(statuses == [503, 200, 502], "expected [503, 200, 502], got %s" % statuses)
    watcher.wait_for(lambda e: e.status == 503 and e.fault == "boom", "the event of fault boom")
    log("WatchJournal: saw fault boom")
    removed = stub.ClearFaults(control_pb2.ClearFaultsRequest(), timeout=10).removed
    check(removed == 2, "ClearFaults removed %d" % removed)
    previous = stub.StartPhase(control_pb2.StartPhaseRequest(name="spike"), timeout=10).previous
    check(previous == "", "first phase had a previous one: %r" % previous)

    # --- journal and counters -------------------------------------------------
    page = stub.GetJournal(control_pb2.GetJournalRequest(max_events=10000), timeout=10)
    log("GetJournal: %d events, next_after_id=%d, summary events=%d" % (
        len(page.events), page.next_after_id, page.summary.events))
    check(len(page.events) == 12, "expected 12 events (1 token + 4 + 4 + 3), got %d"
          % len(page.events))
    expect_rpc_error(
        lambda: stub.GetJournal(control_pb2.GetJournalRequest(max_events=10001), timeout=10),
        grpc.StatusCode.INVALID_ARGUMENT, "max_events must be <= 10000")
    counters = stub.GetCounters(control_pb2.GetCountersRequest(), timeout=10).counters
    rejected = sum(v for k, v in counters.items()
                   if k.startswith("pimsim_requests_total{") and 'status="429"' in k)
    log("GetCounters: %d series, %d responses with status 429" % (len(counters), rejected))
    check(rejected == after.count(429), "429 counter %d != %d" % (rejected, after.count(429)))

    # Reset drops events: let the watcher have them all first.
    watcher.wait_for(lambda e: e.id == page.events[-1].id, "the last event")
    stub.Reset(control_pb2.ResetRequest(journal=True), timeout=10)
    page = stub.GetJournal(control_pb2.GetJournalRequest(), timeout=10)
    check(len(page.events) == 0, "Reset(journal) left %d events" % len(page.events))

    # --- shutdown ends the stream -------------------------------------------------
    start = time.time()
    code = serve.stop()
    stopped = time.time() - start
    watcher.thread.join(timeout=10)
    check(not watcher.thread.is_alive(), "WatchJournal did not end when serve stopped")
    check(code == 0, "serve exited %d: %s" % (code, serve.err()))
    check(stopped < 1.5, "serve took %.2f s to stop" % stopped)
    log("SIGTERM: serve exited 0 after %.2f s, WatchJournal ended (%s) after %.2f s with %d events"
        % (stopped, watcher.status, time.time() - start, len(watcher.events)))
    check(len(watcher.events) == 12, "WatchJournal delivered %d events, expected 12"
          % len(watcher.events))
    check([e.id for e in watcher.events] == sorted(e.id for e in watcher.events),
          "WatchJournal events out of order")

    # --- a token-protected control plane ---------------------------------------
    guarded = Serve(pimsim, "--control_token=s3cret")
    channel = grpc.insecure_channel(guarded.control)
    stub = control_pb2_grpc.PimControlStub(channel)
    expect_rpc_error(lambda: stub.GetLimits(control_pb2.GetLimitsRequest(), timeout=10),
                     grpc.StatusCode.UNAUTHENTICATED, "authorization: Bearer")
    limits = stub.GetLimits(control_pb2.GetLimitsRequest(), timeout=10,
                            metadata=[("authorization", "Bearer s3cret")])
    check(limits.limits.max_in_flight_per_connection == 4, "GetLimits with the token")
    check(guarded.stop() == 0, "guarded serve did not exit 0")
    log("token: refused without it, served with it")
    log("PASS")


if __name__ == "__main__":
    main()
