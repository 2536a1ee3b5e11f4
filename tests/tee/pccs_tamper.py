#!/usr/bin/env python3
"""A PCCS that lies: forwards GET requests to UPSTREAM (tee-sim --listen's URL) and alters one
piece of the collateral on the way back, as a man in the middle or a compromised cache would.
  tcb-info   the TCB info's status rewritten (UpToDate -> OutOfDate is not what was signed)
  pck-crl    a byte of the PCK CRL's signature flipped
  root-crl   a byte of the root CA CRL's signature flipped
usage: pccs_tamper.py MODE UPSTREAM PORT_FILE"""
import http.server
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dcap"))
from pccs_mock import serve  # noqa: E402

mode, upstream, port_file = sys.argv[1:4]
TARGET = {"tcb-info": "/tdx/certification/v4/tcb", "pck-crl": "/sgx/certification/v4/pckcrl",
          "root-crl": "/sgx/certification/v4/rootcacrl"}[mode]


def tamper(body):
    if mode == "tcb-info":
        assert b'"tcbStatus":"UpToDate"' in body
        return body.replace(b'"tcbStatus":"UpToDate"', b'"tcbStatus":"OutOfDate"', 1)
    return body[:-1] + bytes([body[-1] ^ 1])  # the last byte of a DER CRL is its signature's


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            with urllib.request.urlopen(upstream + self.path) as r:
                status, headers, body = r.status, r.getheaders(), r.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers.items(), e.read()
        if status == 200 and self.path.split("?")[0] == TARGET:
            body = tamper(body)
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "date", "server", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


serve(Handler, port_file)
