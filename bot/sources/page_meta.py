"""What a page says about itself in ``<meta>`` tags and JSON-LD, and timestamps.

Metadata is the fallback when the visible page does not tell (a section with
no breadcrumb, an image outside the body, the publication time), and the
first guess at the headline (``og:title`` minus the site name). Feeds share
the timestamp reader, since the site prints the same layouts in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from bot.sources.page_text import clean_text
from bot.text.arabic import to_ascii_digits

SITE_TIMEZONE: Final = ZoneInfo("Asia/Aden")

_DATE_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
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
    """The first schema.org article object in the page's JSON-LD, or ``{}``."""
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
    return {}


def _json_ld_items(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_items(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_ld_items(data["@graph"])
