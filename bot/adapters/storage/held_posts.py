"""`bot.core.approval_ports.HeldPosts` on the SQL repositories, one session per call."""

from __future__ import annotations

from bot.adapters.storage.approvals import HeldRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.core.model import Destination


class SqlHeldPosts:
    """`HeldPosts` over a database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def count(self, article_id: int) -> int:
        """How many of the article's posts wait for approval."""
        async with self.db.session() as session:
            return await HeldRepository(session).count(article_id)

    async def drop(self, article_id: int, reason: str) -> int:
        """Mark the held posts skipped, in one commit."""
        async with self.db.session() as session:
            dropped = await HeldRepository(session).drop(article_id, reason)
            await session.commit()
        return dropped

    async def set_headline(self, article_id: int, headline: str) -> int:
        """Store the headline in the held posts' payload, in one commit."""
        async with self.db.session() as session:
            changed = await HeldRepository(session).set_headline(article_id, headline)
            await session.commit()
        return changed

    async def destinations(self, article_id: int) -> list[Destination]:
        """The destinations of the article's deliveries, in one session."""
        async with self.db.session() as session:
            deliveries = await OutboxRepository(session).for_article(article_id)
            repository = DestinationRepository(session)
            found = [await repository.get(d.destination_id) for d in deliveries]
        return [d for d in found if d is not None]
