"""A dstack agent that misbehaves on purpose, for the provider's error lines.

  agent_faults.py SOCKET     serves /Info, /GetKey and /GetQuote on the Unix socket SOCKET; the
                             fault is read from SOCKET.mode at each request:
    info-500         /Info answers HTTP 500 {"error": "info broke"}
    info-bad-hex     /Info's app_id is not hex
    getkey-short     /GetKey's key is 31 bytes
    getkey-no-chain  /GetKey's signature_chain is empty (an app without a KMS)
    quote-odd        /GetQuote's quote is odd-length hex
    quote-short      /GetQuote's quote is 2 bytes
Well-formed answers otherwise (the chain's signatures are well-formed bytes, not valid ones).
Runs until killed."""
import http.server
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "attest"))
from agent_standin import UnixHTTPServer  # noqa: E402  (the shared Unix-socket HTTP server)


class Agent(http.server.BaseHTTPRequestHandler):
    mode_path = ""

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(self.mode_path, encoding="utf-8") as f:
            mode = f.read().strip()
        if self.path == "/Info":
            if mode == "info-500":
                return self.reply(500, {"error": "info broke"})
            app_id = "zz" * 20 if mode == "info-bad-hex" else "11" * 20
            return self.reply(200, {"app_id": app_id, "instance_id": "22" * 20, "compose_hash": "33" * 32,
                                    "os_image_hash": "44" * 32, "app_name": "faulty"})
        if self.path == "/GetKey":
            key = "01" * (31 if mode == "getkey-short" else 32)
            chain = [] if mode == "getkey-no-chain" else ["ab" * 65, "cd" * 65]
            return self.reply(200, {"key": key, "signature_chain": chain})
        if self.path == "/GetQuote":
            return self.reply(200, {"quote": "040" if mode == "quote-odd" else "0400", "event_log": "[]"})
        return self.reply(404, {"error": "unknown method " + self.path})

    def log_message(self, *args):
        pass


def main():
    path = sys.argv[1]
    Agent.mode_path = path + ".mode"
    if os.path.exists(path):
        os.unlink(path)
    with UnixHTTPServer(path, Agent) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
