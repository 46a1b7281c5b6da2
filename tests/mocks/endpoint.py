#!/usr/bin/python3
"""endpoint.py: a fake credentials endpoint, for the tests of iceupd's url
and matrix providers.

One HTTPS server on 127.0.0.1 (plain HTTP with --plain) that answers as a
Matrix homeserver or STUNner's authentication service does, or with a
hostile answer.  Each request is checked first: method, path, query and
the Authorization header (--auth, e.g. "Bearer syt_..."); a request that
differs gets HTTP 400 (Matrix: M_UNRECOGNIZED) naming what differed, never
the expected secret, and its log line lists it under "mismatch".

    endpoint.py --shape matrix --auth 'Bearer TOKEN' --cert server.pem \\
        --key server.key --port-file port --log requests.jsonl

Shapes (the documented requests and answers):
  matrix      GET /_matrix/client/v3/voip/turnServer, Authorization: Bearer
              (Matrix client-server API, "VOIP": 200 {"username",
              "password","uris","ttl"}; 401 {"errcode":"M_UNKNOWN_TOKEN"}
              when the token is wrong or missing)
  stunner     GET /?service=turn (STUNner auth service, TURN REST:
              {"username","password","ttl","uris"})
  stunner-ice GET /ice?service=turn (STUNner auth service, RTCConfiguration:
              {"iceServers":[...],"iceTransportPolicy":"relay"})
  urls        POST /v1/webrtc/turn/credentials: {"urls","username",
              "credential","ttl"}
  vkice       GET /api/ice/credentials: VK-ICE's answer (iceServers,
              provider, ttl_seconds, remaining_ttl, has_turn, has_stun)
Hostile shapes, at GET / unless --path says otherwise:
  wrong       200 with {"servers":[...]}, a shape of no known kind
  matrix-empty 200 {} (a homeserver without TURN configured)
  huge        200 with a 10 MB iceServers answer
  trickle     headers at once, then the body one byte every 200 ms
  badurl      200 {"iceServers":[...]} whose every URL is invalid
  expired     200 VK-ICE answer with remaining_ttl 0
  far         200 iceupd json report whose expires_at is in 2099

--path and --method override the expected request; --ttl the lifetime
answered.  The log (--log) gets one JSON line per request: n, method,
path, query, headers (lower-case names), status, mismatch.
SIGTERM or SIGINT stops it cleanly (exit 0).
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from fakeserver import serve, tls_context

EXPECTED = {
    "matrix": ("GET", "/_matrix/client/v3/voip/turnServer", {}),
    "stunner": ("GET", "/", {"service": ["turn"]}),
    "stunner-ice": ("GET", "/ice", {"service": ["turn"]}),
    "urls": ("POST", "/v1/webrtc/turn/credentials", {}),
    "vkice": ("GET", "/api/ice/credentials", {}),
}
HOSTILE = ("wrong", "matrix-empty", "huge", "trickle", "badurl", "expired",
           "far")
HUGE_BYTES = 10 * 1024 * 1024
stopping = threading.Event()


def answer_doc(opt):
    turn = ["turn:127.0.0.1:3478?transport=udp",
            "turn:127.0.0.1:3478?transport=tcp"]
    user, cred = opt.username, opt.credential
    entry = {"urls": turn, "username": user, "credential": cred}
    sh = opt.shape
    if sh in ("matrix", "stunner"):
        return {"username": user, "password": cred, "ttl": opt.ttl,
                "uris": turn}
    if sh == "stunner-ice":
        return {"iceServers": [entry], "iceTransportPolicy": "relay"}
    if sh == "urls":
        return dict(entry, ttl=opt.ttl)
    if sh in ("vkice", "expired"):
        return {"iceServers": [entry, {"urls": ["stun:127.0.0.1:3478"]}],
                "provider": "8x8", "ttl_seconds": opt.ttl,
                "remaining_ttl": 0 if sh == "expired" else opt.ttl - 5,
                "has_turn": True, "has_stun": True}
    if sh == "far":
        return {"iceServers": [entry], "provider": "url",
                "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                            time.gmtime()),
                "expires_at": "2099-01-01T00:00:00Z"}
    if sh == "wrong":
        return {"servers": [entry]}
    if sh == "matrix-empty":
        return {}
    if sh == "badurl":
        return {"iceServers": [
            {"urls": ["turn://127.0.0.1", "http://127.0.0.1:3478"],
             "username": user, "credential": cred},
            {"urls": "stun:127.0.0.1:99999"}]}
    if sh == "huge":
        return {"iceServers": [entry], "pad": "x" * HUGE_BYTES}
    return {"iceServers": [entry]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")

    def handle_one(self, method):
        opt = self.server.opt
        n = self.server.next_n()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        want_method, want_path, want_query = EXPECTED.get(
            opt.shape, ("GET", "/", {}))
        want_method = opt.method or want_method
        want_path = opt.path or want_path
        bad = []
        if method != want_method:
            bad.append("method %s, expected %s" % (method, want_method))
        if url.path != want_path:
            bad.append("path %s, expected %s" % (url.path, want_path))
        if query != want_query:
            bad.append("query differs")
        got_auth = self.headers.get("Authorization")
        if opt.auth and got_auth != opt.auth:
            bad.append("Authorization header missing or wrong")
        if opt.header:
            name, _, value = opt.header.partition(":")
            if self.headers.get(name) != value.strip():
                bad.append("header %s missing or wrong" % name)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if bad and opt.shape == "matrix" and got_auth != opt.auth:
            status, body = 401, {"errcode": "M_UNKNOWN_TOKEN",
                                 "error": "Invalid access token passed."}
        elif bad:
            status, body = 400, {"errcode": "M_UNRECOGNIZED",
                                 "message": "; ".join(bad)}
        else:
            status, body = 200, answer_doc(opt)
        self.server.log(n, method, url.path, query, headers, status, bad)
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if opt.shape == "trickle" and status == 200:
                for i in range(len(data)):
                    if stopping.wait(0.2):
                        break
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, opt, context):
        super().__init__(("127.0.0.1", 0), Handler)
        self.opt = opt
        self.lock = threading.Lock()
        self.count = 0
        if context is not None:
            self.socket = context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False)
        self.logfile = open(opt.log, "a") if opt.log else None

    def next_n(self):
        with self.lock:
            self.count += 1
            return self.count

    def log(self, n, method, path, query, headers, status, bad):
        if self.logfile is None:
            return
        line = json.dumps({"n": n, "time": round(time.time(), 3),
                           "method": method, "path": path, "query": query,
                           "headers": headers, "status": status,
                           "mismatch": bad})
        with self.lock:
            self.logfile.write(line + "\n")
            self.logfile.flush()

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="Fake credentials endpoint.")
    ap.add_argument("--shape", required=True,
                    choices=sorted(EXPECTED) + list(HOSTILE))
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--plain", action="store_true", help="HTTP, not HTTPS")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--auth", default="",
                    help="the exact Authorization header expected")
    ap.add_argument("--header", default="",
                    help="another 'Name: value' header expected")
    ap.add_argument("--method", help="the method expected")
    ap.add_argument("--path", help="the path expected")
    ap.add_argument("--ttl", type=int, default=86400)
    ap.add_argument("--username", default="1700000000:fleet")
    ap.add_argument("--credential", default="endpoint-turn-cred-5a1f")
    ap.add_argument("--lifetime", type=float, default=600)
    opt = ap.parse_args()

    context = None if opt.plain else tls_context(opt.cert, opt.key)
    server = Server(opt, context)
    serve(server, opt.port_file, stopping, opt.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
