#!/usr/bin/python3
"""faults.py: an HTTPS server on 127.0.0.1 that misbehaves at the transport
and encoding levels, for iceupd's fault tests (tests/cli/faults.bats).

It answers every request (any method, any path: it stands in for any of the
hosted APIs) as the scenario says; hosted.py covers the documented requests
and answers.  Python standard library only.

    faults.py --cert server.pem --key server.key --port-file F --scenario S

Scenarios:
  reset        status line and headers (Content-Length 4000), 200 bytes of
               body, then a TCP reset (SO_LINGER 0)
  tlscut       headers without a length (body ends at close), half a JSON
               body, then the TCP connection closed without TLS close_notify
  closenow     the connection closed as soon as the request was read
  garbage      bytes that are not HTTP
  slowhead     the status line and headers 1 byte every 100 ms, forever
  trickle1     headers at once, then a JSON body 1 byte every 100 ms
  huge100      Content-Length 100 MB of a JSON array, sent as fast as read
  chunked100   the same without a length (chunked), 100 MB
  deep         a JSON array nested 10,000 deep (then as many closings)
  deepobj      an object nested 10,000 deep under "ice_servers"/"iceServers"
  badutf8      every string of a plausible answer (urls, keys, username,
               credential) holding bytes that are not UTF-8
  rawnul       a plausible answer with raw NUL bytes inside its strings
  manykeys     an answer of 200,000 tiny entries (a 3 MB body)

SIGTERM or SIGINT stops the server (exit 0).
"""

import argparse
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

from fakeserver import stop_on_signal, tls_context, write_port

SCENARIOS = ("reset", "tlscut", "closenow", "garbage", "slowhead",
             "trickle1", "huge100", "chunked100", "deep", "deepobj",
             "badutf8", "rawnul", "manykeys")

SERVER = {"urls": ["turn:127.0.0.1:3478?transport=udp"],
          "username": "fault-user", "credential": "fault-cred"}


def plausible():
    """A body each hosted provider could take, before it is spoiled."""
    return json.dumps({"ice_servers": [SERVER], "iceServers": [SERVER],
                       "ttl": "3600"}).encode()


def body_for(sc):
    if sc == "deep":
        return b"[" * 10000 + b"]" * 10000
    if sc == "deepobj":
        inner = b'{"a":' * 10000 + b"1" + b"}" * 10000
        return b'{"ice_servers":' + inner + b',"iceServers":' + inner + b"}"
    if sc == "badutf8":
        return plausible().replace(b"fault-", b"\xc3\x28\xff\xfe-") \
            .replace(b"turn:", b"tu\xe2\x82rn:").replace(b'"urls"',
                                                        b'"ur\x80ls"')
    if sc == "rawnul":
        return plausible().replace(b"fault-user", b"fault\x00user") \
            .replace(b"fault-cred", b"fault\x00cred") \
            .replace(b"127.0.0.1", b"127.0.0.1\x00.evil")
    if sc == "manykeys":
        return b"[" + b",".join([b"{}"] * 200000) + b"]"
    return plausible()


def head(status=200, length=None, extra=b""):
    h = b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n" % status
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + extra + b"Connection: close\r\n\r\n"


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return False
        data += chunk
        if len(data) > 1 << 20:
            return False
    hdr, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in hdr.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(rest) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        rest += chunk
    return True


def stream(conn, total, chunked):
    """100 MB of one JSON array of numbers; stops when the peer goes."""
    block = b"1," * 32768
    sent = 0
    first = b"["
    try:
        while sent < total:
            piece = first + block
            first = b""
            if chunked:
                conn.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            else:
                conn.sendall(piece[:total - sent])
            sent += len(piece)
    except OSError:
        pass


def serve(conn, sc, stop):
    if not read_request(conn):
        return
    if sc == "closenow":
        return
    if sc == "garbage":
        conn.sendall(b"\x16\x03\x01 this is not HTTP at all\r\n\r\n" * 4)
        return
    if sc == "reset":
        conn.sendall(head(length=4000) + plausible()[:200])
        time.sleep(0.1)
        raw = socket.socket(fileno=conn.detach())
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                       struct.pack("ii", 1, 0))
        raw.close()
        return
    if sc == "tlscut":
        body = plausible()
        conn.sendall(head() + body[:len(body) // 2])
        time.sleep(0.1)
        raw = socket.socket(fileno=conn.detach())
        raw.shutdown(socket.SHUT_RDWR)
        raw.close()
        return
    if sc == "slowhead":
        for b in head(length=10):
            if stop.is_set():
                return
            conn.sendall(bytes([b]))
            time.sleep(0.1)
        while not stop.wait(0.1):
            pass
        return
    if sc == "trickle1":
        body = plausible()
        conn.sendall(head(length=len(body)))
        for b in body:
            if stop.wait(0.1):
                return
            conn.sendall(bytes([b]))
        return
    if sc == "huge100":
        conn.sendall(head(length=100 * 1024 * 1024))
        stream(conn, 100 * 1024 * 1024, False)
        return
    if sc == "chunked100":
        conn.sendall(head(extra=b"Transfer-Encoding: chunked\r\n"))
        stream(conn, 100 * 1024 * 1024, True)
        return
    body = body_for(sc)
    conn.sendall(head(length=len(body)) + body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--scenario", required=True, choices=SCENARIOS)
    opt = ap.parse_args()

    ctx = tls_context(opt.cert, opt.key, alpn=False)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    lsock.settimeout(0.2)
    stop = threading.Event()
    stop_on_signal(stop)
    write_port(opt.port_file, lsock.getsockname()[1])

    def handle(sock):
        try:
            sock.settimeout(30)
            conn = ctx.wrap_socket(sock, server_side=True)
            try:
                serve(conn, opt.scenario, stop)
            finally:
                try:
                    conn.close()
                except OSError:
                    pass
        except (OSError, ssl.SSLError, ValueError):
            pass

    while not stop.is_set():
        try:
            sock, _ = lsock.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        threading.Thread(target=handle, args=(sock,), daemon=True).start()
    lsock.close()
    # Handler threads may be blocked in a send to a peer that went away:
    # leave without waiting for them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
