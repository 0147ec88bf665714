#!/usr/bin/env python3
"""Check that #include "..." lines in src/ point only down the layer list.

The layers and the file -> layer map are in tests/layers.txt.  Two kinds of
violation are found:

  up    an include of a layer above the includer's, or of one beside it
        (cli and compile);
  loop  an include that is part of a loop between modules (a module is
        x.c with x.h), in any layer: e.g. a.c includes b.h, b.c includes
        a.h.

Violations that exist today are listed, one edge a line with a comment,
in tests/layers-allowed.txt; the check fails on any violation not listed
there (and on a file in src/ that layers.txt does not map).  Entries that
no longer occur are reported so that the list only shrinks.

Usage: check-layers.py [SRCROOT]   (default: the directory above tests/)
Output is TAP.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(path):
    rank, mapping, section, n_ranks = {}, [], None, 0
    for n, raw in enumerate(open(path), 1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        if line in ('[order]', '[map]'):
            section = line
        elif section == '[order]':
            for name in line.split():  # names on one line share a rank
                rank[name] = n_ranks
            n_ranks += 1
        elif section == '[map]':
            p, layer = line.split()
            if layer not in rank:
                sys.exit(f'{path}:{n}: unknown layer {layer}')
            mapping.append((p, layer))
        else:
            sys.exit(f'{path}:{n}: outside [order] or [map]')
    return rank, mapping


def layer_of(rel, mapping):
    best = None
    for p, layer in mapping:
        if rel == p or (p.endswith('/') and rel.startswith(p)):
            if best is None or len(p) > len(best[0]):
                best = (p, layer)
    return best[1] if best else None


def resolve(root, includer, name):
    """Where the compiler finds "name": beside the includer, then in src/
    and the root (meson's include_directories('.', 'src'))."""
    for d in (os.path.dirname(includer), 'src', '.'):
        cand = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def module(rel):
    return os.path.splitext(rel)[0]


def sccs(nodes, edges):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def read_allowed(path):
    allowed = {}
    if not os.path.exists(path):
        return allowed
    for n, raw in enumerate(open(path), 1):
        line = raw.split('#', 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r'(up|loop)\s+(\S+)\s+->\s+(\S+)', line)
        if not m:
            sys.exit(f'{path}:{n}: expected "up|loop FILE -> FILE  # why"')
        allowed[(m.group(1), m.group(2), m.group(3))] = n
    return allowed


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..'))
    rank, mapping = read_layers(os.path.join(here, 'layers.txt'))
    allowed = read_allowed(os.path.join(here, 'layers-allowed.txt'))

    files = []
    for d, _, names in os.walk(os.path.join(root, 'src')):
        files += [os.path.relpath(os.path.join(d, f), root) for f in names if f.endswith(('.c', '.h'))]
    files.sort()

    problems, edges, file_edges = [], {}, []
    for f in files:
        if layer_of(f, mapping) is None:
            problems.append(f'{f} is in no layer: map it in tests/layers.txt')
        for name in INCLUDE.findall(open(os.path.join(root, f), errors='replace').read()):
            target = resolve(root, f, name)
            if target is None or not target.startswith('src/'):
                continue
            file_edges.append((f, target))
            if module(f) != module(target):
                edges.setdefault(module(f), set()).add(module(target))

    found = set()
    for f, t in file_edges:
        lf, lt = layer_of(f, mapping), layer_of(t, mapping)
        if lf and lt and lf != lt and rank[lt] <= rank[lf]:
            found.add(('up', f, t, f'{lf} includes {lt}'))
    nodes = set(edges) | {m for v in edges.values() for m in v}
    for comp in sccs(nodes, edges):
        if len(comp) < 2:
            continue
        for f, t in file_edges:
            if module(f) in comp and module(t) in comp and module(f) != module(t):
                found.add(('loop', f, t, 'loop: ' + ' '.join(sorted(comp))))

    tests = []
    for kind, f, t, why in sorted(found):
        key = (kind, f, t)
        tests.append((key in allowed, f'{kind} {f} -> {t} ({why})' + ('' if key in allowed else ' -- NEW')))
    for p in problems:
        tests.append((False, p))
    tests.append((True, f'{len(files)} files, {len(file_edges)} includes, {len(found)} violations '
                        f'({sum(1 for k in found if k[:3] in allowed)} allowed in tests/layers-allowed.txt)'))
    print(f'1..{len(tests)}')
    for i, (ok, text) in enumerate(tests, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {text}')
    stale = sorted(set(allowed) - {k[:3] for k in found})
    for kind, f, t in stale:
        print(f'# tests/layers-allowed.txt:{allowed[(kind, f, t)]}: "{kind} {f} -> {t}" no longer occurs: remove it')
    return 0 if all(ok for ok, _ in tests) else 1


sys.exit(main())
