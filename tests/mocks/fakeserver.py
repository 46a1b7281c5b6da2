"""fakeserver.py: what the fakes under tests/ share, written once.

A fake tells its port through a port file, written atomically (a test that
polls for it never reads half a line), and stops on SIGTERM or SIGINT, or
by itself after --lifetime seconds: a stopping event is set (for handlers
that hang or trickle), then each server's serve_forever() is ended.  The
HTTPS fakes share their TLS context and the view of a request they check.
The fakes in tests/peers/ import it from here too.
"""
import os
import random
import signal
import socket
import ssl
import sys
import threading
from urllib.parse import parse_qs, urlsplit


def write_port(path, *ports):
    """PATH holds the PORTS, space-separated, on one line."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(" ".join("%d" % p for p in ports) + "\n")
    os.replace(tmp, path)


def stop_on_signal(stopping, servers=(), lifetime=None):
    """SIGTERM, SIGINT or LIFETIME seconds set STOPPING and shut SERVERS
    down."""
    def stop(signum=0, frame=None):
        stopping.set()
        # shutdown() waits for serve_forever(), which may run in this
        # thread: from another one.
        for s in servers:
            threading.Thread(target=s.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if lifetime is not None:
        timer = threading.Timer(lifetime, stop)
        timer.daemon = True
        timer.start()


def listen_random(name, port_file, low=20000, high=60000):
    """A TCP listener on 127.0.0.1 at a random free port from LOW to HIGH
    (20 tries; none free: NAME exits saying so), told in PORT_FILE."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(20):
        port = random.randint(low, high)
        try:
            sock.bind(("127.0.0.1", port))
            break
        except OSError:
            continue
    else:
        sys.exit("%s: no free port" % name)
    sock.listen(16)
    write_port(port_file, port)
    return sock


def tls_context(cert, key, alpn=True):
    """A server context with CERT and KEY, offering HTTP/1.1 by ALPN."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if alpn:
        context.set_alpn_protocols(["http/1.1"])
    return context


def serve(server, port_file, stopping, lifetime):
    """SERVER tells its port in PORT_FILE and serves until stopped; then
    its log file, if it has one, is closed."""
    stop_on_signal(stopping, [server], lifetime)
    write_port(port_file, server.server_address[1])
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    if getattr(server, "logfile", None) is not None:
        server.logfile.close()


class Request:
    """What a handler of http.server received: method, path, query (parsed
    and raw), headers (lower-case names; a repeated one keeps every value)
    and body."""

    def __init__(self, handler, body):
        url = urlsplit(handler.path)
        self.method = handler.command
        self.path = url.path
        self.raw_query = url.query
        self.query = parse_qs(url.query, keep_blank_values=True)
        self.headers = {}
        for name, value in handler.headers.items():
            self.headers.setdefault(name.lower(), []).append(value)
        self.body = body

    def header(self, name):
        """The value of header NAME, a repeated one's joined by "; "."""
        values = self.headers.get(name)
        if values is None:
            return None
        return values[0] if len(values) == 1 else "; ".join(values)
