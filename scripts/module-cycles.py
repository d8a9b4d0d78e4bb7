#!/usr/bin/env python3
"""Fails when a crate's modules import each other in a circle.

Reads `cargo modules dependencies --layout dot` (cargo-modules) on stdin. That
graph is item-level: each "uses" edge goes from an item (a module, a function's
signature, a struct's fields, a type's methods) to an item it names. Every edge
is collapsed to (module of its source) -> (module of its target); the circles
among modules are the strongly connected components with more than one module.
cargo-modules' own --acyclic works on items, so it reports a type and its own
constructor as a cycle and misses modules that import each other's items.

With --inner MODULE, an import of MODULE (or a module inside it) from a
module outside it, the crate root's re-exports aside, fails too: the layer
MODULE sits on top, and nothing below imports it.

Prints the module count, the edges with --edges, and each circle and wrong
import; exits 1 if there is any.
"""
import re
import sys

NODE = re.compile(r'^\s*"([^"]+)" \[label=.*// "(mod|crate)" node')
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" .*// "uses" edge')


def module_graph(lines):
    crate = next(re.search(r'label="([^"]+)"', l).group(1) for l in lines if "label=" in l)
    modules = set()
    for line in lines:
        m = NODE.match(line)
        if m and (m.group(1) == crate or m.group(1).startswith(crate + "::")):
            modules.add(m.group(1))

    def owner(path):
        while path not in modules and "::" in path:
            path = path.rsplit("::", 1)[0]
        return path if path in modules else None

    edges = set()
    for line in lines:
        m = EDGE.match(line)
        if m:
            a, b = owner(m.group(1)), owner(m.group(2))
            if a and b and a != b:
                edges.add((a, b))
    return modules, edges


def circles(modules, edges):
    """Tarjan's strongly connected components of more than one module."""
    succ = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    return found


def inside(module, layer):
    return module == layer or module.startswith(layer + "::")


def main():
    args = sys.argv[1:]
    layer = args[args.index("--inner") + 1] if "--inner" in args else None
    lines = sys.stdin.read().splitlines()
    if not any("label=" in l for l in lines):
        sys.exit("module-cycles: no module graph on stdin")
    modules, edges = module_graph(lines)
    crate = min(modules, key=len)
    found = circles(modules, edges)
    upward = []
    if layer:
        if not any(inside(m, layer) for m in modules):
            sys.exit(f"module-cycles: no module {layer}")
        upward = sorted(
            (a, b) for a, b in edges if a != crate and inside(b, layer) and not inside(a, layer)
        )
    print(f"{len(modules)} modules, {len(edges)} module imports, {len(found)} circle(s)")
    if "--edges" in sys.argv:
        for a, b in sorted(edges):
            print(f"  {a} -> {b}")
    for component in found:
        print("circle: " + " <-> ".join(component))
        for a, b in sorted(edges):
            if a in component and b in component:
                print(f"    {a} -> {b}")
    for a, b in upward:
        print(f"imports the layer {layer} from below: {a} -> {b}")
    sys.exit(1 if found or upward else 0)


if __name__ == "__main__":
    main()
