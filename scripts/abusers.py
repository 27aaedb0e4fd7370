#!/usr/bin/python3
"""Abusive clients of the mock, for scripts/abuse.sh. Bounded in count and time.

  abusers.py --base=http://127.0.0.1:8080 --seconds=60 [--idle=5000]
             [--slow_heads=200] [--slow_bodies=200] [--flood_rate=200]
             [--flood_hold=30] [--never_read=20] [--hostile_rate=4]
             [--ready=FILE] [--summary=FILE]

Runs, all at once, for SECONDS:
  idle         IDLE connections that never send a byte (reopened, at most 100
               a second, when the server closes them);
  slow heads   connections sending a request head one byte a second;
  slow bodies  connections sending a 100,000-byte body one byte a second;
  flood        FLOOD_RATE new connections a second, each silent, reset after
               FLOOD_HOLD seconds (so idle and flood together can fill the
               server's table);
  never read   every 2 s a connection (client pimsim-3) that sends 20 pipelined
               requests for 100-product list pages and never reads, with a
               small receive buffer; at most NEVER_READ at once, the oldest
               reset to make room;
  hostile JSON HOSTILE_RATE requests a second (client pimsim-2), read in full:
               nesting 100,000 deep, an object of 200,000 keys, invalid UTF-8,
               truncated documents, batches of such lines.
Writes "ready" to --ready once the idle connections are open, and prints a
JSON summary of what each kind saw.
"""

import argparse
import base64
import http.client
import json
import selectors
import socket
import struct
import sys
import threading
import time
import urllib.parse

RECONNECTS_PER_S = 100


def token(host, port, client):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    auth = base64.b64encode(("%s:%s" % (client, client)).encode()).decode()
    for _ in range(20):
        try:
            conn.request("POST", "/api/oauth/v1/token",
                         json.dumps({"grant_type": "password", "username": "admin",
                                     "password": "admin"}),
                         {"Authorization": "Basic " + auth, "Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
            if r.status == 200:
                return json.loads(body)["access_token"]
        except (OSError, http.client.HTTPException):
            conn.close()
        time.sleep(1)
    raise SystemExit("abusers: no token for " + client)


def reset_close(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


class Pool:
    """Connections of one kind, kept at `target` and driven by the selector."""

    def __init__(self, name, target, first, trickle):
        self.name, self.target, self.first, self.trickle = name, target, first, trickle
        self.socks = {}  # socket -> next byte index into trickle
        self.opened = self.closed_by_server = self.failed = self.bytes_sent = 0
        self.statuses = {}

    def summary(self):
        return {"target": self.target, "opened": self.opened, "open_at_end": len(self.socks),
                "closed_by_server": self.closed_by_server, "connect_failed": self.failed,
                "responses": self.statuses}


class Abusers:
    def __init__(self, args):
        url = urllib.parse.urlsplit(args.base)
        self.addr = (url.hostname, url.port)
        self.args = args
        self.sel = selectors.DefaultSelector()
        head = b"GET /api/rest/v1/products HTTP/1.1\r\nHost: pim\r\n"
        self.pools = [
            Pool("idle", args.idle, b"", b""),
            Pool("slow_heads", args.slow_heads, head, b"X-Slow: " + b"a" * 100000),
            Pool("slow_bodies", args.slow_bodies,
                 b"POST /api/rest/v1/products HTTP/1.1\r\nHost: pim\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
                 b"a" * 100000),
        ]
        self.flood = []  # (reset_at, socket)
        self.flood_opened = self.flood_failed = self.flood_closed_by_server = 0
        self.never = []
        self.never_opened = self.never_failed = 0
        self.hostile = {}
        self.hostile_errors = 0
        self.stop = False

    def connect(self, blocking):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if blocking:
            s.settimeout(5)
            s.connect(self.addr)
            s.setblocking(False)
        else:
            s.setblocking(False)
            err = s.connect_ex(self.addr)
            if err not in (0, 115):  # EINPROGRESS
                s.close()
                raise OSError(err, "connect")
        return s

    def fill(self, pool, budget):
        while len(pool.socks) < pool.target and budget > 0:
            budget -= 1
            try:
                s = self.connect(blocking=True)
                if pool.first:
                    s.send(pool.first)
            except OSError:
                pool.failed += 1
                continue
            pool.opened += 1
            pool.socks[s] = 0
            self.sel.register(s, selectors.EVENT_READ, pool)
        return budget

    def on_readable(self, s, owner):
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if data:
            if isinstance(owner, Pool) and data.startswith(b"HTTP/1.1 "):
                status = data[9:12].decode(errors="replace")
                owner.statuses[status] = owner.statuses.get(status, 0) + 1
            return
        self.sel.unregister(s)
        s.close()
        if owner == "flood":
            self.flood_closed_by_server += 1
            self.flood = [(t, f) for t, f in self.flood if f is not s]
        else:
            owner.closed_by_server += 1
            owner.socks.pop(s, None)

    def trickle(self):
        for pool in self.pools[1:]:
            for s, i in list(pool.socks.items()):
                if i >= len(pool.trickle):
                    continue
                try:
                    s.send(pool.trickle[i:i + 1])
                    pool.socks[s] = i + 1
                    pool.bytes_sent += 1
                except OSError:
                    pass  # the selector sees the close

    def flood_tick(self, now, count):
        for _ in range(count):
            try:
                s = self.connect(blocking=False)
            except OSError:
                self.flood_failed += 1
                continue
            self.flood_opened += 1
            self.flood.append((now + self.args.flood_hold, s))
            self.sel.register(s, selectors.EVENT_READ, "flood")
        while self.flood and self.flood[0][0] <= now:
            _, s = self.flood.pop(0)
            self.sel.unregister(s)
            reset_close(s)

    def never_read_tick(self, tok):
        if len(self.never) >= self.args.never_read:
            reset_close(self.never.pop(0))
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(5)
            s.connect(self.addr)
            req = ("GET /api/rest/v1/products?limit=100&page=%d HTTP/1.1\r\nHost: pim\r\n"
                   "Authorization: Bearer %s\r\n\r\n")
            s.sendall(b"".join((req % (1 + i, tok)).encode() for i in range(20)))
        except OSError:
            self.never_failed += 1
            return
        self.never_opened += 1
        self.never.append(s)

    def hostile_loop(self, tok, stop_at):
        bodies = [
            ("PATCH", "/api/rest/v1/products/abuse_deep", b"[" * 100000),
            ("PATCH", "/api/rest/v1/products/abuse_deep_obj", b'{"a":' * 50000 + b"1" + b"}" * 50000),
            ("PATCH", "/api/rest/v1/products/abuse_wide",
             ("{" + ",".join('"k%d":%d' % (i, i) for i in range(200000)) + "}").encode()),
            ("PATCH", "/api/rest/v1/products/abuse_utf8",
             b'{"identifier":"abuse_utf8","values":{"name":[{"locale":"en_US","scope":null,'
             b'"data":"\xff\xfe\xc0\xaf\xed\xa0\x80"}]}}'),
            ("POST", "/api/rest/v1/products", b'{"identifier":"abuse_trunc","values":{"name":['),
            ("PATCH", "/api/rest/v1/products",
             b"\n".join([b"[" * 1000, b'{"identifier":"\xff"}', b"{" * 70 + b"}" * 70] * 30)),
            ("PATCH", "/api/rest/v1/products/abuse_num", b'{"identifier":' + b"9" * 500000 + b"}"),
        ]
        conn = http.client.HTTPConnection(*self.addr, timeout=30)
        i = 0
        while time.monotonic() < stop_at and not self.stop:
            method, path, body = bodies[i % len(bodies)]
            i += 1
            ctype = ("application/vnd.akeneo.collection+json" if path.endswith("products")
                     and method == "PATCH" else "application/json")
            try:
                conn.request(method, path, body, {"Authorization": "Bearer " + tok,
                                                  "Content-Type": ctype})
                r = conn.getresponse()
                r.read()
                self.hostile[str(r.status)] = self.hostile.get(str(r.status), 0) + 1
            except (OSError, http.client.HTTPException):
                self.hostile_errors += 1
                conn.close()
            time.sleep(1.0 / self.args.hostile_rate)

    def run(self):
        a = self.args
        host, port = self.addr
        tok2, tok3 = token(host, port, "pimsim-2"), token(host, port, "pimsim-3")
        # The idle pool first, as fast as it connects.
        self.fill(self.pools[0], a.idle)
        if a.ready:
            with open(a.ready, "w") as f:
                f.write("ready %d\n" % len(self.pools[0].socks))
        start = time.monotonic()
        stop_at = start + a.seconds
        hostile = threading.Thread(target=self.hostile_loop, args=(tok2, stop_at), daemon=True)
        hostile.start()
        next_trickle = next_never = start
        last = start
        flood_due = 0.0
        while time.monotonic() < stop_at:
            now = time.monotonic()
            budget = int(RECONNECTS_PER_S * max(0.0, now - last)) + 1
            for pool in self.pools:
                budget = self.fill(pool, budget)
            flood_due += a.flood_rate * (now - last)
            self.flood_tick(now, int(flood_due))
            flood_due -= int(flood_due)
            last = now
            if now >= next_trickle:
                self.trickle()
                next_trickle = now + 1
            if a.never_read and now >= next_never:
                self.never_read_tick(tok3)
                next_never = now + 2
            for key, _ in self.sel.select(timeout=0.05):
                self.on_readable(key.fileobj, key.data)
        self.stop = True
        hostile.join(timeout=40)
        summary = {p.name: p.summary() for p in self.pools}
        summary["flood"] = {"rate": a.flood_rate, "hold_s": a.flood_hold,
                            "opened": self.flood_opened, "connect_failed": self.flood_failed,
                            "closed_by_server": self.flood_closed_by_server}
        summary["never_read"] = {"opened": self.never_opened, "connect_failed": self.never_failed}
        summary["hostile_json"] = {"responses": self.hostile, "errors": self.hostile_errors}
        for key in list(self.sel.get_map().values()):
            reset_close(key.fileobj)
        for s in self.never:
            reset_close(s)
        return summary


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--idle", type=int, default=5000)
    p.add_argument("--slow_heads", type=int, default=200)
    p.add_argument("--slow_bodies", type=int, default=200)
    p.add_argument("--flood_rate", type=float, default=200)
    p.add_argument("--flood_hold", type=float, default=30)
    p.add_argument("--never_read", type=int, default=20)
    p.add_argument("--hostile_rate", type=float, default=4)
    p.add_argument("--ready")
    p.add_argument("--summary")
    args = p.parse_args()
    summary = Abusers(args).run()
    line = json.dumps(summary, sort_keys=True)
    print(line)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
