#!/usr/bin/python3
"""ws-fragmenter.py TARGET-PORT PORTFILE: a WebSocket proxy for tests, on
127.0.0.1, in front of the WebSocket server at 127.0.0.1:TARGET-PORT (a real
Prosody). It listens on a random port from 20000 to 60000, writes the port to
PORTFILE, and serves until killed.

The upgrade and everything the client sends pass unchanged. Each message the
server sends whole (a text frame with FIN set) reaches the client as RFC 6455
fragments: a TEXT frame with FIN=0, CONTINUATION frames, the last with FIN=1,
cut every 7 bytes (so inside names, attributes and tags), as a server or a
proxy in front of it may send it. A ping or pong goes between two fragments
of the first message long enough, as RFC 6455 5.4 allows. Control frames and
fragments the server sent itself pass unchanged. Each message it cut is
counted in PORTFILE.log, one line "fragmented N" per message.
"""
import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "mocks"))
from fakeserver import listen_random  # noqa: E402

PIECE = 7
lock = threading.Lock()
pinged = [False]


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(sock):
    """One frame from the server (unmasked): (fin, opcode, payload)."""
    b0, b1 = recv_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(sock, 8))[0]
    mask = recv_exact(sock, 4) if b1 & 0x80 else None
    payload = recv_exact(sock, n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return b0 & 0x80, b0 & 0x0F, payload


def frame(fin, opcode, payload):
    """A server frame (unmasked)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def down(server, client, log):
    """Server to client: whole text messages cut into fragments."""
    try:
        while True:
            fin, opcode, payload = read_frame(server)
            if opcode != 1 or not fin or len(payload) <= PIECE:
                client.sendall(frame(fin, opcode, payload))
                continue
            pieces = [payload[i:i + PIECE]
                      for i in range(0, len(payload), PIECE)]
            out = b""
            for i, p in enumerate(pieces):
                out += frame(i == len(pieces) - 1, 1 if i == 0 else 0, p)
                with lock:
                    if i == 0 and not pinged[0]:
                        pinged[0] = True
                        out += frame(True, 9, b"mid")   # a ping
            client.sendall(out)
            with lock, open(log, "a") as f:
                f.write("fragmented %d\n" % len(pieces))
    except (EOFError, OSError):
        pass
    finally:
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def up(client, server):
    """Client to server: unchanged, the upgrade request included."""
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            server.sendall(data)
    except OSError:
        pass
    try:
        server.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(client, target, log):
    server = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=up, args=(client, server), daemon=True).start()
    # The 101 answer passes whole; frames follow it.
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = server.recv(1)
        if not chunk:
            client.close()
            return
        head += chunk
    client.sendall(head)
    down(server, client, log)


def main():
    target, portfile = int(sys.argv[1]), sys.argv[2]
    lsock = listen_random("ws-fragmenter.py", portfile)
    while True:
        client, _ = lsock.accept()
        threading.Thread(target=serve, args=(client, target,
                                             portfile + ".log"),
                         daemon=True).start()


if __name__ == "__main__":
    main()
