"""Per-source CSS selectors (`FIELDS`): they win over a heuristic when they match.

A selector that matches nothing falls back to the heuristics, so a small
layout change at a source degrades a field rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from bot.adapters.sources.page_text import clean_text, is_furniture, paragraphs
from bot.core.errors import ConfigError

FIELDS: Final = frozenset(
    {
        "title",
        "section",
        "reads",
        "body",
        "credit",
        "outlet",
        "tags",
        "image",
        "published",
        "most_read",
        "author",
    }
)
_VALUE_ATTRIBUTES: Final = ("datetime", "content", "src", "data-src", "href")


def validate_selectors(selectors: Mapping[str, str]) -> None:
    """Check per-source selectors when settings load, not on every page.

    Raises:
        ConfigError: A key is not one of `FIELDS` or a selector does not
            parse; the message names the field so the setting can be found.
    """
    probe = LexborHTMLParser("<p></p>")
    for name, selector in selectors.items():
        if name not in FIELDS:
            raise ConfigError(f"unknown page selector field {name!r}; use one of {sorted(FIELDS)}")
        try:
            probe.css(selector)
        except SelectolaxError as exc:
            raise ConfigError(f"page selector for {name!r} is not valid CSS: {selector!r}") from exc


def pick(root: LexborNode, selectors: Mapping[str, str]) -> dict[str, list[str]]:
    """Read what the per-source selectors match, before the tree is pruned.

    `root` is the whole document, so a selector may name a ``<meta>`` in the
    head: ``meta[property="og:title"]`` makes the site's share title the
    headline, for a newsroom that prefers it to the one on the page.
    Values are texts (a ``<meta>``'s ``content``), or for ``image`` and
    ``published`` the attribute values and text to try in order; fields
    with no match are absent.
    The most-read block is left to `bot.adapters.sources.most_read`, which reads rows.
    """
    picked: dict[str, list[str]] = {}
    for field, selector in selectors.items():
        nodes = root.css(selector)
        values: list[str]
        if field == "most_read":
            continue
        if field == "body" and len(nodes) == 1 and nodes[0].css_first("p") is not None:
            values = list(paragraphs(nodes[0]))
        elif field == "body":
            values = [t for t in (clean_text(n.text()) for n in nodes) if not is_furniture(t)]
        elif field == "tags":
            values = [a.text() for node in nodes for a in node.css("a") or [node]]
        elif field in ("image", "published"):
            values = [
                value
                for node in nodes
                for value in (*(node.attributes.get(a) for a in _VALUE_ATTRIBUTES), node.text())
                if value and value.strip()
            ]
        else:
            values = [t for t in (clean_text(_shown(n)) for n in nodes) if t]
        if values:
            picked[field] = values
    return picked


def _shown(node: LexborNode) -> str:
    if node.tag == "meta":
        return node.attributes.get("content") or ""
    return node.text()
