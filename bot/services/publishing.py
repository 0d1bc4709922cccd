"""Publishing: the one way a post enters the outbox.

A new article, a trending re-post, a digest, a followed-tag message, an
admin's `/post`, an approval and a `/broadcast` all come through here, so
approval, each destination's filters and quiet hours, spacing, followers and
the paged fanout are applied the same way whichever started it.

Everything one request causes is written in one unit of work
(`bot.core.ports.UnitOfWork`). Ingest passes its own, so a new article, its tags,
its first read sample and every outbox row it causes commit together: a crash
either loses the article (and the next poll finds it again) or keeps it with
all its posts. Other callers let the service open and commit one. Keys are
unique per destination, so doing any of this twice queues nothing new.

Which destinations take a post: a destination's rules (`bot.core.filters`) may
refuse an article; its quiet hours move a post to the end of the quiet
window; posts to one channel are spaced by `min_gap`; breaking news skips
both. Private chats are not spaced (their posts are grouped when rendered).
Followers and the recipients of a broadcast are read in keyset pages, and
those without rules of their own are inserted with one INSERT … SELECT per
page, so memory holds one page whatever the number of subscribers and
10,000 followers cost a few statements, not 10,000.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.core.events import Events
from bot.core.filters import Rules, Search, admits, stored_rules
from bot.core.model import Article, DeliveryKind, Destination, DestinationKind, Platform
from bot.core.ports import Clock, OutboxStore, QueuedPost, UnitOfWork, UnitsOfWork

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
PAGE = 1000

AskAdmins = Callable[[Article, Sequence[Destination]], Awaitable[None]]


def delivery_key(kind: DeliveryKind, article_id: int) -> str:
    """The outbox key of one article's post of one kind (unique per destination)."""
    return f"{kind.value}:{article_id}"


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    """Which destinations' posts wait for an admin (`NASHIR_APPROVAL_DESTINATIONS`).

    Addresses are a channel's `@name` or id, or `x` for the X account.
    Breaking articles skip approval unless `breaking_bypass` is off.
    """

    addresses: frozenset[str] = frozenset()
    breaking_bypass: bool = True

    @classmethod
    def of(cls, addresses: Iterable[str], *, breaking_bypass: bool = True) -> ApprovalRule:
        """The rule from the configured addresses (case and blanks ignored)."""
        cleaned = frozenset(a.strip().lower() for a in addresses if a.strip())
        return cls(cleaned, breaking_bypass)

    @property
    def enabled(self) -> bool:
        """Whether any destination needs approval."""
        return bool(self.addresses)

    def needs_approval(self, destination: Destination) -> bool:
        """Whether posts to this destination wait for an admin."""
        if destination.platform is Platform.X:
            return "x" in self.addresses
        return destination.address.lower() in self.addresses

    def holds(self, article: Article) -> bool:
        """Whether this article's posts may be held at all."""
        return self.enabled and not (article.breaking and self.breaking_bypass)


@dataclass(frozen=True, slots=True)
class PublishingOptions:
    """Spacing, freshness, the quiet hours' zone, approval and the fanout page, from settings."""

    min_gap: float = 60.0
    freshness: timedelta = timedelta(hours=24)
    zone: tzinfo = UTC
    approval: ApprovalRule = ApprovalRule()
    page: int = PAGE


class Publishing:
    """Puts posts in the outbox: every kind, every caller, one set of rules."""

    def __init__(
        self,
        units: UnitsOfWork,
        clock: Clock,
        options: PublishingOptions,
        *,
        search: Search,
        events: Events | None = None,
        ask: AskAdmins | None = None,
    ) -> None:
        self.units = units
        self.clock = clock
        self.options = options
        self.search = search
        self.events = events or Events()
        self.ask = ask

    def is_fresh(self, article: Article) -> bool:
        """Published within the freshness window (or with no date, so taken as just now)."""
        published = article.published_at
        return published is None or self.clock.now() - published <= self.options.freshness

    # ------------------------------------------------------------------ articles

    async def announce(self, article: Article, unit: UnitOfWork | None = None) -> int:
        """A new article: its channel posts (held where approval says), then its followers.

        Stale articles (published before the freshness window) are stored but
        not posted, so a restart after downtime never floods a channel. With
        `unit`, the rows join the caller's transaction and the caller commits.
        """
        if not self.is_fresh(article):
            log.info("article %d is older than the freshness window: not posted", article.id)
            return 0
        return await self._within(unit, lambda u: self._announce(u, article))

    async def post_now(self, article: Article) -> int:
        """An admin's `/post`: the same as a new article, approval and followers included."""
        return await self.announce(article)

    async def trending(self, article: Article, destinations: Sequence[Destination]) -> int:
        """Re-post an article as most read (key `trending:<id>`, so at most once)."""

        async def work(unit: UnitOfWork) -> int:
            if await unit.outbox.is_skipped(article.id):
                return 0
            post = self._post(DeliveryKind.TRENDING, article)
            return await self._queue(unit, post, destinations, article=article)

        return await self._within(None, work)

    async def followers(self, article: Article, unit: UnitOfWork | None = None) -> int:
        """A followed-tag message to every subscriber following one of the article's tags."""
        if not article.tags or not self.is_fresh(article):
            return 0

        async def work(unit: UnitOfWork) -> int:
            if await unit.outbox.is_skipped(article.id):
                return 0
            return await self._followers(unit, article)

        return await self._within(unit, work)

    async def approve(self, article_id: int) -> int:
        """An admin approved: the held posts of the article go now; how many."""

        async def work(unit: UnitOfWork) -> int:
            return await unit.outbox.release_held(article_id, self.clock.now())

        return await self._within(None, work)

    # ------------------------------------------------------------------ messages

    async def message(
        self,
        destinations: Sequence[Destination],
        *,
        key: str,
        kind: DeliveryKind,
        payload: str,
        article_id: int | None = None,
    ) -> int:
        """A prepared message (a digest) once per destination under `key`, spaced."""
        post = QueuedPost(
            key=key, kind=kind, due=self.clock.now(), article_id=article_id, payload=payload
        )
        return await self._within(None, lambda u: self._queue(u, post, destinations))

    async def broadcast(self, text: str, *, key: str | None = None) -> int:
        """An admin's announcement to every active subscriber; the key makes a repeat harmless."""
        key = key or f"broadcast:{uuid.uuid4().hex[:16]}"
        post = QueuedPost(key=key, kind=DeliveryKind.BROADCAST, due=self.clock.now(), payload=text)
        return await self.fanout(post)

    async def to_subscribers(self, article_id: int, kind: DeliveryKind = DeliveryKind.NEW) -> int:
        """An article for every active subscriber's private chat."""
        post = QueuedPost(
            key=delivery_key(kind, article_id),
            kind=kind,
            due=self.clock.now(),
            article_id=article_id,
        )
        return await self.fanout(post)

    async def fanout(self, post: QueuedPost, unit: UnitOfWork | None = None) -> int:
        """`post` for every active subscriber, in keyset pages, in one transaction.

        Each page is one INSERT … SELECT, so the rows never pass through
        Python; the pages commit together, so a crash queues all or none and
        repeating the request (same key) fills in only what is missing.
        """

        async def work(unit: UnitOfWork) -> int:
            after = 0
            added = 0
            now = self.clock.now()
            while ids := await unit.outbox.recipient_page(after=after, limit=self.options.page):
                added += await unit.outbox.enqueue_recipients(
                    after=after, through=ids[-1], post=post, now=now
                )
                after = ids[-1]
            log.info("fanout %s queued %d deliveries", post.key, added)
            if added:
                events = self.events
                unit.after_commit(_later(lambda: events.delivery_queued("telegram:private", added)))
            return added

        return await self._within(unit, work)

    # ------------------------------------------------------------------ inside a unit

    async def _announce(self, unit: UnitOfWork, article: Article) -> int:
        outbox = unit.outbox
        if await outbox.is_skipped(article.id):
            return 0
        destinations = await outbox.destinations(BROADCAST_KINDS)
        rule = self.options.approval
        held = [d for d in destinations if rule.holds(article) and rule.needs_approval(d)]
        post = self._post(DeliveryKind.NEW, article)
        newly_held = [
            destination
            for destination in held
            if await outbox.enqueue(destination.id, dataclasses.replace(post, held=True), post.due)
        ]
        if newly_held:  # a second announcement of the same story asks nobody twice
            log.info("article %d held for approval on %d destinations", article.id, len(held))
            if self.ask is not None:  # remembered with the posts, so a crash cannot drop it
                await outbox.note_ask(article.id, post.due)
                unit.after_commit(lambda: self._ask_once(article, held))
        rest = [d for d in destinations if d not in held]
        added = await self._queue(unit, post, rest, article=article, urgent=article.breaking)
        if added:
            log.info("article %d queued as new for %d destinations", article.id, added)
        if article.tags:
            added += await self._followers(unit, article)
        return added

    async def _followers(self, unit: UnitOfWork, article: Article) -> int:
        post = self._post(DeliveryKind.FOLLOW, article, priority=0)
        cursor: int | None = 0
        added = 0
        while cursor is not None:
            page, cursor = await unit.outbox.follower_page(
                article.id, after=cursor, limit=self.options.page
            )
            added += await self._queue(unit, post, page, article=article, spaced=False)
        return added

    async def _queue(
        self,
        unit: UnitOfWork,
        post: QueuedPost,
        destinations: Sequence[Destination],
        *,
        article: Article | None = None,
        urgent: bool = False,
        spaced: bool = True,
    ) -> int:
        """Enqueue `post` for each destination whose rules take it, at its slot."""
        if not destinations:
            return 0
        outbox = unit.outbox
        raw = await outbox.rules([d.id for d in destinations])
        now = self.clock.now()
        queued: Counter[str] = Counter()
        at_once: list[Destination] = []  # no rules, no spacing: due now, one statement for all
        for destination in destinations:
            text = raw.get(destination.id)
            if not text and (urgent or not spaced or self.options.min_gap <= 0):
                at_once.append(destination)
                continue
            rules = stored_rules(text)
            if article is not None and not await self._admits(rules, article):
                log.info("article %d filtered out for %s", article.id, destination.address)
                continue
            due = await self._slot(outbox, destination, rules, now, urgent=urgent, spaced=spaced)
            if await outbox.enqueue(destination.id, dataclasses.replace(post, due=due), now):
                queued[destination.label] += 1
        if at_once:
            added = set(
                await outbox.enqueue_many(
                    [d.id for d in at_once], dataclasses.replace(post, due=now), now
                )
            )
            queued.update(d.label for d in at_once if d.id in added)
        if queued:
            unit.after_commit(_later(lambda: self._report(queued)))
        return sum(queued.values())

    async def _slot(
        self,
        outbox: OutboxStore,
        destination: Destination,
        rules: Rules,
        now: datetime,
        *,
        urgent: bool,
        spaced: bool,
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

    async def _admits(self, rules: Rules, article: Article) -> bool:
        if not rules.filters:
            return True
        if rules.include.regex or rules.exclude.regex:
            return await asyncio.to_thread(admits, rules, article, self.search)
        return admits(rules, article, self.search)

    async def _within(
        self, unit: UnitOfWork | None, work: Callable[[UnitOfWork], Awaitable[int]]
    ) -> int:
        """Run `work` in the caller's unit, or in one of its own that it commits."""
        if unit is not None:
            return await work(unit)
        async with self.units() as own:
            added = await work(own)
            await own.commit()
        return added

    def _post(
        self, kind: DeliveryKind, article: Article, *, priority: int | None = None
    ) -> QueuedPost:
        if priority is None:
            priority = BREAKING_PRIORITY if article.breaking and kind is DeliveryKind.NEW else 0
        return QueuedPost(
            key=delivery_key(kind, article.id),
            kind=kind,
            due=self.clock.now(),
            article_id=article.id,
            priority=priority,
        )

    async def replay_asks(self) -> int:
        """Ask the admins what a stopped process held but never got to ask; at start-up.

        A request is remembered in the same transaction as the posts it is
        about and forgotten once sent, so after a crash it is sent at least
        once (twice at most, when the crash fell between sending and forgetting).
        """
        if self.ask is None:
            return 0
        async with self.units() as unit:
            due = await unit.outbox.asks_due()
            await unit.commit()
        asked = 0
        for article, held in due:
            if held:
                await self._ask_once(article, held)
                asked += 1
            else:  # approved or dropped meanwhile: nothing left to ask about
                await self._forget_ask(article.id)
        if asked:
            log.info("asked the admins about %d articles held before a restart", asked)
        return asked

    async def _ask_once(self, article: Article, held: Sequence[Destination]) -> None:
        await self._ask(article, held)
        await self._forget_ask(article.id)

    async def _forget_ask(self, article_id: int) -> None:
        async with self.units() as unit:
            await unit.outbox.forget_ask(article_id)
            await unit.commit()

    async def _ask(self, article: Article, held: Sequence[Destination]) -> None:
        if self.ask is None:
            return
        try:
            await self.ask(article, held)
        except Exception:
            log.exception("could not ask the admins to approve article %d", article.id)

    def _report(self, queued: Counter[str]) -> None:
        for label, count in queued.items():
            self.events.delivery_queued(label, count)


def _later(action: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    """A plain callable as an after-commit action."""

    async def run() -> None:
        action()

    return run
