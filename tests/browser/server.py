#!/usr/bin/python3
"""server.py: serves gather.html to a browser on 127.0.0.1 and keeps what
it reports.

usage: server.py CONFIG PORTFILE RESULT [LIMIT_MS [LIFETIME_S]]

CONFIG holds the RTCConfiguration (a JSON object) that the page hands to
RTCPeerConnection.  The server listens on 127.0.0.1 at a port the system
picks and writes that port to PORTFILE.  GET / answers the page with the
configuration and LIMIT_MS (default 10000, how long the page lets ICE
gathering take) in it.  The page POSTs its report (JSON) to /result; the
server writes it to RESULT (atomically) and exits 0.  It exits 1 when no
report came within LIFETIME_S seconds (default 60), 2 on bad arguments.
Standard library only.
"""

import http.server
import json
import os
import sys
import time

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gather.html")
MAX_BODY = 1 << 20


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def as_script(value):
    """JSON text that is safe inside a <script> element."""
    text = json.dumps(value)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029"))


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "gather/1"
    timeout = 5    # a connection that sends no request does not block

    def log_message(self, fmt, *args):
        sys.stderr.write("server.py: %s\n" % (fmt % args))

    def reply(self, code, body=b"", ctype="text/plain; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/":
            self.reply(404, b"not found\n")
            return
        self.reply(200, self.server.page, "text/html; charset=utf-8")

    def do_POST(self):
        if self.path != "/result":
            self.reply(404, b"not found\n")
            return
        try:
            n = int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            self.reply(400, b"bad length\n")
            return
        body = self.rfile.read(n)
        try:
            report = json.loads(body)
        except ValueError:
            self.reply(400, b"not JSON\n")
            return
        write_atomically(self.server.result,
                         (json.dumps(report, indent=1) + "\n").encode())
        self.reply(204)
        self.server.done = True


def main(argv):
    if not 4 <= len(argv) <= 6:
        sys.stderr.write(__doc__)
        return 2
    config_file, port_file, result = argv[1:4]
    limit_ms = int(argv[4]) if len(argv) > 4 else 10000
    lifetime = float(argv[5]) if len(argv) > 5 else 60.0
    with open(config_file, encoding="utf-8") as f:
        config = json.load(f)
    if not isinstance(config, dict):
        sys.stderr.write("server.py: %s: not a JSON object\n" % config_file)
        return 2
    with open(PAGE, encoding="utf-8") as f:
        page = f.read()
    for mark, value in (("/*RTC_CONFIGURATION*/null", as_script(config)),
                        ("/*LIMIT_MS*/10000", str(limit_ms))):
        if mark not in page:
            sys.stderr.write("server.py: %s lacks %s\n" % (PAGE, mark))
            return 2
        page = page.replace(mark, value)

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    httpd.page = page.encode()
    httpd.result = result
    httpd.done = False
    write_atomically(port_file, b"%d\n" % httpd.server_address[1])
    deadline = time.monotonic() + lifetime
    try:
        while not httpd.done:
            left = deadline - time.monotonic()
            if left <= 0:
                sys.stderr.write("server.py: no report within %gs\n" %
                                 lifetime)
                return 1
            httpd.timeout = left
            httpd.handle_request()
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
