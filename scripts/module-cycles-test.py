#!/usr/bin/env python3
"""Shows that module-cycles.py catches what it must: small crates made for it,
and edges injected into a copy of kafka-init-core's own sources."""
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "module-cycles.py"
CORE = HERE.parent / "kafka-init-core" / "src"
BIN = HERE.parent / "kafka-init-bin" / "src"


def check(root_file, *args):
    done = subprocess.run(
        [sys.executable, SCRIPT, *args, root_file], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout + done.stderr


def crate(files, *args):
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return check(Path(tmp) / "lib.rs", *args)


def injected(edits, *args):
    """kafka-init-core's sources with `edits` ({file: text}) appended."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(CORE, src)
        for name, text in edits.items():
            with open(src / name, "a", encoding="utf-8") as f:
                f.write("\n" + text + "\n")
        return check(src / "lib.rs", *args)


class ModuleCycles(unittest.TestCase):
    def test_the_real_crates_pass(self):
        code, out = check(CORE / "lib.rs", "--inner", "crate::kafka")
        self.assertEqual(code, 0, out)
        code, out = check(BIN / "main.rs")
        self.assertEqual(code, 0, out)

    def test_catches_two_modules_importing_each_other(self):
        code, out = crate(
            {
                "lib.rs": "mod a;\nmod b;\n",
                "a.rs": "use crate::b::B;\npub struct A;\n",
                "b.rs": "pub struct B;\npub fn f() -> crate::a::A { crate::a::A }\n",
            }
        )
        self.assertEqual(code, 1, out)
        self.assertIn("circle: crate::a <-> crate::b", out)

    def test_catches_a_circle_through_a_re_export_and_a_nested_module(self):
        code, out = crate(
            {
                "lib.rs": "mod a;\nmod b;\npub use b::inner::{B as Renamed};\n",
                "a.rs": "use crate::{Renamed};\npub struct A;\n",
                "b.rs": "pub mod inner;\n",
                "b/inner.rs": "use super::super::a;\npub struct B(a::A);\n",
            }
        )
        self.assertEqual(code, 1, out)
        self.assertIn("circle: crate::a <-> crate::b::inner", out)

    def test_tests_comments_and_strings_are_not_imports(self):
        code, out = crate(
            {
                "lib.rs": "mod a;\nmod b;\n#[cfg(test)]\nmod c;\n",
                "a.rs": "pub struct A;\n#[cfg(all(test, feature = \"x\"))]\nmod tests {\n"
                "    use crate::b::B;\n}\n// crate::b::B\nconst S: &str = \"crate::b::B\";\n"
                "const R: &str = r#\"crate::b::B\"#;\n",
                "b.rs": "use crate::a::A;\npub struct B(A);\n",
                "c.rs": "use crate::a::A;\n",
            }
        )
        self.assertEqual(code, 0, out)

    def test_catches_a_module_below_importing_the_layer_above(self):
        code, out = crate(
            {
                "lib.rs": "mod plan;\nmod kafka;\npub use kafka::apply;\n",
                "plan.rs": "pub struct Plan;\npub fn go() { crate::apply() }\n",
                "kafka/mod.rs": "mod engine;\npub use engine::apply;\n",
                "kafka/engine.rs": "use crate::plan::Plan;\npub fn apply() {}\n",
            },
            "--inner",
            "crate::kafka",
        )
        self.assertEqual(code, 1, out)
        self.assertIn("imports the layer crate::kafka from below: crate::plan -> crate::kafka::engine", out)

    def test_catches_an_edge_injected_into_the_core_model_importing_the_engine(self):
        code, out = injected(
            {"report.rs": "#[allow(unused_imports)]\nuse crate::ensure_topics;"},
            "--inner",
            "crate::kafka",
        )
        self.assertEqual(code, 1, out)
        self.assertIn("crate::report -> crate::kafka::engine", out)

    def test_catches_an_edge_injected_into_the_core_closing_a_circle(self):
        code, out = injected({"readiness.rs": "pub fn back(p: &crate::plan::Plan) -> usize { p.topics.len() }"})
        self.assertEqual(code, 1, out)
        self.assertIn("circle: crate::plan <-> crate::readiness", out)


if __name__ == "__main__":
    unittest.main()
