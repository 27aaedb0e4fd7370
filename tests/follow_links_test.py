#!/usr/bin/env python3
"""A stock HTTP client walks the mock's lists by their links, as Akeneo's
documentation says to: it requests the first page, then each
`_links.next.href` exactly as given, over `pimsim serve` (http) and
`pimsim serve --tls` (https, verifying the made certificate).

For products, products-uuid and product models, in page and search_after
modes, and categories in page mode (search_after is not offered for them,
akeneo-api.md section 3), the walk must:
  - see only absolute hrefs on the scheme and host the client used;
  - reach every item once, the count `with_count=true` states, the same set
    in both modes;
  - find each item again at its own absolute `_links.self.href`.
Creating a category answers an absolute Location, and a request carrying a
proxy's X-Forwarded-Proto and X-Forwarded-Host gets links on that origin.

    bazel test //tests:follow_links_test
    python3 tests/follow_links_test.py bazel-bin/tools/pimsim
"""

import base64
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

PIMSIM = None
LIMIT = 7  # a page size that leaves a partly filled last page


class Server:
    """A `pimsim serve` on 127.0.0.1:0 and what its first line says."""

    def __init__(self, *flags):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.proc = subprocess.Popen(
            [PIMSIM, "serve", "--listen=127.0.0.1:0", "--latency=0", "--seed_products=40",
             *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.dir)
        first = self.proc.stdout.readline().strip()
        m = re.match(r"^(https?)=(\S+)(?: cert=(\S+))? control=\S+$", first)
        if not m:
            self.stop()
            raise AssertionError("unexpected first line %r: %s" % (first, self.proc.stderr.read()))
        self.scheme, self.hostport, cert = m.group(1), m.group(2), m.group(3)
        self.context = None
        if self.scheme == "https":
            self.context = ssl.create_default_context(cafile=cert)

    def connect(self, netloc):
        host, _, port = netloc.rpartition(":")
        if self.scheme == "https":
            return http.client.HTTPSConnection(host, int(port), context=self.context, timeout=10)
        return http.client.HTTPConnection(host, int(port), timeout=10)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


class Client:
    """http.client on keep-alive connections, one per origin, with a token."""

    def __init__(self, server):
        self.server = server
        self.connections = {}
        basic = base64.b64encode(b"pimsim:pimsim").decode()
        status, body, _ = self.request(
            "POST", server.hostport, "/api/oauth/v1/token",
            {"Authorization": "Basic " + basic, "Content-Type": "application/json"},
            json.dumps({"grant_type": "password", "username": "admin", "password": "admin"}))
        assert status == 200, (status, body)
        self.token = json.loads(body)["access_token"]

    def request(self, method, netloc, target, headers, body=None):
        conn = self.connections.get(netloc)
        if conn is None:
            conn = self.connections[netloc] = self.server.connect(netloc)
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data, response

    def get(self, url, extra=None):
        """GETs an absolute URL verbatim (its path and query as given)."""
        parts = urllib.parse.urlsplit(url)
        assert parts.scheme == self.server.scheme, url
        target = parts.path + ("?" + parts.query if parts.query else "")
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        headers.update(extra or {})
        status, body, _ = self.request("GET", parts.netloc, target, headers)
        assert status == 200, (url, status, body[:300])
        return json.loads(body)

    def close(self):
        for conn in self.connections.values():
            conn.close()


def key_of(item):
    return item.get("uuid") or item.get("identifier") or item["code"]


class FollowLinksBase:
    FLAGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.FLAGS)
        cls.client = Client(cls.server)
        cls.origin = "%s://%s" % (cls.server.scheme, cls.server.hostport)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.server.stop()

    def assert_on_origin(self, href, origin=None):
        origin = origin or self.origin
        self.assertTrue(href.startswith(origin + "/api/rest/v1/"), "%s not on %s" % (href, origin))

    def walk(self, collection, mode):
        """Every item of `collection`, page by page along next.href."""
        url = "%s/api/rest/v1/%s?limit=%d&pagination_type=%s" % (self.origin, collection, LIMIT,
                                                                  mode)
        if mode == "page":
            url += "&with_count=true"
        seen, pages, count = [], 0, None
        while url is not None:
            page = self.client.get(url)
            pages += 1
            self.assertLess(pages, 1000, "the walk does not end")
            links = page["_links"]
            for name, link in links.items():
                self.assert_on_origin(link["href"])
            if pages > 1:  # the first request's query is ours; the server writes it its way
                self.assertEqual(links["self"]["href"], url)
            if mode == "page" and count is None:
                count = page["items_count"]
            for item in page["_embedded"]["items"]:
                self.assert_on_origin(item["_links"]["self"]["href"])
                seen.append(item)
            url = links["next"]["href"] if "next" in links else None
        keys = [key_of(i) for i in seen]
        self.assertEqual(len(keys), len(set(keys)), "an item came twice")
        if count is not None:
            self.assertEqual(len(keys), count)
        self.assertGreater(pages, 1, "a single page proves nothing")
        return seen

    def check_collection(self, collection, modes=("page", "search_after")):
        sets = {}
        for mode in modes:
            items = self.walk(collection, mode)
            sets[mode] = {key_of(i) for i in items}
        if len(modes) > 1:
            self.assertEqual(sets["page"], sets["search_after"])
        # Each item is found again at its own link.
        for item in items[:: max(1, len(items) // 5)]:
            again = self.client.get(item["_links"]["self"]["href"])
            self.assertEqual(key_of(again), key_of(item))

    def test_products(self):
        self.check_collection("products")

    def test_products_uuid(self):
        self.check_collection("products-uuid")

    def test_product_models(self):
        self.check_collection("product-models")

    def test_categories(self):
        self.check_collection("categories", modes=("page",))

    def test_location_is_absolute(self):
        headers = {"Authorization": "Bearer " + self.client.token,
                   "Content-Type": "application/json"}
        code = "follow_links_%s" % self.server.scheme
        status, body, response = self.client.request(
            "POST", self.server.hostport, "/api/rest/v1/categories", headers,
            json.dumps({"code": code, "parent": None}))
        self.assertEqual(status, 201, body)
        location = response.getheader("Location")
        self.assertEqual(location, "%s/api/rest/v1/categories/%s" % (self.origin, code))
        self.assertEqual(self.client.get(location)["code"], code)

    def test_root_names_the_host(self):
        root = self.client.get(self.origin + "/api/rest/v1")
        self.assertEqual(root["host"], self.origin)
        self.assertEqual(root["authentication"]["fos_oauth_server_token"]["route"],
                         "/api/oauth/v1/token")

    def test_forwarded_headers_name_the_proxys_origin(self):
        page = self.client.get(
            "%s/api/rest/v1/products?limit=2" % self.origin,
            {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "pim.example.com:8443"})
        self.assert_on_origin(page["_links"]["next"]["href"], "https://pim.example.com:8443")
        for item in page["_embedded"]["items"]:
            self.assert_on_origin(item["_links"]["self"]["href"], "https://pim.example.com:8443")


class FollowLinksHttpTest(FollowLinksBase, unittest.TestCase):
    FLAGS = ()


class FollowLinksHttpsTest(FollowLinksBase, unittest.TestCase):
    FLAGS = ("--tls",)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: follow_links_test.py PIMSIM")
    PIMSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main()
