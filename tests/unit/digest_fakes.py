"""An in-memory fake of the digests' reads: articles with their counters, subscribers' choices.

The most read articles are chosen as the store chooses them: read at least
once, published (or first seen) within the period, most reads first, newer
first among equals, and for a subscriber only those of the tags they follow.
Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.digest_ports import ChannelDigest, PersonalDigest
from bot.core.model import Article, Destination, DestinationKind


@dataclass
class Reader:
    """A subscriber who chose a digest, and the chat it goes to (None once it is gone)."""

    destination: Destination | None
    digest: str  # "daily", "weekly" or "off"
    hour: int
    language: str = "ar"
    follows: frozenset[str] = frozenset()
    active: bool = True


@dataclass
class FakeDigestReads:
    """`DigestReads` over lists."""

    articles: list[Article] = field(default_factory=list)
    destinations: list[Destination] = field(default_factory=list)
    readers: list[Reader] = field(default_factory=list)
    calls: int = 0

    def _most_read(
        self, since: datetime, size: int, tags: Iterable[str] | None = None
    ) -> list[int]:
        wanted = None if tags is None else set(tags)
        chosen = [
            a
            for a in self.articles
            if a.reads is not None
            and (a.published_at or a.first_seen_at or since) >= since
            and (wanted is None or wanted & set(a.tags))
        ]
        chosen.sort(key=lambda a: (a.reads or 0, a.id), reverse=True)
        return [a.id for a in chosen[:size]]

    async def channel_digest(
        self, *, since: datetime, size: int, kinds: Sequence[DestinationKind]
    ) -> ChannelDigest:
        self.calls += 1
        return ChannelDigest(
            article_ids=self._most_read(since, size),
            destinations=[d for d in self.destinations if d.kind in kinds and d.active],
        )

    async def personal_digests(
        self, digest: str, hour: int, *, since: datetime, size: int
    ) -> list[PersonalDigest]:
        self.calls += 1
        return [
            PersonalDigest(r.destination, self._most_read(since, size, r.follows), r.language)
            for r in self.readers
            if r.active and r.digest == digest and r.hour == hour
        ]
