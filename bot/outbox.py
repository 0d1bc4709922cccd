"""Putting posts in the outbox: which destinations get an article, and when.

Enqueueing is idempotent: the outbox key (`new:<article id>`) is unique per
destination, so a second poll, a second instance or a webhook announcing the
same story can never queue it twice. Posts to one channel are spaced by
`min_gap` so ten stories found at once do not land in the same second;
breaking stories go first and skip the spacing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model import Article, DeliveryKind, Destination, DestinationKind
from bot.ports import Clock
from bot.storage.database import Database
from bot.storage.repositories import ArticleRepository, DestinationRepository, OutboxRepository

log = logging.getLogger(__name__)

BROADCAST_KINDS = (
    DestinationKind.CHANNEL,
    DestinationKind.GROUP,
    DestinationKind.TOPIC,
    DestinationKind.X_ACCOUNT,
    DestinationKind.CONSOLE,
)
BREAKING_PRIORITY = 10


@dataclass(frozen=True, slots=True)
class OutboxOptions:
    """Spacing and freshness rules from the settings."""

    min_gap: float = 60.0
    freshness: timedelta = timedelta(hours=24)


def delivery_key(kind: DeliveryKind, article_id: int) -> str:
    """The outbox key of one article's post of one kind (unique per destination)."""
    return f"{kind.value}:{article_id}"


class Outbox:
    """Queues articles for the destinations that should get them."""

    def __init__(self, db: Database, clock: Clock, options: OutboxOptions) -> None:
        self.db = db
        self.clock = clock
        self.options = options

    async def queue_new(
        self, article: Article, *, destinations: Sequence[Destination] | None = None
    ) -> int:
        """Queue a new article for every broadcast destination; return rows added.

        Stale articles (published before the freshness window) are stored but
        not posted, so a restart after downtime never floods a channel.
        """
        now = self.clock.now()
        if article.published_at and now - article.published_at > self.options.freshness:
            log.info("article %d is older than the freshness window: not posted", article.id)
            return 0
        added = 0
        async with self.db.session() as session:
            if await ArticleRepository(session).is_skipped(article.id):
                return 0
            if destinations is None:
                destinations = await DestinationRepository(session).active(BROADCAST_KINDS)
            outbox = OutboxRepository(session)
            for destination in destinations:
                due = await self._slot(outbox, destination, now, breaking=article.breaking)
                if await outbox.enqueue(
                    key=delivery_key(DeliveryKind.NEW, article.id),
                    destination_id=destination.id,
                    article_id=article.id,
                    kind=DeliveryKind.NEW,
                    due=due,
                    now=now,
                    priority=BREAKING_PRIORITY if article.breaking else 0,
                ):
                    added += 1
            await session.commit()
        if added:
            log.info("article %d queued for %d destinations", article.id, added)
        return added

    async def _slot(
        self, outbox: OutboxRepository, destination: Destination, now: datetime, *, breaking: bool
    ) -> datetime:
        """When the next post to `destination` may go: `min_gap` after the last one."""
        if breaking or self.options.min_gap <= 0:
            return now
        last = await outbox.last_due(destination.id)
        if last is None:
            return now
        return max(now, last + timedelta(seconds=self.options.min_gap))
