"""What the admin commands do, one method per command, independent of Telegram.

Authorisation is not here: the handlers check the user id before calling in,
and write the audit entry either way. Inputs that a person can get wrong
raise `UserInputError` with a reason the handler shows; the rest is data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import NashirError, SourceError, UnsafeURLError, UserInputError
from bot.links import canonical_url
from bot.model import (
    Article,
    AuditEntry,
    Destination,
    DestinationKind,
    Platform,
    Post,
    Source,
)
from bot.netguard import check_public_url
from bot.preview import as_article
from bot.sources.feeds import looks_like_feed, parse_feed
from bot.sources.pages import extract_article
from bot.storage.admin import AdminQueries
from bot.storage.articles import ArticleRepository
from bot.storage.audit import AuditRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.sources import SourceRepository
from bot.storage.subscribers import SubscriberRepository

if TYPE_CHECKING:
    from bot.app import App

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


class AdminService:
    """The admin use cases over a running app."""

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def now(self) -> datetime:
        """The app clock's time."""
        return self.app.clock.now()

    # ------------------------------------------------------------------ reading

    async def stats(self) -> Stats:
        """Subscribers, posts today per destination, queue depth, failures, sources, budget."""
        midnight = self.now.astimezone(self.app.settings.zone).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        async with self.app.db.session() as session:
            active, blocked = await SubscriberRepository(session).counts()
            queries = AdminQueries(session)
            posts = await queries.sent_since(midnight)
            failed = await queries.failed_since(midnight)
            states = await OutboxRepository(session).counts()
            sources = await SourceRepository(session).all()
        return Stats(
            active=active,
            blocked=blocked,
            posts_today=posts,
            queued=states.get("pending", 0) + states.get("sending", 0),
            failed_today=failed,
            sources=sources,
            x_budget=await self._x_budget(),
            paused=await self.paused(),
        )

    async def _x_budget(self) -> str | None:
        budget = getattr(self.app, "x_budget", None)
        if budget is None or self.app.x is None:
            return None
        status = await budget.status()
        money = (
            ""
            if status.money_left_month is None
            else f", ${status.money_left_month:.2f} left this month"
        )
        return f"{status.posts_left_today}/{status.posts_per_day} posts left today{money}"

    async def paused(self) -> bool | None:
        """Whether posting is paused (None when the pause switch is not available)."""
        try:
            from bot.control import is_paused
        except ImportError:
            return None
        return bool(await is_paused(self.app.db))

    async def sources(self) -> list[Source]:
        """Every source with its polling state."""
        return await self.app.sources()

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries."""
        async with self.app.db.session() as session:
            return await AuditRepository(session).recent(limit)

    async def schedule(self) -> list[JobLine]:
        """The scheduled jobs and when each runs next."""
        scheduler = self.app.scheduler
        if scheduler is None:
            return []
        from scheduler.setup import describe_jobs  # the scheduler package imports this one

        return [JobLine(j.name, j.next_run, j.last_result) for j in describe_jobs(scheduler)]

    # ------------------------------------------------------------------ writing

    async def audit(
        self, user_id: int | None, action: str, detail: str | None, allowed: bool
    ) -> None:
        """Write one audit entry."""
        async with self.app.db.session() as session:
            await AuditRepository(session).add(
                user_id=user_id,
                action=action,
                detail=None if detail is None else detail[:500],
                allowed=allowed,
                now=self.now,
            )
            await session.commit()

    async def set_paused(self, paused: bool) -> None:
        """Pause or resume posting."""
        try:
            from bot.control import set_paused
        except ImportError as exc:
            raise UserInputError("pausing is not available in this version") from exc
        await set_paused(self.app.db, paused, self.now)

    async def article(self, reference: str) -> Article:
        """The article named by its id or URL."""
        reference = reference.strip()
        async with self.app.db.session() as session:
            articles = ArticleRepository(session)
            if reference.isdigit():
                found = await articles.get(int(reference))
            elif reference.startswith(("http://", "https://")):
                found = await articles.by_url(canonical_url(reference))
            else:
                raise UserInputError("give an article id or URL")
        if found is None:
            raise UserInputError("no such article")
        return found

    async def post_now(self, url: str) -> tuple[Article, int]:
        """Read the article at `url`, store it and queue it as a new article is queued."""
        await self._check_url(url)
        try:
            draft = await self.app.ingestor.read_url(url)
        except SourceError as exc:
            raise UserInputError(str(exc)) from exc
        article = await self.app.ingestor.store(draft, source=None, announce=False)
        if article is None:
            async with self.app.db.session() as session:
                article = await ArticleRepository(session).by_url(canonical_url(draft.url))
        if article is None:
            raise UserInputError("the article is already stored under another address")
        async with self.app.db.session() as session:
            await ArticleRepository(session).set_skipped(article.id, False)
            await session.commit()
        await self.app.ensure_destinations()
        queued = await self.app.publishing.post_now(article)  # approval and followers too
        return article, queued

    async def preview(self, url: str) -> list[Post]:
        """The exact posts the article at `url` would get on each platform (not stored)."""
        await self._check_url(url)
        try:
            draft = await self.app.ingestor.read_url(url)
        except SourceError as exc:
            raise UserInputError(str(exc)) from exc
        article = as_article(draft)
        renderer = self.app.renderer
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
        async with self.app.db.session() as session:
            await ArticleRepository(session).set_skipped(article.id, True)
            await session.commit()
        return article

    async def delete(self, reference: str) -> tuple[Article, object]:
        """Delete the article's posts everywhere they were published."""
        article = await self.article(reference)
        try:
            from bot.removal import delete_everywhere
        except ImportError as exc:
            raise UserInputError("deleting posts is not available in this version") from exc
        result = await delete_everywhere(self.app, article.id)
        return article, result

    async def preview_source(self, url: str) -> SourcePreview:
        """Fetch a would-be source and say what it holds; raises `UserInputError` if unusable."""
        await self._check_url(url)
        try:
            result = await self.app.fetcher.fetch(url)
            if looks_like_feed(result.content, result.content_type):
                items = parse_feed(result.content, result.url)
                if not items:
                    raise UserInputError("the feed holds no items")
                return SourcePreview(url, "feed", len(items), items[0].title)
            page = extract_article(result.text, result.url)
        except NashirError as exc:
            if isinstance(exc, UserInputError):
                raise
            raise UserInputError(str(exc)) from exc
        return SourcePreview(url, "page", 1, page.title)

    async def add_source(self, url: str) -> tuple[Source, SourcePreview]:
        """Preview, then save a source and start polling it."""
        preview = await self.preview_source(url)
        async with self.app.db.session() as session:
            source = await SourceRepository(session).ensure(url, self.now)
            await session.commit()
        self._schedule_poll(source)
        return source, preview

    async def remove_source(self, reference: str) -> Source:
        """Stop polling a source (by id or URL); its articles stay."""
        reference = reference.strip()
        sources = await self.app.sources()
        found = next((s for s in sources if str(s.id) == reference or s.url == reference), None)
        if found is None:
            raise UserInputError("no such source")
        async with self.app.db.session() as session:
            await SourceRepository(session).remove(found.url)
            await session.commit()
        scheduler = self.app.scheduler
        if scheduler is not None and scheduler.get_job(f"poll:{found.id}") is not None:
            scheduler.remove_job(f"poll:{found.id}")
        return found

    async def recipients(self) -> int:
        """How many subscribers a broadcast would reach."""
        async with self.app.db.session() as session:
            return len(await SubscriberRepository(session).recipients())

    async def broadcast(self, text: str, token: str) -> int:
        """Queue `text` for every active subscriber; the token makes a second press harmless.

        The recipients are paged through the database (`Publishing.fanout`),
        never loaded into one list.
        """
        return await self.app.publishing.broadcast(text, key=f"broadcast:{token}")

    async def _check_url(self, url: str) -> None:
        try:
            await check_public_url(url, allow_private=self.app.settings.allow_private_urls)
        except UnsafeURLError as exc:
            raise UserInputError(str(exc)) from exc
        except SourceError as exc:
            raise UserInputError(str(exc)) from exc

    def _schedule_poll(self, source: Source) -> None:
        scheduler = self.app.scheduler
        if scheduler is None or scheduler.get_job(f"poll:{source.id}") is not None:
            return
        from scheduler import jobs

        scheduler.add_job(
            jobs.poll_source,
            "interval",
            seconds=self.app.settings.poll_interval,
            args=(self.app, source.id),
            id=f"poll:{source.id}",
            name=f"poll {source.url}",
            next_run_time=datetime.now(self.app.settings.zone) + timedelta(seconds=1),
        )
