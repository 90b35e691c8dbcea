"""Rendering the docs/ Markdown for the help pages (markdown-it-py, CommonMark with tables; raw HTML in a file
is shown as text). Headings get GitHub-style ids so `file.md#heading` links work, and links to another docs
file point at its help page."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_DOC_LINK = re.compile(r"^(?:\./|docs/)?([a-z0-9-]+)\.md(#[\w-]*)?$")


def heading_id(text: str) -> str:
    """`Public walls, feed and embed` -> `public-walls-feed-and-embed` (as GitHub names heading anchors)."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def _renderer(link_for: Callable[[str], str | None]) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def ids_and_links(state: StateCore) -> None:
        tokens = state.tokens
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and index + 1 < len(tokens):
                token.attrSet("id", heading_id(tokens[index + 1].content))
            if token.type != "inline" or not token.children:
                continue
            for child in token.children:
                if child.type != "link_open":
                    continue
                href = str(child.attrGet("href") or "")
                found = _DOC_LINK.match(href)
                if found:
                    target = link_for(found[1])
                    if target is not None:
                        child.attrSet("href", target + (found[2] or ""))

    md.core.ruler.push("help_ids_and_links", ids_and_links)
    return md


def render(path: Path, links: Mapping[str, str]) -> str:
    """The HTML of a docs file; `links` maps a docs file's stem (`testimonials`) to its help page URL."""
    stat = path.stat()
    return _render(path, stat.st_mtime_ns, tuple(sorted(links.items())))


@lru_cache(maxsize=32)
def _render(path: Path, _mtime: int, links: tuple[tuple[str, str], ...]) -> str:
    table = dict(links)
    return _renderer(table.get).render(path.read_text(encoding="utf-8"))


def title_of(path: Path) -> str:
    """The first `# ` heading of a docs file (its title), or its file name."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem
