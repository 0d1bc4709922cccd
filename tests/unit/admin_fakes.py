"""An in-memory fake of the admin commands' store, and the scheduler they start and stop.

Nothing here touches a database; writes land at once, as each store call is
its own committed transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.admin_ports import HeldBatch, Overview
from bot.core.links import canonical_url
from bot.core.model import Article, AuditEntry, Source
from bot.core.revision_guard import HeldChange
from bot.services.admin_service import JobLine


@dataclass
class FakeAdminStore:
    """`AdminStore` over lists; `overview` and `sent_times` answer what the test put there."""

    articles: dict[int, Article] = field(default_factory=dict)
    skipped: set[int] = field(default_factory=set)
    sources_kept: list[Source] = field(default_factory=list)
    held: dict[int, HeldBatch] = field(default_factory=dict)  # by source id
    entries: list[AuditEntry] = field(default_factory=list)
    sent: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    counts: Overview = field(default_factory=lambda: Overview(0, 0, [], 0, {}, []))
    recipients: int = 0
    asked_since: list[datetime] = field(default_factory=list)

    def add(self, article: Article) -> Article:
        """Store an article."""
        self.articles[article.id] = article
        return article

    async def overview(self, since: datetime) -> Overview:
        self.asked_since.append(since)
        return dataclasses.replace(self.counts, sources=list(self.sources_kept))

    async def sent_times(self, since: datetime) -> list[tuple[str, datetime, datetime]]:
        self.asked_since.append(since)
        return [row for row in self.sent if row[2] >= since]

    async def held_revisions(self) -> list[HeldBatch]:
        return sorted(self.held.values(), key=lambda batch: batch.at)

    async def take_held(self, source_id: int) -> HeldBatch | None:
        return self.held.pop(source_id, None)

    async def revise(self, changes: Sequence[HeldChange]) -> None:
        for change in changes:
            article = self.articles[change.article_id]
            self.articles[change.article_id] = dataclasses.replace(
                article, title=change.title, summary=change.summary
            )

    async def sources(self) -> list[Source]:
        return list(self.sources_kept)

    async def add_source(self, url: str, now: datetime) -> Source:
        for source in self.sources_kept:
            if source.url == url:
                return source
        source = Source(id=len(self.sources_kept) + 1, url=url)
        self.sources_kept.append(source)
        return source

    async def remove_source(self, url: str) -> None:
        self.sources_kept = [s for s in self.sources_kept if s.url != url]

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        return list(reversed(self.entries))[:limit]

    async def audit(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def article(self, article_id: int) -> Article | None:
        return self.articles.get(article_id)

    async def article_by_url(self, canonical: str) -> Article | None:
        return next((a for a in self.articles.values() if canonical_url(a.url) == canonical), None)

    async def set_skipped(self, article_id: int, skipped: bool) -> None:
        if skipped:
            self.skipped.add(article_id)
        else:
            self.skipped.discard(article_id)

    async def recipient_count(self) -> int:
        return self.recipients


@dataclass
class FakePolls:
    """`PollSchedule`: remembers which sources it was told to poll."""

    polled: list[int] = field(default_factory=list)
    lines: list[JobLine] = field(default_factory=list)

    def jobs(self) -> list[JobLine]:
        return list(self.lines)

    def add_source(self, source: Source) -> None:
        self.polled.append(source.id)

    def remove_source(self, source_id: int) -> None:
        self.polled.remove(source_id)
