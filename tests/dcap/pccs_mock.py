#!/usr/bin/env python3
"""A PCCS (Intel SGX/TDX provisioning certificate caching service, API v4) for tests, serving one
QuoteCollateralV3 file the way a PCCS serves its pieces: the PCK CRL as DER with its issuer chain
URL-encoded in a header, the TCB info and QE identity as {"tcbInfo"|"enclaveIdentity": <the exact
signed text>, "signature": hex}, the root CA CRL as hex text. Every request path is appended to LOG.
usage: pccs_mock.py COLLATERAL FMSPC PORT_FILE LOG"""
import http.server
import json
import os
import sys
import urllib.parse


def serve(handler, port_file):
    """Serve handler on a free loopback port, published in port_file once listening (atomically)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


class Handler(http.server.BaseHTTPRequestHandler):
    coll, fmspc, log = {}, "", ""

    def reply(self, body, headers=()):
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, urllib.parse.quote(v, safe=""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        coll, fmspc, log = self.coll, self.fmspc, self.log
        with open(log, "a") as f:
            f.write(self.path + "\n")
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/sgx/certification/v4/pckcrl":
            return self.reply(bytes.fromhex(coll["pck_crl"]), [("SGX-PCK-CRL-Issuer-Chain", coll["pck_crl_issuer_chain"])])
        if url.path == "/tdx/certification/v4/tcb" and q.get("fmspc", [""])[0].upper() == fmspc:
            body = '{"tcbInfo":%s,"signature":"%s"}' % (coll["tcb_info"], coll["tcb_info_signature"])
            return self.reply(body.encode(), [("TCB-Info-Issuer-Chain", coll["tcb_info_issuer_chain"])])
        if url.path == "/tdx/certification/v4/qe/identity":
            body = '{"enclaveIdentity":%s,"signature":"%s"}' % (coll["qe_identity"], coll["qe_identity_signature"])
            return self.reply(body.encode(), [("SGX-Enclave-Identity-Issuer-Chain", coll["qe_identity_issuer_chain"])])
        if url.path == "/sgx/certification/v4/rootcacrl":
            return self.reply(coll["root_ca_crl"].encode())
        self.send_error(404)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    Handler.coll, Handler.fmspc, Handler.log = json.load(open(sys.argv[1])), sys.argv[2].upper(), sys.argv[4]
    serve(Handler, sys.argv[3])
