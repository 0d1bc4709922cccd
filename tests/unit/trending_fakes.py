"""An in-memory fake of most read's port: articles, read samples and what was posted of them.

What trending queues goes through publishing's fake outbox (`publishing_fakes`),
and `key_used` reads that outbox, so "posted as trending once" is decided by
what was really queued. Readings stay in the unit until it commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from publishing_fakes import FakeOutbox

from bot.core.ingest_ports import Reading
from bot.core.model import Article, DeliveryKind, Destination, DestinationKind
from bot.core.trending_ports import TrendingUnit


@dataclass
class FakeTrending:
    """The committed state trending reads."""

    articles: dict[int, Article] = field(default_factory=dict)
    readings: dict[int, list[Reading]] = field(default_factory=dict)
    sent: dict[tuple[int, DeliveryKind], datetime] = field(default_factory=dict)
    waiting: set[tuple[int, DeliveryKind]] = field(default_factory=set)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    commits: int = 0

    def article(self, article_id: int, published: datetime, title: str = "") -> Article:
        """A stored article published at `published`."""
        article = Article(
            id=article_id,
            url=f"https://site.example/a/{article_id}",
            title=title or f"خبر {article_id}",
            published_at=published,
            first_seen_at=published,
        )
        self.articles[article_id] = article
        return article

    def read(self, article_id: int, *samples: Reading) -> None:
        """Committed counter samples of an article."""
        self.readings.setdefault(article_id, []).extend(samples)

    def trending_rows(self, article_id: int) -> list[str]:
        """Addresses the article was queued to as trending."""
        return sorted(
            self.outbox.destination(d).address for d in self.outbox.keyed(f"trending:{article_id}")
        )


class FakeTrendingUnit:
    """`TrendingUnit` over the state; readings reach it on commit."""

    def __init__(self, state: FakeTrending) -> None:
        self.state = state
        self.new: list[tuple[int, Reading]] = []

    async def recent(self, since: datetime, limit: int) -> list[tuple[int, str]]:
        def when(a: Article) -> datetime:
            return a.published_at or a.first_seen_at or since

        fresh = [a for a in self.state.articles.values() if when(a) >= since]
        fresh.sort(key=lambda a: (when(a), a.id), reverse=True)
        return [(a.id, a.url) for a in fresh[:limit]]

    async def samples(
        self, article_ids: Sequence[int], since: datetime
    ) -> dict[int, list[Reading]]:
        found: dict[int, list[Reading]] = {}
        for article_id in article_ids:
            ordered = sorted(self.state.readings.get(article_id, []))
            before = [s for s in ordered if s[0] < since][-1:]
            kept = before + [s for s in ordered if s[0] >= since]
            if kept:
                found[article_id] = kept
        return found

    async def last_reading(self, article_id: int) -> Reading | None:
        found = self.state.readings.get(article_id, []) + [
            r for i, r in self.new if i == article_id
        ]
        return max(found) if found else None

    async def add_reading(self, article_id: int, reads: int, now: datetime) -> None:
        self.new.append((article_id, (now, reads)))

    async def key_used(self, key: str) -> bool:
        return bool(self.state.outbox.keyed(key))

    async def first_sent(self, article_id: int, kind: DeliveryKind) -> datetime | None:
        return self.state.sent.get((article_id, kind))

    async def pending(self, article_id: int, kind: DeliveryKind) -> bool:
        return (article_id, kind) in self.state.waiting

    async def article(self, article_id: int) -> Article | None:
        return self.state.articles.get(article_id)

    async def destinations(self, kinds: Sequence[DestinationKind]) -> list[Destination]:
        return [d for d in self.state.outbox.destinations if d.kind in kinds and d.active]

    async def commit(self) -> None:
        for article_id, reading in self.new:
            self.state.readings.setdefault(article_id, []).append(reading)
        self.new = []
        self.state.commits += 1


class FakeTrendingStore:
    """`TrendingStore` over a `FakeTrending` state."""

    def __init__(self, state: FakeTrending) -> None:
        self.state = state

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[TrendingUnit]:
        yield FakeTrendingUnit(self.state)
