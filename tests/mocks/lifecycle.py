"""lifecycle.py: how the fakes under tests/ start and stop, written once.

A fake tells its port through a port file, written atomically (a test that
polls for it never reads half a line), and stops on SIGTERM or SIGINT, or
by itself after --lifetime seconds: a stopping event is set (for handlers
that hang or trickle), then each server's serve_forever() is ended.  The
fakes in tests/peers/ import it from here too.
"""
import os
import random
import signal
import threading


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


def bind_random(sock, low=20000, high=60000):
    """Binds SOCK to a random free port from LOW to HIGH on 127.0.0.1 (20
    tries) and returns it, or None."""
    for _ in range(20):
        port = random.randint(low, high)
        try:
            sock.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    return None
