"""`bot.core.admin_ports.AdminStore` on the SQL repositories, one session per call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.storage.admin import AdminQueries
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.audit import AuditRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.held_revisions import held_batches, take_held
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.sources import SourceRepository
from bot.adapters.storage.subscribers import SubscriberRepository
from bot.core.admin_ports import HeldBatch, Overview
from bot.core.model import Article, AuditEntry, Source
from bot.core.revision_guard import HeldChange


class SqlAdminStore:
    """`AdminStore` over a database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def overview(self, since: datetime) -> Overview:
        """Every count /stats shows, in one session."""
        async with self.db.session() as session:
            active, blocked = await SubscriberRepository(session).counts()
            queries = AdminQueries(session)
            posts = await queries.sent_since(since)
            failed = await queries.failed_since(since)
            states = await OutboxRepository(session).counts()
            sources = await SourceRepository(session).all()
        return Overview(active, blocked, posts, failed, states, sources)

    async def sent_times(self, since: datetime) -> list[tuple[str, datetime, datetime]]:
        """Each post sent since `since`."""
        async with self.db.session() as session:
            return await AdminQueries(session).sent_times(since)

    async def held_revisions(self) -> list[HeldBatch]:
        """Every source's held headline changes."""
        return await held_batches(self.db)

    async def take_held(self, source_id: int) -> HeldBatch | None:
        """Remove and return a source's held changes, in one commit."""
        return await take_held(self.db, source_id)

    async def revise(self, changes: Sequence[HeldChange]) -> None:
        """The new titles and summaries, in one commit."""
        async with self.db.session() as session:
            articles = ArticleRepository(session)
            for change in changes:
                await articles.revise_text(
                    change.article_id,
                    title=change.title,
                    title_key=change.title_key,
                    summary=change.summary,
                )
            await session.commit()

    async def sources(self) -> list[Source]:
        """Every source, oldest first."""
        async with self.db.session() as session:
            return await SourceRepository(session).all()

    async def add_source(self, url: str, now: datetime) -> Source:
        """The source for `url`, added when new, committed."""
        async with self.db.session() as session:
            source = await SourceRepository(session).ensure(url, now)
            await session.commit()
        return source

    async def remove_source(self, url: str) -> None:
        """Delete a source, committed."""
        async with self.db.session() as session:
            await SourceRepository(session).remove(url)
            await session.commit()

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries."""
        async with self.db.session() as session:
            return await AuditRepository(session).recent(limit)

    async def audit(self, entry: AuditEntry) -> None:
        """Write one audit entry, committed."""
        async with self.db.session() as session:
            await AuditRepository(session).add(
                user_id=entry.user_id,
                action=entry.action,
                detail=entry.detail,
                allowed=entry.allowed,
                now=entry.at,
            )
            await session.commit()

    async def article(self, article_id: int) -> Article | None:
        """The article with this id."""
        async with self.db.session() as session:
            return await ArticleRepository(session).get(article_id)

    async def article_by_url(self, canonical: str) -> Article | None:
        """The article stored under this canonical URL."""
        async with self.db.session() as session:
            return await ArticleRepository(session).by_url(canonical)

    async def set_skipped(self, article_id: int, skipped: bool) -> None:
        """Mark the article skipped or not, committed."""
        async with self.db.session() as session:
            await ArticleRepository(session).set_skipped(article_id, skipped)
            await session.commit()

    async def recipient_count(self) -> int:
        """How many subscribers a broadcast would reach."""
        async with self.db.session() as session:
            return len(await SubscriberRepository(session).recipients())
