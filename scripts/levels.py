#!/usr/bin/python3
"""levels.py: is every file of src/ on its level?  Reads the #include "..."
lines of src/ and the calls of its functions, and prints, then checks:

  - circles: modules (foo.c and foo.h are one module) that include or call
    each other, directly or round about (a call ties A to B when B alone
    defines the function A calls);
  - arrows that run back up: a module including or calling one of a higher
    level (LEVELS below, from main down to the helpers every level uses);
  - the .c files directly in src/, and the longest .c files.

Exits 1 when there is a circle, more than MAX_UP includes run back up, more
than MAX_TOP .c files sit directly in src/, or a .c file has more than
MAX_LINES lines; else 0.

    scripts/levels.py [SRC_DIR]
"""
import os
import re
import sys

MAX_UP, MAX_TOP, MAX_LINES = 4, 16, 900

# Highest first; a module takes the level of the pattern naming it (a path
# below src/ without .c or .h), else of the first folder (ending in /) it
# is in.
LEVELS = [
    ("main", ["main"]),
    ("commands", ["cmd/"]),
    ("parts", ["serve/", "deploy/"]),
    ("cycle", ["refresh", "providers_view", "outstate"]),
    ("engine", ["engine", "format/", "pace", "providers/", "probe/"]),
    ("model", ["cache", "ice", "settings", "settings/",
               "http", "ws", "xml", "safefile"]),
    ("helpers", ["exit", "log", "util", "formats"]),
]

# Headers that are another module's second half (the handle setup it
# shares).
ALIASES = {"http_easy": "http"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Comments, strings and character constants: no calls in them.
NOISE = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'
                   r"'(?:\\.|[^'\\\n])*'", re.S)
# A definition, the project's way: the name at the start of its line, the
# type on the line above (not static when another file may call it).
DEFINITION = re.compile(r'^(?!static)[^\n#]*\n([A-Za-z_]\w*)\(', re.M)
CALL = re.compile(r'\b([A-Za-z_]\w*)\s*\(')


def level(mod):
    for exact in (True, False):
        for rank, (_, pats) in enumerate(LEVELS):
            for p in pats:
                if mod == p if exact else (p.endswith("/") and
                                           mod.startswith(p)):
                    return len(LEVELS) - rank
    return None


def module(path, src):
    mod = os.path.splitext(os.path.relpath(path, src))[0]
    return ALIASES.get(mod, mod)


def calls(src, edges):
    """Adds to edges a call of a function that one other module defines."""
    defined, called = {}, {}
    for dirpath, _, names in os.walk(src):
        for n in names:
            if not n.endswith(".c"):
                continue
            path = os.path.join(dirpath, n)
            mod = module(path, src)
            with open(path, encoding="utf-8") as f:
                text = NOISE.sub(" ", f.read())
            for name in DEFINITION.findall(text):
                defined.setdefault(name, set()).add(mod)
            called.setdefault(mod, set()).update(CALL.findall(text))
    for mod, names in called.items():
        for name in names:
            where = defined.get(name, ())
            if len(where) == 1 and mod not in where:
                edges.setdefault(mod, set()).update(where)


def graph(src):
    edges = {}
    for dirpath, _, names in os.walk(src):
        for n in names:
            if not n.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, n)
            mod = module(path, src)
            edges.setdefault(mod, set())
            with open(path, encoding="utf-8") as f:
                for inc in INCLUDE.findall(f.read()):
                    tgt = os.path.normpath(os.path.join(dirpath, inc))
                    if not os.path.exists(tgt):
                        continue        # generated, or outside
                    to = module(tgt, src)
                    if to != mod:
                        edges[mod].add(to)
    calls(src, edges)
    return edges


def circles(edges):
    """The strongly connected parts of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    edges = graph(src)
    bad = 0
    unplaced = sorted(m for m in edges if level(m) is None)
    for m in unplaced:
        print(f"no level for src/{m}: add it to LEVELS")
        bad = 1
    loops = circles(edges)
    for part in loops:
        print("circle: " + " <-> ".join(part))
    up = sorted((a, b) for a in edges for b in edges[a]
                if level(a) is not None and level(b) is not None and
                level(b) > level(a))
    for a, b in up:
        print(f"up: src/{a} ({LEVELS[len(LEVELS) - level(a)][0]}) uses "
              f"src/{b} ({LEVELS[len(LEVELS) - level(b)][0]})")
    top = sorted(n for n in os.listdir(src) if n.endswith(".c"))
    sizes = []
    for dirpath, _, names in os.walk(src):
        for n in names:
            if n.endswith(".c"):
                p = os.path.join(dirpath, n)
                with open(p, encoding="utf-8") as f:
                    sizes.append((sum(1 for _ in f), p))
    sizes.sort(reverse=True)
    long_ = [s for s in sizes if s[0] > MAX_LINES]
    print(f"modules {len(edges)}, arrows "
          f"{sum(len(v) for v in edges.values())}, circles {len(loops)}, "
          f"up {len(up)} (at most {MAX_UP})")
    print(f".c files directly in {src}/: {len(top)} (at most {MAX_TOP})")
    print("longest .c files: " +
          ", ".join(f"{p} {n}" for n, p in sizes[:3]) +
          f" (at most {MAX_LINES} lines)")
    if loops or len(up) > MAX_UP or len(top) > MAX_TOP or long_:
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
