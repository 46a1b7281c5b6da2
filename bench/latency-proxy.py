#!/usr/bin/python3
"""latency-proxy.py: a TCP relay on 127.0.0.1 that adds a fixed round-trip
time, for benchmarks of round trips (bench/rtt.sh).  Standard library only.

    latency-proxy.py --target 127.0.0.1:8443 --rtt-ms 100 \\
        --port-file port --count-file connections

Every byte is delivered half the RTT after it was read, in each direction,
in order.  A new connection behaves as one whose TCP handshake took one RTT:
what the client sends is held until one RTT after it connected, then half
an RTT more.  The number of connections accepted so far is kept in
--count-file (rewritten whole on each).  --trace FILE appends one JSON line
per chunk relayed: conn (its number), ms (since the proxy started, when it
was read), dir ("up" from the client, "down" to it), bytes and head (its
first 120 bytes as text: for seeing which exchange is which over plain HTTP
or ws://).  SIGTERM or SIGINT stops it (exit 0).
"""
import argparse
import asyncio
import json
import os
import signal


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", required=True, help="HOST:PORT to relay to")
    p.add_argument("--rtt-ms", type=float, required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--count-file", required=True)
    p.add_argument("--trace", help="file to append a line per chunk to")
    return p.parse_args()


def write_whole(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


async def relay(reader, writer, delay, not_before, trace):
    """Copies reader to writer, each chunk delay seconds after it was read
    (and not before the loop time not_before); ends with a half close.
    trace(data) is called with each chunk as it is read."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            at, data = await queue.get()
            wait = at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.ensure_future(deliver())
    try:
        while True:
            try:
                data = await reader.read(65536)
            except ConnectionError:
                data = b""
            trace(data)
            queue.put_nowait((max(loop.time(), not_before) + delay, data))
            if not data:
                break
        await task
    finally:
        task.cancel()


async def main():
    args = parse_args()
    host, port = args.target.rsplit(":", 1)
    rtt = args.rtt_ms / 1000.0
    count = 0
    write_whole(args.count_file, "0\n")
    trace_file = open(args.trace, "a") if args.trace else None
    started = asyncio.get_running_loop().time()

    def tracer(conn, direction):
        def trace(data):
            if trace_file is None or not data:
                return
            ms = (asyncio.get_running_loop().time() - started) * 1000
            trace_file.write(json.dumps({
                "conn": conn, "ms": round(ms, 1), "dir": direction,
                "bytes": len(data),
                "head": data[:120].decode("latin-1")}) + "\n")
            trace_file.flush()
        return trace

    async def on_client(creader, cwriter):
        nonlocal count
        count += 1
        n = count
        write_whole(args.count_file, "%d\n" % count)
        established = asyncio.get_running_loop().time() + rtt
        try:
            sreader, swriter = await asyncio.open_connection(host, int(port))
        except OSError:
            cwriter.close()
            return
        # The connection ends with the client's side: a server that keeps
        # its side open after the client's FIN holds nothing up.
        up = asyncio.ensure_future(relay(creader, swriter, rtt / 2,
                                         established, tracer(n, "up")))
        down = asyncio.ensure_future(relay(sreader, cwriter, rtt / 2, 0.0,
                                           tracer(n, "down")))
        try:
            await up
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            down.cancel()
            await asyncio.gather(up, down, return_exceptions=True)
            for w in (swriter, cwriter):
                w.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    write_whole(args.port_file, "%d\n" % server.sockets[0].getsockname()[1])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    for task in asyncio.all_tasks() - {asyncio.current_task()}:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
