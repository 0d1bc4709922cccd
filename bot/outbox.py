"""Putting posts in the outbox: which destinations get an article, and when.

Enqueueing is idempotent: the outbox key (`new:<article id>`,
`trending:<article id>`, `digest:<date>`...) is unique per destination, so a
second poll, a second instance or a webhook announcing the same story can
never queue it twice. Posts to one channel are spaced by `min_gap` so ten
stories found at once do not land in the same second; breaking stories go
first and skip the spacing. Each destination's rules (`bot.filters`) decide
whether it takes an article at all, and its quiet hours move a post to the
end of the quiet window (breaking news excepted).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Events
from bot.filters import Rules, Search, admits, stored_rules
from bot.model import Article, DeliveryKind, Destination, DestinationKind
from bot.ports import Clock
from bot.regex_deadline import RegexWorker
from bot.storage.articles import ArticleRepository
from bot.storage.database import Database
from bot.storage.destinations import DestinationRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.scheduling import RulesRepository, SelectionRepository

log = logging.getLogger(__name__)

BROADCAST_KINDS = (
    DestinationKind.CHANNEL,
    DestinationKind.GROUP,
    DestinationKind.TOPIC,
    DestinationKind.X_ACCOUNT,
    DestinationKind.CONSOLE,
)
CHANNEL_KINDS = tuple(kind for kind in BROADCAST_KINDS if kind is not DestinationKind.X_ACCOUNT)
BREAKING_PRIORITY = 10
# A row planned further ahead than this is held (approval mode), not a post to space after.
HELD_BEYOND = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class OutboxOptions:
    """Spacing, freshness and the zone quiet hours are read in, from the settings."""

    min_gap: float = 60.0
    freshness: timedelta = timedelta(hours=24)
    zone: tzinfo = UTC


def delivery_key(kind: DeliveryKind, article_id: int) -> str:
    """The outbox key of one article's post of one kind (unique per destination)."""
    return f"{kind.value}:{article_id}"


class Outbox:
    """Queues articles for the destinations that should get them."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        options: OutboxOptions,
        *,
        search: Search | None = None,
        events: Events | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.options = options
        self._worker = RegexWorker() if search is None else None
        self.search: Search = search or self._worker.search  # type: ignore[union-attr]
        self.events = events or Events()

    def close(self) -> None:
        """Stop the regular-expression worker, if it was started."""
        if self._worker is not None:
            self._worker.close()

    def is_fresh(self, article: Article) -> bool:
        """Published within the freshness window (or with no date, so taken as just now)."""
        published = article.published_at
        return published is None or self.clock.now() - published <= self.options.freshness

    async def queue_new(
        self, article: Article, *, destinations: Sequence[Destination] | None = None
    ) -> int:
        """Queue a new article for every broadcast destination; return rows added.

        Stale articles (published before the freshness window) are stored but
        not posted, so a restart after downtime never floods a channel.
        """
        if not self.is_fresh(article):
            log.info("article %d is older than the freshness window: not posted", article.id)
            return 0
        return await self.queue_article(
            article,
            DeliveryKind.NEW,
            destinations=destinations,
            priority=BREAKING_PRIORITY if article.breaking else 0,
            urgent=article.breaking,
        )

    async def queue_article(
        self,
        article: Article,
        kind: DeliveryKind,
        *,
        destinations: Sequence[Destination] | None = None,
        key: str | None = None,
        priority: int = 0,
        urgent: bool = False,
        spaced: bool = True,
    ) -> int:
        """Queue one article for destinations that take it; return rows added.

        `urgent` skips spacing and quiet hours (breaking news); `spaced=False`
        skips spacing only (private chats group their posts instead).
        """
        key = key or delivery_key(kind, article.id)
        now = self.clock.now()
        added = 0
        async with self.db.session() as session:
            if await ArticleRepository(session).is_skipped(article.id):
                return 0
            if destinations is None:
                destinations = await DestinationRepository(session).active(BROADCAST_KINDS)
            rules = await self._rules(session, destinations)
            outbox = OutboxRepository(session)
            queued: list[Destination] = []
            for destination in destinations:
                rule = rules.get(destination.id, Rules())
                if not await self._admits(rule, article):
                    log.info("article %d filtered out for %s", article.id, destination.address)
                    continue
                due = await self.slot(outbox, destination, rule, now, urgent=urgent, spaced=spaced)
                if await outbox.enqueue(
                    key=key,
                    destination_id=destination.id,
                    article_id=article.id,
                    kind=kind,
                    due=due,
                    now=now,
                    priority=priority,
                ):
                    added += 1
                    queued.append(destination)
            await session.commit()
        self._report(queued)
        if added:
            log.info("article %d queued as %s for %d destinations", article.id, kind, added)
        return added

    async def queue_message(
        self,
        destinations: Sequence[Destination],
        *,
        key: str,
        kind: DeliveryKind,
        payload: str,
        article_id: int | None = None,
    ) -> int:
        """Queue a prepared message (a digest) once per destination under `key`."""
        now = self.clock.now()
        added = 0
        async with self.db.session() as session:
            rules = await self._rules(session, destinations)
            outbox = OutboxRepository(session)
            queued: list[Destination] = []
            for destination in destinations:
                rule = rules.get(destination.id, Rules())
                due = await self.slot(outbox, destination, rule, now, urgent=False, spaced=True)
                if await outbox.enqueue(
                    key=key,
                    destination_id=destination.id,
                    kind=kind,
                    due=due,
                    now=now,
                    article_id=article_id,
                    payload=payload,
                ):
                    added += 1
                    queued.append(destination)
            await session.commit()
        self._report(queued)
        return added

    async def slot(
        self,
        outbox: OutboxRepository,
        destination: Destination,
        rules: Rules,
        now: datetime,
        *,
        urgent: bool,
        spaced: bool = True,
    ) -> datetime:
        """When the next post to `destination` may go.

        `min_gap` after the last one planned or sent, and never inside the
        destination's quiet hours; urgent posts go now.
        """
        if urgent:
            return now
        due = now
        if spaced and self.options.min_gap > 0:
            last = await outbox.last_due(destination.id)
            if last is not None and last - now < HELD_BEYOND:  # rows held for approval wait
                due = max(now, last + timedelta(seconds=self.options.min_gap))
        if rules.quiet_hours is not None:
            until = rules.quiet_hours.until(due, self.options.zone)
            if until is not None:
                due = until
        return due

    async def settle(self) -> tuple[int, int]:
        """After downtime or a pause: drop stale new posts, re-space the overdue rest.

        Returns (skipped, moved). Without this, rows that fell due while
        nothing was sending would all go out in the first second.
        """
        now = self.clock.now()
        gap = timedelta(seconds=self.options.min_gap)
        async with self.db.session() as session:
            selection = SelectionRepository(session)
            stale = await selection.stale_pending(DeliveryKind.NEW, now - self.options.freshness)
            await selection.skip(stale, "stale after downtime")
            moved = 0
            next_due: dict[int, datetime] = {}
            for delivery_id, destination_id, priority in await selection.overdue(now):
                if priority >= BREAKING_PRIORITY or gap <= timedelta(0):
                    continue
                due = next_due.get(destination_id, now)
                next_due[destination_id] = due + gap
                if due > now:
                    await selection.reschedule(delivery_id, due)
                    moved += 1
            await session.commit()
        if stale or moved:
            log.info("outbox settled: %d stale posts dropped, %d re-spaced", len(stale), moved)
        return len(stale), moved

    async def _rules(
        self, session: AsyncSession, destinations: Sequence[Destination]
    ) -> dict[int, Rules]:
        raw = await RulesRepository(session).of([d.id for d in destinations])
        return {destination_id: stored_rules(text) for destination_id, text in raw.items()}

    async def _admits(self, rules: Rules, article: Article) -> bool:
        if not rules.filters:
            return True
        if rules.include.regex or rules.exclude.regex:
            return await asyncio.to_thread(admits, rules, article, self.search)
        return admits(rules, article, self.search)

    def _report(self, destinations: Sequence[Destination]) -> None:
        for destination in destinations:
            self.events.delivery_queued(destination.label)
