#!/usr/bin/env python3
"""Shows that check-links.py catches what it must, on pages made for it."""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "check-links.py"
MANIFEST = '[package]\nrepository = "https://github.com/o/r"\n'


def run(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in {"Cargo.toml": MANIFEST, **files}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        done = subprocess.run(
            [sys.executable, SCRIPT, root], capture_output=True, text=True, check=False
        )
        return done.returncode, done.stdout


GOOD = {
    "README.md": "# Top\n\nSee [the file](docs/a.md#the-file-keys) and [b](docs/b.md).\n",
    "docs/a.md": "# A\n\n## The file: `keys`\n\n[up](../README.md#top) [self](#a) "
    "[repo](https://github.com/o/r/blob/main/docs/b.md) [web](https://example.com/x)\n",
    "docs/b.md": "# B\n\n```md\n[in code](nowhere.md)\n```\n\n`[span](nowhere.md)`\n",
}


class CheckLinks(unittest.TestCase):
    def test_passes_when_every_link_resolves(self):
        code, out = run(GOOD)
        self.assertEqual(code, 0, out)
        self.assertIn("0 broken", out)

    def test_catches_a_missing_file(self):
        code, out = run({**GOOD, "docs/b.md": "# B\n\n[gone](c.md)\n"})
        self.assertEqual(code, 1, out)
        self.assertIn("docs/b.md:3: c.md: no such file", out)

    def test_catches_a_missing_anchor(self):
        code, out = run({**GOOD, "README.md": "# Top\n\n[x](docs/a.md#the-file)\n"})
        self.assertEqual(code, 1, out)
        self.assertIn("README.md:3: docs/a.md#the-file: no heading #the-file in docs/a.md", out)

    def test_catches_a_missing_anchor_on_the_same_page(self):
        code, out = run({**GOOD, "docs/b.md": "# B\n\n[x](#c)\n"})
        self.assertEqual(code, 1, out)
        self.assertIn("docs/b.md:3: #c: no heading #c", out)

    def test_catches_a_broken_link_into_the_repository(self):
        code, out = run({**GOOD, "docs/b.md": "# B\n\n[x](https://github.com/o/r/blob/main/docs/c.md)\n"})
        self.assertEqual(code, 1, out)
        self.assertIn("no such file", out)

    def test_catches_a_broken_reference_definition(self):
        code, out = run({**GOOD, "docs/b.md": "# B\n\n[x][y]\n\n[y]: ../LICENSE\n"})
        self.assertEqual(code, 1, out)
        self.assertIn("docs/b.md:5: ../LICENSE: no such file", out)


if __name__ == "__main__":
    unittest.main()
