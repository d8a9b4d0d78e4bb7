#!/usr/bin/env python3
"""Fails when a crate's modules import each other in a circle.

Reads the crate's sources from its root file (src/lib.rs or src/main.rs) and
follows its `mod` declarations, test modules (`#[cfg(test)]`, `#[cfg(all(test,
...))]`) left out as in a normal build, every feature in. Each module's imports
are the paths it names: `use` trees (groups, renames and `self` included) and
paths in code (`crate::plan::diff`, `super::ffi::create_topics`,
`exit::SUCCESS` after `use crate::exit`), comments and strings aside. A
path resolves to the module holding the item it names, through re-exports
(`pub use` in the crate root or a module) to where the item is defined. The
circles among modules are the strongly connected components of that graph with
more than one module.

With --inner MODULE (`crate::kafka`), an import of MODULE (or a module inside
it) from a module outside it, the crate root's re-exports aside, fails too:
the layer MODULE sits on top, and nothing below imports it.

Usage: module-cycles.py [--inner MODULE] [--edges] ROOT_FILE
Prints the module count, the edges with --edges, and each circle and wrong
import; exits 1 if there is any.
"""
import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
MOD = re.compile(r"((?:#\s*\[[^\]]*\]\s*)*)(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])")
USE = re.compile(r"((?:#\s*\[[^\]]*\]\s*)*)(?:pub(?:\s*\([^)]*\))?\s+)?use\s+([^;]+);")
PATH = re.compile(r"(?<![A-Za-z0-9_:])(" + IDENT + r"(?:\s*::\s*" + IDENT + r")+)")
TEST_CFG = re.compile(r"#\s*\[\s*cfg\s*\([^\]]*\btest\b")


def blank(text):
    """The source with comments, strings and char literals as spaces (lines kept)."""
    out, i, n = [], 0, len(text)

    def spaces(s):
        return "".join(c if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
        elif (m := re.match(r'b?r(#*)"', text[i:])) and (i == 0 or not re.match(r"\w", text[i - 1])):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
        elif c == '"' or (c == "b" and text.startswith('b"', i) and (i == 0 or not re.match(r"\w", text[i - 1]))):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
        elif c == "'" and (m := re.match(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:])):
            j = i + m.end()
        else:
            out.append(c)
            i += 1
            continue
        out.append(spaces(text[i:j]))
        i = j
    return "".join(out)


def closing_brace(text, start):
    """Index just past the `}` matching the `{` at `start`."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def use_paths(tree):
    """`a::{b, c::{self, D as E}}` -> [(['a','b'], 'b'), (['a','c'], 'c'), (['a','c','D'], 'E')]."""
    tokens = re.findall(IDENT + r"|::|[{},*]", tree)
    pos = 0

    def parse(prefix):
        nonlocal pos
        found, path = [], list(prefix)
        while pos < len(tokens):
            t = tokens[pos]
            if t == "{":
                pos += 1
                while pos < len(tokens) and tokens[pos] != "}":
                    found += parse(path)
                    if pos < len(tokens) and tokens[pos] == ",":
                        pos += 1
                pos += 1
                return found
            if t in (",", "}"):
                break
            if t == "::":
                pos += 1
                continue
            if t == "*":
                pos += 1
                return found  # a glob names no item we can follow
            if t == "as":
                pos += 1
                alias = tokens[pos] if pos < len(tokens) else "_"
                pos += 1
                if path:
                    found.append((path[:-1] if path[-1] == "self" else path, alias))
                return found
            path.append(t)
            pos += 1
        if path and path != list(prefix):
            if path[-1] == "self":
                path = path[:-1]
            found.append((path, path[-1] if path else ""))
        return found

    result = []
    while pos < len(tokens):
        result += parse([])
        if pos < len(tokens) and tokens[pos] in (",", "}"):
            pos += 1
    return result


class Crate:
    def __init__(self, root_file):
        self.children = {}  # module -> {name: child module}
        self.imports = {}  # module -> {name: path segments, as written}
        self.paths = {}  # module -> [path segments named in the module]
        self.load("crate", Path(root_file), Path(root_file).parent, is_root=True)

    def load(self, module, file, directory, is_root=False):
        text = blank(file.read_text(encoding="utf-8"))
        self.children[module] = {}
        self.imports[module] = {}
        self.paths[module] = []
        # Test modules, declared or inline, are not part of the build.
        skipped = []
        for m in MOD.finditer(text):
            attrs, name, end = m.group(1), m.group(2), m.group(3)
            if end == "{":
                if TEST_CFG.search(attrs):
                    skipped.append((m.start(), closing_brace(text, m.end() - 1)))
                continue  # an inline module: read as part of this one
            if TEST_CFG.search(attrs):
                continue
            sub = directory / name
            child = next(
                (p for p in (directory / f"{name}.rs", sub / "mod.rs") if p.exists()), None
            )
            if child is None:
                sys.exit(f"module-cycles: {file}: no file for `mod {name};`")
            full = f"{module}::{name}"
            self.children[module][name] = full
            self.load(full, child, sub if child.name != "mod.rs" else child.parent)
        for start, end in reversed(skipped):
            text = text[:start] + " " * (end - start) + text[end:]
        in_use = []
        for m in USE.finditer(text):
            in_use.append((m.start(), m.end()))
            if TEST_CFG.search(m.group(1)):
                continue
            for path, alias in use_paths(m.group(2)):
                if path:
                    self.imports[module][alias] = path
        for m in PATH.finditer(text):
            if not any(a <= m.start() < b for a, b in in_use):
                # Which of these name this crate's modules is known once
                # every module is read (`resolve`).
                self.paths[module].append(re.sub(r"\s", "", m.group(1)).split("::"))

    def resolve(self, module, path, seen=()):
        """The module holding what `path`, written in `module`, names; None if outside the crate."""
        first, rest = path[0], path[1:]
        if first == "crate":
            at = "crate"
        elif first == "self":
            at = module
        elif first == "super":
            at = module
            while path and path[0] == "super":
                at = at.rsplit("::", 1)[0] if "::" in at else at
                path = path[1:]
            rest = path
        elif first in self.children.get(module, {}):
            at, rest = self.children[module][first], path[1:]
        elif first in self.imports.get(module, {}) and (module, first) not in seen:
            target = self.resolve(module, self.imports[module][first], seen + ((module, first),))
            return target if not rest else self.resolve_in(target, rest, seen)
        else:
            return None  # another crate, or a name from the prelude
        return self.resolve_in(at, rest, seen)

    def resolve_in(self, at, rest, seen):
        if at is None:
            return None
        for i, name in enumerate(rest):
            if name in self.children.get(at, {}):
                at = self.children[at][name]
            elif name in self.imports.get(at, {}) and (at, name) not in seen:
                # A re-export: follow it to where the item is.
                return self.resolve(at, self.imports[at][name] + rest[i + 1 :], seen + ((at, name),))
            else:
                break
        return at

    def graph(self):
        edges = set()
        for module in self.children:
            named = [p for p in self.imports[module].values()] + self.paths[module]
            for path in named:
                target = self.resolve(module, path)
                if target and target != module:
                    edges.add((module, target))
        return set(self.children), edges


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
    layer = None
    if "--inner" in args:
        i = args.index("--inner")
        layer = args[i + 1]
        del args[i : i + 2]
    show_edges = "--edges" in args
    files = [a for a in args if a != "--edges"]
    if len(files) != 1:
        sys.exit(__doc__)
    modules, edges = Crate(files[0]).graph()
    found = circles(modules, edges)
    upward = []
    if layer:
        if not any(inside(m, layer) for m in modules):
            sys.exit(f"module-cycles: no module {layer}")
        upward = sorted(
            (a, b) for a, b in edges if a != "crate" and inside(b, layer) and not inside(a, layer)
        )
    print(f"{files[0]}: {len(modules)} modules, {len(edges)} module imports, {len(found)} circle(s)")
    if show_edges:
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
