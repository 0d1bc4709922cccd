"""What the admin commands do, one method per command, independent of Telegram.

Authorisation is not here: the handlers check the user id before calling in,
and write the audit entry either way. Inputs that a person can get wrong
raise `UserInputError` with a reason the handler shows; the rest is data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.adapters.netguard import check_public_url
from bot.adapters.sources.documents import read_document
from bot.adapters.sources.fetch import Fetcher
from bot.core.activity import HOURS, Activity, activity
from bot.core.admin_ports import AdminStore, HeldBatch
from bot.core.errors import NashirError, SourceError, UnsafeURLError, UserInputError
from bot.core.links import canonical_url
from bot.core.model import (
    Article,
    AuditEntry,
    Destination,
    DestinationKind,
    Platform,
    Post,
    Source,
    as_article,
)
from bot.core.ports import Clock, Publisher
from bot.services.ingest import Ingestor
from bot.services.publishing import Publishing
from bot.services.rendering import Renderer
from bot.services.xbudget import XBudget

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stats:
    """What /stats shows."""

    active: int
    blocked: int
    posts_today: list[tuple[str, int]]
    queued: int
    failed_today: int
    sources: list[Source]
    x_budget: str | None
    paused: bool | None


@dataclass(frozen=True, slots=True)
class SourcePreview:
    """What a new source holds, shown before it is saved."""

    url: str
    kind: str
    items: int
    first_title: str | None


@dataclass(frozen=True, slots=True)
class JobLine:
    """One scheduled job as /schedule shows it."""

    name: str
    next_run: datetime | None
    last_result: str | None


class PollSchedule(Protocol):
    """The running scheduler as the admin commands see it."""

    def jobs(self) -> list[JobLine]:
        """Every scheduled job, next run first."""
        ...

    def add_source(self, source: Source) -> None:
        """Start polling a source just added."""
        ...

    def remove_source(self, source_id: int) -> None:
        """Stop polling a source just removed."""
        ...


@dataclass(frozen=True, slots=True)
class AdminOptions:
    """The settings the admin commands read (NASHIR_TIMEZONE, NASHIR_ALLOW_PRIVATE_URLS)."""

    zone: ZoneInfo
    allow_private_urls: bool


class AdminService:
    """The admin use cases, given the parts of the running bot they act on."""

    def __init__(
        self,
        store: AdminStore,
        clock: Clock,
        *,
        fetcher: Fetcher,
        ingestor: Ingestor,
        publishing: Publishing,
        renderer: Renderer,
        publishers: Mapping[str, Publisher],
        budget: XBudget | None,
        polls: PollSchedule,
        ensure_destinations: Callable[[], Awaitable[None]],
        revise: Callable[[int], Awaitable[object]],
        delete_article: Callable[[int], Awaitable[object]],
        is_paused: Callable[[], Awaitable[bool]],
        set_paused: Callable[[bool, datetime], Awaitable[None]],
        options: AdminOptions,
    ) -> None:
        self.store = store
        self.clock = clock
        self.fetcher = fetcher
        self.ingestor = ingestor
        self.publishing = publishing
        self.renderer = renderer
        self.publishers = publishers
        self.budget = budget
        self.polls = polls
        self.ensure_destinations = ensure_destinations
        self.revise = revise
        self.delete_article = delete_article
        self.is_paused = is_paused
        self.pause = set_paused
        self.options = options

    @property
    def now(self) -> datetime:
        """The clock's time."""
        return self.clock.now()

    # ------------------------------------------------------------------ reading

    async def stats(self) -> Stats:
        """Subscribers, posts today per destination, queue depth, failures, sources, budget."""
        midnight = self.now.astimezone(self.options.zone).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        found = await self.store.overview(midnight)
        states = found.states
        return Stats(
            active=found.active,
            blocked=found.blocked,
            posts_today=found.posts,
            queued=states.get("pending", 0) + states.get("sending", 0),
            failed_today=found.failed,
            sources=found.sources,
            x_budget=await self._x_budget(),
            paused=await self.paused(),
        )

    async def activity(self) -> Activity:
        """The last day's sending, hour by hour, for the /stats chart."""
        sent = await self.store.sent_times(self.now - timedelta(hours=HOURS + 1))
        return activity(sent, self.now)

    async def held_revisions(self) -> list[HeldBatch]:
        """Headline changes polls held back (a misreading or a mass edit), by source."""
        return await self.store.held_revisions()

    async def apply_held(self, source_id: int) -> int:
        """Apply a source's held changes and edit their posts; returns how many changed."""
        batch = await self.store.take_held(source_id)
        if batch is None:
            raise UserInputError("no held changes for that source")
        await self.store.revise(batch.changes)
        for change in batch.changes:
            await self.revise(change.article_id)
        return len(batch.changes)

    async def drop_held(self, source_id: int) -> int:
        """Forget a source's held changes: posts and archive keep their text."""
        batch = await self.store.take_held(source_id)
        if batch is None:
            raise UserInputError("no held changes for that source")
        return len(batch.changes)

    async def _x_budget(self) -> str | None:
        budget = self.budget
        if budget is None:
            return None
        status = await budget.status()
        money = (
            ""
            if status.money_left_month is None
            else f", ${status.money_left_month:.2f} left this month"
        )
        return f"{status.posts_left_today}/{status.posts_per_day} posts left today{money}"

    async def paused(self) -> bool:
        """Whether posting is paused."""
        return await self.is_paused()

    async def sources(self) -> list[Source]:
        """Every source with its polling state."""
        return await self.store.sources()

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries."""
        return await self.store.audit_log(limit)

    async def schedule(self) -> list[JobLine]:
        """The scheduled jobs and when each runs next."""
        return self.polls.jobs()

    # ------------------------------------------------------------------ writing

    async def audit(
        self, user_id: int | None, action: str, detail: str | None, allowed: bool
    ) -> None:
        """Write one audit entry."""
        await self.store.audit(
            AuditEntry(
                at=self.now,
                user_id=user_id,
                action=action,
                detail=None if detail is None else detail[:500],
                allowed=allowed,
            )
        )

    async def set_paused(self, paused: bool) -> None:
        """Pause or resume posting."""
        await self.pause(paused, self.now)

    async def article(self, reference: str) -> Article:
        """The article named by its id or URL."""
        reference = reference.strip()
        if reference.isdigit():
            found = await self.store.article(int(reference))
        elif reference.startswith(("http://", "https://")):
            found = await self.store.article_by_url(canonical_url(reference))
        else:
            raise UserInputError("give an article id or URL")
        if found is None:
            raise UserInputError("no such article")
        return found

    async def post_now(self, url: str) -> tuple[Article, int]:
        """Read the article at `url`, store it and queue it as a new article is queued."""
        await self._check_url(url)
        try:
            draft = await self.ingestor.read_url(url)
        except SourceError as exc:
            raise UserInputError(str(exc)) from exc
        article = await self.ingestor.store(draft, source=None, announce=False)
        if article is None:
            article = await self.store.article_by_url(canonical_url(draft.url))
        if article is None:
            raise UserInputError("the article is already stored under another address")
        await self.store.set_skipped(article.id, False)
        await self.ensure_destinations()
        queued = await self.publishing.post_now(article)  # approval and followers too
        return article, queued

    async def preview(self, url: str) -> list[Post]:
        """The exact posts the article at `url` would get on each platform (not stored)."""
        await self._check_url(url)
        try:
            draft = await self.ingestor.read_url(url)
        except SourceError as exc:
            raise UserInputError(str(exc)) from exc
        article = as_article(draft)
        renderer = self.renderer
        posts = [
            await renderer.article_post(
                article, Destination(0, Platform.TELEGRAM, DestinationKind.CHANNEL, "preview")
            ),
            await renderer.article_post(
                article, Destination(0, Platform.X, DestinationKind.X_ACCOUNT, "preview")
            ),
        ]
        return posts

    async def skip(self, reference: str) -> Article:
        """Never post this article (pending posts are skipped when their turn comes)."""
        article = await self.article(reference)
        await self.store.set_skipped(article.id, True)
        return article

    async def delete(self, reference: str) -> tuple[Article, object]:
        """Delete the article's posts everywhere they were published."""
        article = await self.article(reference)
        result = await self.delete_article(article.id)
        return article, result

    async def preview_source(self, url: str) -> SourcePreview:
        """Fetch a would-be source and say what it holds; raises `UserInputError` if unusable."""
        await self._check_url(url)
        try:
            result = await self.fetcher.fetch(url)
            kind, items = read_document(
                result.content,
                result.text,
                result.url,
                content_type=result.content_type,
                now=self.now,
            )
            if not items:
                raise UserInputError("the feed holds no items")
        except NashirError as exc:
            if isinstance(exc, UserInputError):
                raise
            raise UserInputError(str(exc)) from exc
        return SourcePreview(url, kind, len(items), items[0].title)

    async def add_source(self, url: str) -> tuple[Source, SourcePreview]:
        """Preview, then save a source and start polling it."""
        preview = await self.preview_source(url)
        source = await self.store.add_source(url, self.now)
        self.polls.add_source(source)
        return source, preview

    async def remove_source(self, reference: str) -> Source:
        """Stop polling a source (by id or URL); its articles stay."""
        reference = reference.strip()
        sources = await self.sources()
        found = next((s for s in sources if str(s.id) == reference or s.url == reference), None)
        if found is None:
            raise UserInputError("no such source")
        await self.store.remove_source(found.url)
        self.polls.remove_source(found.id)
        return found

    async def recipients(self) -> int:
        """How many subscribers a broadcast would reach."""
        return await self.store.recipient_count()

    async def broadcast(self, text: str, token: str) -> int:
        """Queue `text` for every active subscriber; the token makes a second press harmless.

        The recipients are paged through the database (`Publishing.fanout`),
        never loaded into one list.
        """
        return await self.publishing.broadcast(text, key=f"broadcast:{token}")

    async def _check_url(self, url: str) -> None:
        try:
            await check_public_url(url, allow_private=self.options.allow_private_urls)
        except UnsafeURLError as exc:
            raise UserInputError(str(exc)) from exc
        except SourceError as exc:
            raise UserInputError(str(exc)) from exc
