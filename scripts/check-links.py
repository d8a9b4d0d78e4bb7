#!/usr/bin/env python3
"""Fails when a link in README.md or docs/*.md points nowhere.

Checks every inline link `[text](target)` and reference definition
`[label]: target` outside code: a relative target must name a file or
directory of the checkout, and a `#fragment` a heading of the page it names
(GitHub's anchors: lower case, punctuation dropped, spaces as `-`, a `-N`
suffix for repeats). Links into the project's own repository
(`<repository>/blob/<ref>/path`, as the crate docs use for docs.rs) are
checked the same way. Other URLs are not fetched.

Usage: check-links.py [ROOT]   (default: the checkout this script is in)
Prints each broken link as file:line: target: why; exits 1 if there is any.
"""
import re
import sys
from pathlib import Path

INLINE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def outside_code(text):
    """Yields (line number, line, line with code spans blanked) outside fenced code."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield number, line, CODE_SPAN.sub(lambda s: " " * len(s.group(0)), line)


def slug(heading):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found, seen = set(), {}
        for _, line, _ in outside_code(path.read_text(encoding="utf-8")):
            m = HEADING.match(line)
            if m:
                base = slug(m.group(2).replace("`", ""))
                n = seen.get(base, 0)
                seen[base] = n + 1
                found.add(base if n == 0 else f"{base}-{n}")
        cache[path] = found
    return cache[path]


def repository(root):
    manifest = root / "Cargo.toml"
    if manifest.exists():
        m = re.search(r'^repository\s*=\s*"([^"]+)"', manifest.read_text(), re.M)
        if m:
            return m.group(1).rstrip("/")
    return None


def problem(page, target, root, repo):
    if repo and target.startswith(repo + "/"):
        m = re.match(r"(?:blob|tree)/[^/]+/(.*)", target[len(repo) + 1 :])
        if not m:
            return None
        base, path_part = root, m.group(1)
    elif re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
        return None  # another site, or mailto:
    else:
        base, path_part = page.parent, target
    path_part, _, fragment = path_part.partition("#")
    if path_part.startswith("/"):
        base, path_part = root, path_part.lstrip("/")
    dest = (base / path_part).resolve() if path_part else page
    if not dest.exists():
        return "no such file"
    if root.resolve() not in [dest, *dest.parents]:
        return "outside the checkout"
    if fragment:
        if dest.is_dir() or dest.suffix.lower() != ".md":
            return "an anchor into a file that is not markdown"
        if fragment.lower() not in anchors(dest):
            return f"no heading #{fragment} in {dest.relative_to(root.resolve())}"
    return None


def check(root):
    root = Path(root).resolve()
    repo = repository(root)
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    broken, count = [], 0
    for page in pages:
        if not page.exists():
            continue
        for number, _, line in outside_code(page.read_text(encoding="utf-8")):
            targets = INLINE.findall(line)
            m = DEFINITION.match(line)
            if m:
                targets.append(m.group(1))
            for target in targets:
                count += 1
                why = problem(page, target, root, repo)
                if why:
                    broken.append(f"{page.relative_to(root)}:{number}: {target}: {why}")
    return len(pages), count, broken


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    pages, count, broken = check(root)
    for line in broken:
        print(line)
    print(f"{pages} page(s), {count} link(s), {len(broken)} broken")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
