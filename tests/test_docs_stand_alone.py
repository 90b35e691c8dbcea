"""The repository stands alone: no page, doc, template or module sends a reader to a file outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"DESIGN(\.md| section)|STYLE\.md")
SCANNED = ("README.md", "docs", "ecp_tracker", "benchmarks", "config.py", "wsgi.py")


def test_nothing_refers_to_a_design_file_outside_the_repository():
    offenders = []
    for entry in SCANNED:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in files:
            if file.suffix not in {".md", ".py", ".html", ".txt", ".toml"} or not file.is_file():
                continue
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                if OUTSIDE.search(line):
                    offenders.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []


def test_docs_links_point_at_files_that_exist():
    broken = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert broken == []
