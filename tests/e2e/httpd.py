#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tiny HTTP server for the e2e scenarios: answers "<name>\n".

GET /slow?ms=N waits N ms before answering (a long-lived connection);
GET /big?bytes=N answers N bytes. Writes "ready" to the ready file once
it listens, so scenarios poll instead of sleeping.
"""
import http.server
import sys
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        body = (self.server.name + "\n").encode()
        if url.path == "/slow":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000)
        elif url.path == "/big":
            body = b"x" * int(q.get("bytes", ["100000"])[0])
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    name, addr, port, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    srv = http.server.ThreadingHTTPServer((addr, port), Handler)
    srv.name = name
    with open(ready, "w") as f:
        f.write("ready\n")
    srv.serve_forever()


if __name__ == "__main__":
    main()
