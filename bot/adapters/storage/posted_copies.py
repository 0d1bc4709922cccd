"""Sent copies of articles on SQLAlchemy: `PostedCopies` (edits) and `Removals` (take-downs).

Both ports of `bot.core.delivery_ports`; each method is one transaction.
"""

from __future__ import annotations

from datetime import datetime

from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_store import DeliveryStore
from bot.core.delivery_ports import PostedCopy


class SqlPostedCopies:
    """The sent copies of one database, for edits in place."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def posted(self, article_id: int) -> list[PostedCopy]:
        """Sent, not yet removed copies of one article."""
        async with self.db.session() as session:
            return await DeliveryStore(session).posted(article_id)

    async def set_content_hash(self, delivery_id: int, content_hash: str) -> None:
        """Remember what a post now shows, committed."""
        async with self.db.session() as session:
            await DeliveryStore(session).set_content_hash(delivery_id, content_hash)
            await session.commit()


class SqlRemovals:
    """Taking an article down in one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def withdraw(self, article_id: int, reason: str) -> tuple[int, list[PostedCopy]]:
        """Mark skipped, cancel the queued rows and read the sent copies, in one commit."""
        async with self.db.session() as session:
            await ArticleRepository(session).set_skipped(article_id)
            store = DeliveryStore(session)
            cancelled = await store.cancel_pending(article_id, reason)
            copies = await store.posted(article_id)
            await session.commit()
        return cancelled, copies

    async def mark_removed(self, delivery_id: int, now: datetime) -> None:
        """The copy was deleted from its platform, committed."""
        async with self.db.session() as session:
            await DeliveryStore(session).mark_removed(delivery_id, now)
            await session.commit()
