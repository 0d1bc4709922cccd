"""OPML 2.0: the list of sources, in the format every feed reader imports and exports.

`read_opml` takes the `outline` elements that carry an `xmlUrl` (feeds) or,
failing that, an `htmlUrl` (article pages Nashir reads by heuristics), at
any depth: readers nest outlines in folders. The title is the outline's
`title`, else its `text`. `write_opml` writes one flat list. Arabic titles
go through as they are: the file is UTF-8, and XML escaping is left to the
XML library.

The parser is the standard library's, which never fetches external
entities or DTDs; the file comes from an admin, and every URL is still
checked by `bot.netguard` before it is stored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from bot.errors import NashirError, SourceError
from bot.netguard import check_public_url
from bot.ports import Clock
from bot.storage.database import Database
from bot.storage.operations import OperationsRepository
from bot.storage.sources import SourceRepository

MAX_BYTES = 5_000_000


class OpmlError(NashirError):
    """The file is not OPML that lists sources."""


@dataclass(frozen=True, slots=True)
class Outline:
    """One source in an OPML file."""

    url: str
    title: str | None = None


def read_opml(data: bytes) -> list[Outline]:
    """The sources an OPML document lists, in document order, each URL once.

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
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("htmlUrl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip()
        found.append(Outline(url, title or None))
    return found


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


async def import_sources(
    db: Database, clock: Clock, outlines: Sequence[Outline], *, allow_private: bool
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
    async with db.session() as session:
        sources = SourceRepository(session)
        known = {source.url for source in await sources.all()}
        for outline in checked:
            await sources.ensure(outline.url, now)
            if outline.title:
                await OperationsRepository(session).set_source_title(outline.url, outline.title)
            (report.known if outline.url in known else report.added).append(outline.url)
        await session.commit()
    return report


async def export_sources(db: Database) -> list[Outline]:
    """Every stored source with its title, oldest first."""
    async with db.session() as session:
        entries = await OperationsRepository(session).source_entries()
    return [Outline(entry.url, entry.title) for entry in entries]
