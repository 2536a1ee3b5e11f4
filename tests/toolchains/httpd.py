#!/usr/bin/env python3
"""A loopback file server for the fetch tests.

usage: httpd.py DIR PORTFILE -- serves DIR on 127.0.0.1 at a free port, written to PORTFILE once
listening. GET /truncated/NAME promises twice NAME's length, sends NAME and closes the connection
(a server that dies mid-transfer). Exits by itself after 10 minutes, should the test not kill it.
"""
import functools
import http.server
import os
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if not self.path.startswith("/truncated/"):
            return super().do_GET()
        path = os.path.join(self.directory, os.path.basename(self.path))
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(2 * len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, fmt, *args):
        pass


def main(directory, portfile):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=directory))
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    threading.Timer(600, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
