"""What a page says about itself in ``<meta>`` tags and JSON-LD, and timestamps.

Metadata is the fallback when the visible page does not tell (a section with
no breadcrumb, an image outside the body, the publication time), and the
first guess at the headline (``og:title`` minus the site name). Feeds share
the timestamp reader, since the site prints the same layouts in both.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from bot.adapters.sources.page_text import clean_text
from bot.core.text.arabic import to_ascii_digits

SITE_TIMEZONE: Final = ZoneInfo("Asia/Aden")

_DATE_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y %b %d",  # citation metadata: "2023 Jan 7"
    "%Y %B %d",
)


def parse_datetime(raw: str | None) -> datetime | None:
    """Read a page or feed timestamp; a naive one is the site's local time.

    ISO 8601 (metadata, JSON-LD), RFC 822 (feeds) and the plain layouts the
    site prints are accepted. The site is in Yemen (UTC+3 all year), so a
    time without an offset is taken as Asia/Aden rather than UTC.
    """
    text = to_ascii_digits(clean_text(raw or ""))
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            for layout in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, layout)
                    break
                except (ValueError, OverflowError):
                    continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SITE_TIMEZONE)


class Meta:
    """The page's ``<meta>`` values by lower-cased property, name or itemprop."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def get(self, key: str) -> str | None:
        """The first non-empty value: an empty ``content`` is as good as absent."""
        for name, value in self._pairs:
            if name == key and value:
                return value
        return None

    def matching(self, pattern: re.Pattern[str]) -> list[str]:
        """Every non-empty value whose key the pattern finds (a site's own date names)."""
        return [value for name, value in self._pairs if value and pattern.search(name)]

    def get_all(self, key: str) -> list[str]:
        """Every non-empty value, for keys a page repeats (``article:tag``)."""
        return [value for name, value in self._pairs if name == key and value]


def read_meta(tree: LexborHTMLParser) -> Meta:
    """The page's ``<meta>`` values; Open Graph's ``property``, ``name`` and ``itemprop`` alike."""
    pairs: list[tuple[str, str]] = []
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        if key:
            pairs.append((key.strip().lower(), clean_text(attrs.get("content") or "")))
    return Meta(pairs)


def read_json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    """The page's schema.org article object in JSON-LD, or ``{}``.

    An ``Article`` (any kind) or ``BlogPosting`` wins; failing that, the first
    object that carries a headline or a publication date (a ``WebPage`` or
    ``Report`` on sites that do not say "article").
    """
    fallback: dict[str, Any] = {}
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text())
        except (ValueError, RecursionError):  # broken or absurdly nested: metadata only is lost
            continue
        for item in _json_ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith(("Article", "BlogPosting")) for k in kinds):
                return item
            if not fallback and ("datePublished" in item or "headline" in item):
                fallback = item
    return fallback


def keywords(meta: Meta, json_ld: dict[str, Any]) -> list[str]:
    """Tags the page declares: ``article:tag``, JSON-LD ``keywords``, ``<meta name="keywords">``."""
    found = meta.get_all("article:tag")
    if found:
        return found
    declared = json_ld.get("keywords")
    listed: list[str] = []
    if isinstance(declared, list):
        listed = [str(k) for k in declared if isinstance(k, str | int | float) and str(k).strip()]
    elif isinstance(declared, str):
        listed = _split_keywords(declared)
    if listed:  # an empty JSON-LD list ([""]) leaves the <meta> keywords to say
        return listed
    for key in ("news_keywords", "keywords"):
        value = meta.get(key)
        if value:
            return _split_keywords(value)
    return []


def _split_keywords(text: str) -> list[str]:
    return [part for part in re.split(r"[,،;؛]", text) if part.strip()]


def author(meta: Meta, json_ld: dict[str, Any]) -> str | None:
    """The author the metadata names: JSON-LD ``author``, else an author ``<meta>``."""
    names = _names(json_ld.get("author")) or meta.get_all("citation_author")[:10]
    if names:
        return ", ".join(dict.fromkeys(names))
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator"):
        value = meta.get(key)
        if value and not value.startswith(("http://", "https://", "/")):
            return value
    return None


def _names(value: Any, depth: int = 0) -> list[str]:
    if depth > 3:
        return []
    if isinstance(value, str):
        text = clean_text(html.unescape(value))  # "Maria &amp; Katerina" escaped twice
        return [text] if text and not text.startswith(("http://", "https://")) else []
    if isinstance(value, dict):
        return _names(value.get("name"), depth + 1)
    if isinstance(value, list):
        return [name for item in value[:10] for name in _names(item, depth + 1)]
    return []


def _json_ld_items(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_items(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_ld_items(data["@graph"])
