"""Importing and exporting the sources (OPML) on an in-memory fake of their port; no database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from bot.core.clock import ManualClock
from bot.core.source_list_ports import ListedSource, SourceListUnit
from bot.services.opml import Outline, export_sources, import_sources

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class FakeSourceList:
    """`SourceList` in memory: url -> (title, added at); a unit's writes wait for its commit."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[str | None, datetime]] = {}
        self.commits = 0

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SourceListUnit]:
        yield FakeUnit(self)

    async def entries(self) -> list[ListedSource]:
        ordered = sorted(self.sources.items(), key=lambda item: item[1][1])
        return [ListedSource(url, title) for url, (title, _) in ordered]


class FakeUnit:
    def __init__(self, state: FakeSourceList) -> None:
        self.state = state
        self.pending = dict(state.sources)

    async def urls(self) -> list[str]:
        return list(self.pending)

    async def ensure(self, url: str, now: datetime) -> None:
        self.pending.setdefault(url, (None, now))

    async def name(self, url: str, title: str) -> None:
        self.pending[url] = (title, self.pending[url][1])

    async def commit(self) -> None:
        self.state.sources = self.pending
        self.state.commits += 1


@pytest.fixture
def sources() -> FakeSourceList:
    return FakeSourceList()


async def test_new_sources_are_added_with_their_titles_in_one_commit(
    sources: FakeSourceList,
) -> None:
    outlines = [
        Outline("https://news.example/feed", "أخبار"),
        Outline("https://other.example/rss", None),
    ]
    report = await import_sources(sources, ManualClock(NOW), outlines, allow_private=True)
    assert report.added == ["https://news.example/feed", "https://other.example/rss"]
    assert report.known == []
    assert sources.sources == {
        "https://news.example/feed": ("أخبار", NOW),
        "https://other.example/rss": (None, NOW),
    }
    assert sources.commits == 1


async def test_a_known_source_keeps_its_spelling_and_takes_the_new_title(
    sources: FakeSourceList,
) -> None:
    sources.sources["https://News.example/feed/"] = ("قديم", NOW)
    clock = ManualClock(NOW)
    clock.advance(3600)
    spelled = Outline("https://news.example/feed?utm_source=reader", "جديد")
    report = await import_sources(sources, clock, [spelled], allow_private=True)
    assert report.known == ["https://News.example/feed/"]
    assert report.added == []
    assert sources.sources == {"https://News.example/feed/": ("جديد", NOW)}


async def test_a_refused_url_is_reported_and_not_stored(sources: FakeSourceList) -> None:
    outlines = [Outline("ftp://files.example/feed.xml", "ملفات"), Outline("https://ok.example/")]
    report = await import_sources(sources, ManualClock(NOW), outlines, allow_private=True)
    assert [url for url, _ in report.refused] == ["ftp://files.example/feed.xml"]
    assert "http" in report.refused[0][1]
    assert list(sources.sources) == ["https://ok.example/"]
    assert report.summary() == (
        "2 entries: 1 added, 0 already known, 0 duplicates in the file, 1 refused"
    )


async def test_the_export_lists_every_source_oldest_first(sources: FakeSourceList) -> None:
    sources.sources["https://b.example/rss"] = ("ب", datetime(2026, 2, 1, tzinfo=UTC))
    sources.sources["https://a.example/rss"] = (None, datetime(2026, 1, 1, tzinfo=UTC))
    assert await export_sources(sources) == [
        Outline("https://a.example/rss", None),
        Outline("https://b.example/rss", "ب"),
    ]
