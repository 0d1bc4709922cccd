"""Read RSS 2.0, Atom and JSON Feed documents into `ArticleDraft`s.

feedparser reads the XML formats but not JSON Feed, which is parsed here with
`json`. Both paths end in the same draft: an absolute link, plain-text title
and paragraphs (HTML stripped with the page extractor's rules), tags, an
aware publication time and an image.

Strictness is deliberate: a body that is not well-formed, or is an HTML page
rather than a feed, raises `ParseError` instead of yielding whatever
feedparser's forgiving parser guesses, because a wrong guess would be
published while an error only makes the source back off and retry.
"""

from __future__ import annotations

import io
import json
import re
from calendar import timegm
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urljoin
from xml.sax import SAXException

import feedparser
from feedparser.exceptions import CharacterEncodingOverride

from bot.adapters.sources.page_meta import parse_datetime
from bot.adapters.sources.page_text import clean_text, html_paragraphs
from bot.core.errors import ParseError
from bot.core.model import ArticleDraft

_JSON_FEED_VERSION = re.compile(rb"https?://jsonfeed\.org/version/1")
_XML_FEED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF)[\s>/]")
_HTML_ROOT = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_SNIFF_BYTES: Final = 2048
_FEED_TYPES: Final = ("rss", "atom", "rdf", "feed+json", "/xml", "+xml")
_BOM: Final = b"\xef\xbb\xbf"
_XML_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_TITLE_FROM_TEXT_CHARS: Final = 120


def looks_like_feed(content: bytes, content_type: str | None) -> bool:
    """Tell a feed from an HTML page by its first bytes, then by its type.

    The bytes decide when they are clear, because servers label feeds
    ``text/html`` and pages ``text/xml`` often enough; the header decides
    only when the start of the body says nothing either way.
    """
    head = content[:_SNIFF_BYTES].lstrip().removeprefix(_BOM).lstrip()
    if head.startswith(b"{"):
        return bool(_JSON_FEED_VERSION.search(head))
    if _XML_FEED_ROOT.search(head):
        return True
    if _HTML_ROOT.search(head):
        return False
    kind = (content_type or "").split(";")[0].strip().lower()
    return any(marker in kind for marker in _FEED_TYPES)


def parse_feed(
    content: bytes,
    url: str,
    *,
    rejected: list[tuple[str, str]] | None = None,
    doubts: list[str] | None = None,
) -> list[ArticleDraft]:
    """Parse a feed body into drafts, newest-first as the feed lists them.

    One item that cannot be read (a link that is not a URL, a field of the
    wrong type) is left out and the others are kept.

    Args:
        content: The body as downloaded; the XML declaration or BOM decides
            its encoding.
        url: Where the feed was fetched; relative links resolve against it.
        rejected: Receives ``(item, reason)`` for each item left out, the
            item named by its link or title, so the caller can log it.
        doubts: Receives a reason when the document's text cannot be fully
            trusted (it is not valid in the encoding it declares), so the
            caller does not let it rewrite what was posted
            (`bot.core.revision_guard`). A UTF-8 document with stray bytes is
            still read as UTF-8, the bad bytes replaced, never as
            windows-1252 as feedparser would.

    Raises:
        ParseError: The body is not well-formed XML or JSON, or is a document
            (an HTML page, an unrelated XML or JSON file) that is not a feed.
    """
    head = content.lstrip().removeprefix(_BOM).lstrip()
    if not head:
        raise ParseError("empty feed", url=url)
    if head.startswith(b"{"):
        return _parse_json_feed(head, url, rejected)
    if not head.startswith(b"<"):
        raise ParseError("not a feed: the body is neither XML nor JSON", url=url)
    if _HTML_ROOT.search(head[:_SNIFF_BYTES]) and not _XML_FEED_ROOT.search(head[:_SNIFF_BYTES]):
        raise ParseError("not a feed: the body is an HTML page", url=url)
    # A stream, never bytes or str: feedparser treats a string as a URL or
    # a file name to open, and the body is not ours to trust.
    parsed = feedparser.parse(io.BytesIO(content))
    if isinstance(parsed.get("bozo_exception"), CharacterEncodingOverride):
        declared = _declared_encoding(content)
        reason = f"the feed is not valid {declared or 'in its declared encoding'}"
        if doubts is not None:
            doubts.append(reason)
        if declared in ("utf-8", "utf8"):
            repaired = content.decode("utf-8", errors="replace").encode("utf-8")
            parsed = feedparser.parse(io.BytesIO(repaired))
    if parsed.get("bozo") and isinstance(parsed.get("bozo_exception"), SAXException):
        raise ParseError(f"invalid feed XML: {parsed['bozo_exception']}", url=url)
    if not parsed.get("version"):
        raise ParseError("not a feed: no RSS, Atom or RDF root", url=url)
    base = _join(url, parsed.get("feed", {}).get("link") or url, fallback=url)
    drafts: list[ArticleDraft] = []
    for entry in parsed.get("entries", []):
        try:
            draft = _xml_entry(entry, url, base)
        except Exception as exc:  # one item costs only itself
            _reject(rejected, entry, exc)
            continue
        if draft is not None:
            drafts.append(draft)
    return drafts


def _declared_encoding(content: bytes) -> str | None:
    """The encoding named by the XML declaration, lowercased, if any."""
    match = _XML_ENCODING.match(content.lstrip().removeprefix(_BOM))
    return match.group(1).decode("ascii").lower() if match else None


def _reject(
    rejected: list[tuple[str, str]] | None, entry: Mapping[str, Any], exc: Exception
) -> None:
    if rejected is None:
        return
    name = _string(entry.get("link")) or _string(entry.get("url")) or _string(entry.get("title"))
    reason = str(exc).splitlines()[0] if str(exc).strip() else f"unreadable ({type(exc).__name__})"
    rejected.append((name[:300] or "(untitled)", reason[:300]))


def _join(base: str, link: str, *, fallback: str | None = None) -> str:
    """`link` made absolute against `base`.

    Raises:
        ParseError: The link cannot be read as a URL (``http://[bad]/x``),
            unless a `fallback` is given.
    """
    try:
        return urljoin(base, link.strip())
    except ValueError:
        if fallback is not None:
            return fallback
        raise ParseError("link is not a valid URL") from None


def _xml_entry(entry: Mapping[str, Any], url: str, base: str) -> ArticleDraft | None:
    link = entry.get("link") or _permalink_guid(entry)
    content = entry.get("content") or []
    body_html = content[0].get("value", "") if content else ""
    summary_detail = entry.get("summary_detail") or {}
    summary_paragraphs = _text_paragraphs(entry.get("summary", ""), summary_detail.get("type"))
    body = _text_paragraphs(body_html, content[0].get("type")) if body_html else summary_paragraphs
    title = _text(entry.get("title", ""), (entry.get("title_detail") or {}).get("type"))
    return _draft(
        link=link,
        base=base,
        title=title,
        guid=entry.get("id"),
        body=body,
        summary=" ".join(summary_paragraphs[:1]) or None,
        tags=[tag.get("term") or tag.get("label") or "" for tag in entry.get("tags", [])],
        published=_xml_published(entry),
        image=_xml_image(entry),
    )


def _parse_json_feed(
    content: bytes, url: str, rejected: list[tuple[str, str]] | None
) -> list[ArticleDraft]:
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"invalid JSON Feed: {exc}", url=url) from exc
    version = document.get("version") if isinstance(document, dict) else None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/1" not in version:
        raise ParseError("not a feed: JSON without a JSON Feed version", url=url)
    if not isinstance(items, list):
        raise ParseError("invalid JSON Feed: items is not a list", url=url)
    base = _join(url, _string(document.get("home_page_url")) or url, fallback=url)
    drafts: list[ArticleDraft] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            draft = _json_item(item, base)
        except Exception as exc:  # one item costs only itself
            _reject(rejected, item, exc)
            continue
        if draft is not None:
            drafts.append(draft)
    return drafts


def _json_item(item: Mapping[str, Any], base: str) -> ArticleDraft | None:
    if isinstance(item.get("content_html"), str):
        body = html_paragraphs(item["content_html"])
    else:
        body = _plain_paragraphs(_string(item.get("content_text")))
    summary = clean_text(_string(item.get("summary"))) or None
    tags = item.get("tags")
    return _draft(
        link=_string(item.get("url")) or _string(item.get("external_url")),
        base=base,
        title=clean_text(_string(item.get("title"))),
        guid=_string(item.get("id")) or None,
        body=body,
        summary=summary or (body[0] if body else None),
        tags=[_string(tag) for tag in tags] if isinstance(tags, list) else [],
        published=parse_datetime(_string(item.get("date_published"))),
        image=_string(item.get("image")) or _string(item.get("banner_image")) or None,
    )


def _draft(
    *,
    link: str,
    base: str,
    title: str,
    guid: str | None,
    body: tuple[str, ...],
    summary: str | None,
    tags: list[str],
    published: datetime | None,
    image: str | None,
) -> ArticleDraft | None:
    """Assemble a draft; an item with no link, or no title and no text, is skipped."""
    if not link:
        return None
    if not title:
        title = _title_from_text(summary or (body[0] if body else ""))
    if not title:
        return None
    unique_tags = dict.fromkeys(t for t in (clean_text(tag) for tag in tags) if t)
    image_url = None
    if image:
        try:
            image_url = urljoin(base, image.strip())
        except ValueError:
            image_url = None
    return ArticleDraft(
        url=_join(base, link),
        title=title,
        guid=guid,
        body=body,
        summary=summary,
        tags=tuple(unique_tags),
        published_at=published,
        image=image_url,
    )


def _text(value: str, kind: str | None) -> str:
    """Plain text of a feed field: markup is stripped only from HTML fields.

    feedparser already decoded the XML once; a ``text/plain`` title showing
    "&lt;b&gt;" means the outlet wrote those characters, so they stay.
    """
    if kind in ("text/html", "application/xhtml+xml"):
        return " ".join(html_paragraphs(f"<p>{value}</p>"))
    return clean_text(value)


def _text_paragraphs(value: str, kind: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    if kind in ("text/html", "application/xhtml+xml"):
        return html_paragraphs(value)
    return _plain_paragraphs(value)


def _plain_paragraphs(value: str) -> tuple[str, ...]:
    lines = (clean_text(line) for line in re.split(r"\n\s*\n|\r\n\s*\r\n", value))
    return tuple(line for line in lines if line)


def _title_from_text(text: str) -> str:
    """A title for an untitled item: its text, cut on a word boundary."""
    if len(text) <= _TITLE_FROM_TEXT_CHARS:
        return text
    cut = text[:_TITLE_FROM_TEXT_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


def _permalink_guid(entry: Mapping[str, Any]) -> str:
    guid = _string(entry.get("id"))
    return guid if guid.startswith(("http://", "https://")) else ""


def _xml_published(entry: Mapping[str, Any]) -> datetime | None:
    """The entry's own timestamp, keeping its offset; feedparser's UTC tuple as fallback."""
    for key in ("published", "updated", "created"):
        parsed = parse_datetime(_string(entry.get(key)))
        if parsed is not None:
            return parsed
    for key in ("published_parsed", "updated_parsed"):
        struct = entry.get(key)
        if struct is not None:
            return datetime.fromtimestamp(timegm(struct), tz=UTC)
    return None


def _xml_image(entry: Mapping[str, Any]) -> str | None:
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            return str(enclosure["href"])
    for media in entry.get("media_content", []):
        kind = str(media.get("medium") or media.get("type") or "image")
        if kind.startswith("image") and media.get("url"):
            return str(media["url"])
    for thumbnail in entry.get("media_thumbnail", []):
        if thumbnail.get("url"):
            return str(thumbnail["url"])
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href") or "") or None
    return None


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
