#!/usr/bin/python3
"""measure.py: runs a command RUNS times, one after the other, and prints
the median wall time and the mean CPU time (user + system, from wait4) of
one run, in milliseconds: "WALL CPU".  Its stdout is thrown away; a run
that exits non-zero stops it with its stderr and exit status 1.

    measure.py RUNS COMMAND [ARG ...]
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: measure.py RUNS COMMAND [ARG ...]")
    runs, cmd = int(sys.argv[1]), sys.argv[2:]
    walls, cpus = [], []
    for _ in range(runs):
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append((time.monotonic() - start) * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            sys.stderr.write("%s: exit %d\n%s" % (cmd[0], proc.returncode,
                             err.decode(errors="replace")))
            sys.exit(1)
    print("%.1f %.2f" % (statistics.median(walls), statistics.mean(cpus)))


if __name__ == "__main__":
    main()
