#!/usr/bin/python3
"""bosh-fake.py MODE PORTFILE: a broken BOSH server on 127.0.0.1 for tests.

It listens on a random port from 20000 to 60000, writes the port to PORTFILE,
and serves until killed:
  close  logs each request line to PORTFILE.log, answers the session request with a valid <body/> offering SASL
         ANONYMOUS, then closes the connection in the middle of the next
         answer (half a <body>, no end);
  slow   accepts connections, reads the request and never answers;
  nopayload  a connection manager that ignores what the session request
         and the terminate request carry: answers the first with the
         features alone and the second with a bare terminate body, then each
         other request by what it holds (an auth: success; a restart: bind,
         a query riding with it dropped; the XEP-0215 query: one TURN
         service, turn.fake.test:3478);
         anything else ends the session (item-not-found); each request body
         is appended to PORTFILE.log;
  brave  a Brave Talk rooms API: OPTIONS /api/v1/rooms/ROOM gives an
         x-csrf-token header and a cookie; PUT with both and {"mauP":false}
         gives {"jwt": JWT} where JWT is the third argument; every request
         line is appended to PORTFILE.log.
"""
import json
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "mocks"))
from fakeserver import listen_random  # noqa: E402

SESSION = (b"<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' "
           b"wait='10' requests='2' ver='1.6' "
           b"xmlns:stream='http://etherx.jabber.org/streams'>"
           b"<stream:features><mechanisms "
           b"xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS"
           b"</mechanism></mechanisms></stream:features></body>")


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, None, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return lines[0], headers, body


def answer(conn, status, body, extra=b""):
    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: " +
                 str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def serve_close(conn, log):
    n = 0
    while True:
        line, headers, body = read_request(conn)
        if line is None:
            return
        with open(log, "a") as f:
            f.write(line + "\n")
        n += 1
        if n == 1:
            answer(conn, b"200 OK", SESSION,
                   b"Content-Type: text/xml; charset=utf-8\r\n")
            continue
        half = SESSION[:len(SESSION) // 2]
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: " +
                     str(len(SESSION)).encode() + b"\r\n\r\n" + half)
        return


def nopayload_answer(body):
    """What the nopayload connection manager answers to one request."""
    inner = b""
    end = b" type='terminate'" if b"type='terminate'" in body else b""
    if b"sid=" not in body:
        return SESSION
    if end:
        inner = b""     # what a terminate body carries is dropped
    elif b"<auth " in body:
        inner = b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    elif b"xmpp:restart='true'" in body and b"id='b1'" in body:
        inner = (b"<stream:features><bind "
                 b"xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                 b"</stream:features><iq xmlns='jabber:client' "
                 b"type='result' id='b1'/>")
    elif b"id='e1'" in body:
        inner = (b"<iq xmlns='jabber:client' type='result' id='e1'>"
                 b"<services xmlns='urn:xmpp:extdisco:2'><service "
                 b"type='turn' host='turn.fake.test' port='3478' "
                 b"username='fake-user' password='fake-pass'/>"
                 b"</services></iq>")
    else:
        end = b" type='terminate' condition='item-not-found'"
    return (b"<body xmlns='http://jabber.org/protocol/httpbind' sid='s1'" +
            end + b" xmlns:stream='http://etherx.jabber.org/streams'>" +
            inner + b"</body>")


def serve_nopayload(conn, log):
    while True:
        line, headers, body = read_request(conn)
        if line is None:
            return
        with open(log, "a") as f:
            f.write(body.decode("latin-1") + "\n")
        answer(conn, b"200 OK", nopayload_answer(body),
               b"Content-Type: text/xml; charset=utf-8\r\n")


def serve_slow(conn):
    read_request(conn)
    threading.Event().wait(120)


def serve_brave(conn, jwt, log):
    while True:
        line, headers, body = read_request(conn)
        if line is None:
            return
        with open(log, "a") as f:
            f.write("%s csrf=%s cookie=%s body=%s\n" % (
                line, headers.get("x-csrf-token", "-"),
                headers.get("cookie", "-"), body.decode("latin-1") or "-"))
        method, path = line.split(" ")[:2]
        if not path.startswith("/api/v1/rooms/"):
            answer(conn, b"404 Not Found", b"")
        elif method == "OPTIONS":
            answer(conn, b"204 No Content", b"",
                   b"x-csrf-token: csrf-123\r\n"
                   b"Set-Cookie: session=abc; Path=/; HttpOnly\r\n")
        elif (method == "PUT" and headers.get("x-csrf-token") == "csrf-123"
              and headers.get("cookie") == "session=abc"
              and json.loads(body or b"{}") == {"mauP": False}):
            answer(conn, b"200 OK", json.dumps({"jwt": jwt}).encode(),
                   b"Content-Type: application/json\r\n")
        else:
            answer(conn, b"401 Unauthorized", b"no")


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    jwt = sys.argv[3] if len(sys.argv) > 3 else ""
    s = listen_random("bosh-fake.py", portfile)
    while True:
        conn, _ = s.accept()
        if mode == "close":
            target = lambda c=conn: serve_close(c, portfile + ".log")
        elif mode == "slow":
            target = lambda c=conn: serve_slow(c)
        elif mode == "nopayload":
            target = lambda c=conn: serve_nopayload(c, portfile + ".log")
        else:
            target = lambda c=conn: serve_brave(c, jwt, portfile + ".log")

        def run(t=target, c=conn):
            try:
                t()
            finally:
                c.close()
        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
