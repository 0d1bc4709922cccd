"""OPML 2.0: the list of sources, in the format every feed reader imports and exports.

`read_opml` takes the `outline` elements that carry an `xmlUrl` (feeds) or,
failing that, an `htmlUrl` (article pages Nashir reads by heuristics), at
any depth: readers nest outlines in folders. The title is the outline's
`title`, else its `text`. `write_opml` writes one flat list. Arabic titles
go through as they are: the file is UTF-8, and XML escaping is left to the
XML library.

The parser is the standard library's, which never fetches external
entities or DTDs; the file comes from an admin, and every URL is still
checked by `bot.adapters.netguard` before it is stored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit, urlunsplit

from bot.adapters.netguard import check_public_url
from bot.core.errors import NashirError, SourceError
from bot.core.links import clean_url
from bot.core.ports import Clock
from bot.core.source_list_ports import SourceList

MAX_BYTES = 5_000_000


class OpmlError(NashirError):
    """The file is not OPML that lists sources."""


@dataclass(frozen=True, slots=True)
class Outline:
    """One source in an OPML file."""

    url: str
    title: str | None = None


def source_key(url: str) -> str:
    """What two spellings of one source have in common: duplicates share it.

    The scheme and host are compared in lower case, tracking parameters
    (utm_*, fbclid, ...) and a trailing slash are ignored, and `feed://` is
    read as https.
    """
    parts = urlsplit(normal_source_url(url))
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def normal_source_url(url: str) -> str:
    """The URL to store: `feed://` as https, scheme and host in lower case, no tracking."""
    text = url.strip()
    lowered = text.lower()
    if lowered.startswith(("feed:https://", "feed:http://")):
        text = text[len("feed:") :]
    elif lowered.startswith("feed://"):
        text = "https://" + text[len("feed://") :]
    cleaned = clean_url(text)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return cleaned
    if parts.scheme.lower() not in ("http", "https"):
        return cleaned
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def read_opml(data: bytes) -> list[Outline]:
    """The sources an OPML document lists, in document order, each source once."""
    return parse_opml(data)[0]


def parse_opml(data: bytes) -> tuple[list[Outline], int]:
    """The sources an OPML document lists, each once, and how many entries repeated one.

    URLs are stored in their normal form (`normal_source_url`); two entries
    are one source when their `source_key` is the same.

    Raises:
        OpmlError: Not XML, not OPML, or too large.
    """
    if len(data) > MAX_BYTES:
        raise OpmlError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    if b"<!ENTITY" in data:
        raise OpmlError("entity declarations are not allowed in OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not valid XML ({exc})") from None
    if root.tag != "opml" or root.find("body") is None:
        raise OpmlError("not an OPML document (no <opml> with a <body>)")
    seen: set[str] = set()
    found: list[Outline] = []
    duplicates = 0
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("htmlUrl") or "").strip()
        if not url:
            continue
        if source_key(url) in seen:
            duplicates += 1
            continue
        seen.add(source_key(url))
        title = (outline.get("title") or outline.get("text") or "").strip()
        found.append(Outline(normal_source_url(url), title or None))
    return found, duplicates


def write_opml(
    outlines: Iterable[Outline], *, title: str = "Nashir sources", created: datetime
) -> bytes:
    """An OPML 2.0 document listing `outlines` (UTF-8, with the XML declaration)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ET.SubElement(root, "body")
    for outline in outlines:
        name = outline.title or outline.url
        attributes = {"text": name, "title": name, "type": "rss", "xmlUrl": outline.url}
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


@dataclass(slots=True)
class ImportReport:
    """What an import did with each outline."""

    added: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    duplicates: int = 0  # entries of the file that repeated an earlier one

    def summary(self) -> str:
        """One line that accounts for every entry of the file."""
        total = len(self.added) + len(self.known) + len(self.refused) + self.duplicates
        return (
            f"{total} {'entry' if total == 1 else 'entries'}: {len(self.added)} added, "
            f"{len(self.known)} already known, {self.duplicates} "
            f"{'duplicate' if self.duplicates == 1 else 'duplicates'} in the file, "
            f"{len(self.refused)} refused"
        )


async def import_sources(
    sources: SourceList, clock: Clock, outlines: Sequence[Outline], *, allow_private: bool
) -> ImportReport:
    """Store each outline as a source (after the URL guard), keeping its title.

    A source already stored keeps its polling state; its title is updated
    when the file gives one. Nothing is fetched here: the bot's next start
    polls the new sources (their first poll stores without posting).
    """
    report = ImportReport()
    checked: list[Outline] = []
    for outline in outlines:
        try:
            await check_public_url(outline.url, allow_private=allow_private)
        except SourceError as exc:
            report.refused.append((outline.url, str(exc)))
            continue
        checked.append(outline)
    now = clock.now()
    async with sources.unit() as unit:
        known = {source_key(url): url for url in await unit.urls()}
        for outline in checked:
            url = known.get(source_key(outline.url), outline.url)  # stored under its spelling
            await unit.ensure(url, now)
            if outline.title:
                await unit.name(url, outline.title)
            (report.known if source_key(url) in known else report.added).append(url)
        await unit.commit()
    return report


async def export_sources(sources: SourceList) -> list[Outline]:
    """Every stored source with its title, oldest first."""
    return [Outline(entry.url, entry.title) for entry in await sources.entries()]
