"""Stand-ins for TEE agents the test machine does not have.

  agent_standin.py tappd SOCKET LOG [UPSTREAM]
                                        legacy tappd on a Unix socket: answers
                                        /prpc/Tappd.TdxQuote?json and appends each request to LOG;
                                        with UPSTREAM (a dstack agent's socket, e.g. tee-sim's) also
                                        Tappd.Info and Tappd.DeriveK256Key, from its Info and GetKey
  agent_standin.py http PORTFILE SOCKET [lie-compose-hash]
                                        an http://127.0.0.1:PORT front for a dstack agent on SOCKET
                                        (what DSTACK_SIMULATOR_ENDPOINT=http://... points at); with
                                        lie-compose-hash, /Info's compose_hash is replaced
Runs until killed."""
import http.client
import http.server
import json
import os
import socket
import socketserver
import sys


class UnixHTTPServer(socketserver.UnixStreamServer):
    def get_request(self):
        conn, _ = super().get_request()
        return conn, ("local", 0)


class Tappd(http.server.BaseHTTPRequestHandler):
    log_path = ""
    upstream = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"path": self.path, "body": json.loads(body)}) + "\n")
        req = json.loads(body)
        if self.upstream and self.path == "/prpc/Tappd.Info?json":
            self.reply(*ask(self.upstream, "/Info", body))
            return
        if self.upstream and self.path == "/prpc/Tappd.DeriveK256Key?json":
            status, key = ask(self.upstream, "/GetKey", body)
            self.reply(status, {"k256_key": key["key"], "k256_signature_chain": key["signature_chain"]})
            return
        if self.path != "/prpc/Tappd.TdxQuote?json" or req.get("hash_algorithm") != "raw":
            self.reply(400, {"error": "expected TdxQuote with hash_algorithm raw"})
            return
        # Not a real quote (the test checks the transport, not DCAP), but as long as a TDX v4 one.
        self.reply(200, {"quote": "0400" + req["report_data"] + "00" * 566, "event_log": "[]"})

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def ask(socket_path, path, body):
    """POST body to path on the agent at socket_path: (status, parsed reply)."""
    conn = UnixConnection(socket_path)
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read())


class Front(Tappd):
    lie = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status, reply = ask(self.upstream, self.path, body)
        if self.lie and self.path == "/Info":
            reply["compose_hash"] = "ee" * 32
        self.reply(status, reply)


def main():
    mode = sys.argv[1]
    if mode == "tappd":
        sock, Tappd.log_path = sys.argv[2], sys.argv[3]
        Tappd.upstream = sys.argv[4] if len(sys.argv) > 4 else ""
        if os.path.exists(sock):
            os.unlink(sock)
        UnixHTTPServer(sock, Tappd).serve_forever()
    elif mode == "http":
        Front.upstream = sys.argv[3]
        Front.lie = len(sys.argv) > 4 and sys.argv[4] == "lie-compose-hash"
        server = http.server.HTTPServer(("127.0.0.1", 0), Front)
        with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as f:
            f.write(str(server.server_address[1]))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        server.serve_forever()


if __name__ == "__main__":
    main()
