#!/usr/bin/env python3
"""The public API of the library crates, one item per line, from rustdoc's
JSON output (`--output-format json`, unstable: enabled on the project's
own toolchain with RUSTC_BOOTSTRAP=1, so the build shares the target dir
and the dependencies clippy and the tests already built, and no second
toolchain is installed).

  scripts/public-api.py            writes api/<crate>.txt for each crate
  scripts/public-api.py --check    fails, showing the diff, when the API
                                   differs from the committed listing

A change to the API is then a reviewed change to api/*.txt. Lists what a
user of the crate can name: items reachable from the crate root through
public modules and re-exports, with struct fields, enum variants,
inherent methods and the traits each type implements (auto traits and
blanket impls left out).
"""

import difflib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = [("kafka-init-core", "kafka_init_core"), ("kafka-init", "kafka_init")]
TARGET = os.path.join(ROOT, "target")


def rustdoc_json(package, lib):
    subprocess.run(
        ["cargo", "rustdoc", "--quiet", "-p", package, "--lib",
         "--", "-Z", "unstable-options", "--output-format", "json"],
        cwd=ROOT, check=True, env={**os.environ, "RUSTC_BOOTSTRAP": "1"})
    with open(os.path.join(TARGET, "doc", lib + ".json")) as f:
        return json.load(f)


class Lister:
    def __init__(self, doc, lib):
        self.doc, self.lib = doc, lib
        self.index = doc["index"]
        self.lines = set()

    def item(self, id_):
        return self.index.get(str(id_))

    def ty(self, t):
        if t is None:
            return "()"
        if not isinstance(t, dict):
            return str(t)
        (kind, v), = t.items()
        if kind == "primitive":
            return v
        if kind == "generic":
            return v
        if kind == "resolved_path":
            name = v.get("path") or v.get("name", "?")
            return name.split("::")[-1] + self.args(v.get("args"))
        if kind == "borrowed_ref":
            lt = (v.get("lifetime") + " ") if v.get("lifetime") else ""
            mut = "mut " if v.get("is_mutable") or v.get("mutable") else ""
            return "&" + lt + mut + self.ty(v["type"])
        if kind == "slice":
            return "[" + self.ty(v) + "]"
        if kind == "array":
            return "[" + self.ty(v["type"]) + "; " + str(v["len"]) + "]"
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ")"
        if kind == "impl_trait":
            return "impl " + " + ".join(self.bound(b) for b in v)
        if kind == "dyn_trait":
            return "dyn " + " + ".join(
                self.ty({"resolved_path": tr["trait"]}) for tr in v["traits"])
        if kind == "qualified_path":
            return "<" + self.ty(v["self_type"]) + ">::" + v["name"]
        if kind == "raw_pointer":
            return "*" + ("mut " if v.get("is_mutable") else "const ") + self.ty(v["type"])
        return kind

    def bound(self, b):
        if "trait_bound" in b:
            return self.ty({"resolved_path": b["trait_bound"]["trait"]})
        if "outlives" in b:
            return b["outlives"]
        return "?"

    def args(self, a):
        if not a:
            return ""
        if "angle_bracketed" in a:
            parts = []
            for arg in a["angle_bracketed"].get("args", []):
                if "type" in arg:
                    parts.append(self.ty(arg["type"]))
                elif "lifetime" in arg:
                    parts.append(arg["lifetime"])
                elif "const" in arg:
                    parts.append(str(arg["const"].get("expr", "_")))
            for c in a["angle_bracketed"].get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    parts.append(c["name"] + " = " + self.ty(binding["equality"].get("type")))
                else:
                    parts.append(c["name"])
            return "<" + ", ".join(parts) + ">" if parts else ""
        if "parenthesized" in a:
            p = a["parenthesized"]
            out = " -> " + self.ty(p["output"]) if p.get("output") else ""
            return "(" + ", ".join(self.ty(x) for x in p["inputs"]) + ")" + out
        return ""

    def fn_sig(self, name, f):
        header = f.get("header", {})
        prefix = ("const " if header.get("is_const") else "") + (
            "async " if header.get("is_async") else "") + (
            "unsafe " if header.get("is_unsafe") else "")
        sig = f["sig"]
        inputs = ", ".join(
            (n + ": " if n != "self" else "") + (self.ty(t) if n != "self" else self.self_param(t))
            for n, t in sig["inputs"])
        out = sig.get("output")
        return "%sfn %s(%s)%s" % (prefix, name, inputs, " -> " + self.ty(out) if out else "")

    def self_param(self, t):
        rendered = self.ty(t)
        return {"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(rendered, "self: " + rendered)

    def attrs(self, it):
        out = []
        for a in it.get("attrs", []):
            text = a if isinstance(a, str) else json.dumps(a)
            if "non_exhaustive" in text:
                out.append("#[non_exhaustive] ")
        return "".join(out)

    def add(self, line):
        self.lines.add(line)

    def walk(self, id_, path, seen):
        it = self.item(id_)
        if it is None or id_ in seen:
            return
        if it.get("visibility") != "public" and id_ != self.doc["root"]:
            return
        seen = seen | {id_}
        (kind, v), = it["inner"].items()
        name = it.get("name")
        here = path + "::" + name if name else path
        if kind == "module":
            if id_ == self.doc["root"]:
                here = self.lib
            else:
                self.add("pub mod " + here)
            for child in v["items"]:
                self.walk(child, here, seen)
        elif kind == "use":
            target = self.item(v["id"]) if v.get("id") is not None else None
            if target is None:
                self.add("pub use %s::%s (from %s)" % (path, v["name"], v["source"]))
                return
            renamed = dict(target, name=v["name"])
            self.index["use:%s" % id_] = renamed
            self.walk("use:%s" % id_, path, seen)
        elif kind == "struct":
            self.add(self.attrs(it) + "pub struct " + here)
            st = v.get("kind", {})
            fields = []
            if isinstance(st, dict):
                fields = st.get("plain", {}).get("fields", []) if "plain" in st else [
                    f for f in st.get("tuple", []) if f is not None]
            for f in fields:
                fi = self.item(f)
                if fi and fi.get("visibility") == "public":
                    self.add("pub %s::%s: %s" % (here, fi["name"], self.ty(fi["inner"]["struct_field"])))
            self.impls(here, v.get("impls", []))
        elif kind == "enum":
            self.add(self.attrs(it) + "pub enum " + here)
            for var in v.get("variants", []):
                vi = self.item(var)
                if vi is None:
                    continue
                vk = vi["inner"]["variant"]["kind"]
                if isinstance(vk, dict) and "struct" in vk:
                    fields = [self.item(f) for f in vk["struct"]["fields"]]
                    body = " { " + ", ".join(
                        "%s: %s" % (f["name"], self.ty(f["inner"]["struct_field"])) for f in fields if f) + " }"
                elif isinstance(vk, dict) and "tuple" in vk:
                    fields = [self.item(f) for f in vk["tuple"] if f is not None]
                    body = "(" + ", ".join(self.ty(f["inner"]["struct_field"]) for f in fields if f) + ")"
                else:
                    body = ""
                self.add(self.attrs(vi) + "pub %s::%s%s" % (here, vi["name"], body))
            self.impls(here, v.get("impls", []))
        elif kind == "function":
            self.add("pub " + self.fn_sig(here, v))
        elif kind == "constant":
            self.add("pub const %s: %s" % (here, self.ty(v.get("type"))))
        elif kind == "static":
            self.add("pub static %s: %s" % (here, self.ty(v.get("type"))))
        elif kind == "type_alias":
            self.add("pub type %s = %s" % (here, self.ty(v.get("type"))))
        elif kind in ("macro", "proc_macro"):
            self.add("pub macro " + here + "!")
        elif kind == "trait":
            self.add("pub trait " + here)
        else:
            self.add("pub %s %s" % (kind, here))

    def impls(self, here, ids):
        for i in ids:
            imp = self.item(i)
            if imp is None:
                continue
            iv = imp["inner"]["impl"]
            if iv.get("is_synthetic") or iv.get("blanket_impl"):
                continue
            if iv.get("trait"):
                self.add("impl %s for %s" % (self.ty({"resolved_path": iv["trait"]}), here))
                continue
            for m in iv.get("items", []):
                mi = self.item(m)
                if mi and mi.get("visibility") == "public" and "function" in mi["inner"]:
                    self.add("pub " + self.fn_sig(here + "::" + mi["name"], mi["inner"]["function"]))
                elif mi and mi.get("visibility") == "public" and "assoc_const" in mi["inner"]:
                    self.add("pub const %s::%s" % (here, mi["name"]))


def listing(package, lib):
    doc = rustdoc_json(package, lib)
    lister = Lister(doc, lib)
    lister.walk(doc["root"], "", frozenset())
    return "\n".join(sorted(lister.lines)) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    failed = False
    for package, lib in CRATES:
        path = os.path.join(ROOT, "api", package + ".txt")
        now = listing(package, lib)
        if not check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(now)
            print("%s: %d item(s)" % (os.path.relpath(path, ROOT), now.count("\n")))
            continue
        try:
            with open(path) as f:
                committed = f.read()
        except FileNotFoundError:
            committed = ""
        if committed != now:
            failed = True
            sys.stdout.writelines(difflib.unified_diff(
                committed.splitlines(True), now.splitlines(True),
                "api/%s.txt (committed)" % package, "%s (built)" % package))
    if failed:
        print("The public API changed: run scripts/public-api.py and commit api/*.txt "
              "with the change.", file=sys.stderr)
        return 1
    if check:
        print("public API matches api/*.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
