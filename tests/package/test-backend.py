#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Minimal REST backend for tests/package/deb-test.sh when prc-example-backend is not built.

Serves the same answers deb-test.sh expects from examples/backend/data.json:
GET /domain|/mailbox|/alias?key=K, GET /socketmap?name=TABLE&key=K, POST /policy (form body).
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TABLES = {
    "domain": {"example.com": ["OK"], "example.org": ["OK"]},
    "mailbox": {"alice@example.com": ["example.com/alice/"], "bob@example.org": ["example.org/bob/"]},
    "alias": {"postmaster@example.com": ["admin@example.com", "ops@example.com"]},
}
BLOCKED = {"blocked@example.com", "spamtrap@example.org"}


class Handler(BaseHTTPRequestHandler):
    token = ""

    def answer(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self):
        if self.headers.get("X-Auth-Token") != self.token:
            self.answer(401, "missing or wrong X-Auth-Token", "text/plain")
            return False
        return True

    def do_GET(self):
        if not self.authorised():
            return
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        table = query.get("name") if url.path == "/socketmap" else url.path.lstrip("/")
        if table not in TABLES or "key" not in query:
            self.answer(400, "unknown table or missing key", "text/plain")
            return
        values = TABLES[table].get(query["key"])
        if values is None:
            self.answer(404, "not found", "text/plain")
        else:
            self.answer(200, json.dumps(values))

    def do_POST(self):
        if not self.authorised():
            return
        if urlsplit(self.path).path != "/policy":
            self.answer(400, "unknown path", "text/plain")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        attributes = {k: v[0] for k, v in parse_qs(body).items()}
        if attributes.get("recipient") in BLOCKED:
            self.answer(200, "REJECT 5.7.1 Recipient address rejected by policy", "text/plain")
        else:
            self.answer(200, "DUNNO", "text/plain")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    Handler.token = args.token
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
