"""Approval mode: posts to chosen destinations wait until an admin approves them.

The destinations are named in `NASHIR_APPROVAL_DESTINATIONS` (a channel's
`@name` or id, `x` for the X account). A new article's posts to them are
queued held (`bot.storage.approvals`); the admins are asked with ✅ ✏️ ❌;
✅ releases them, ✏️ changes their headline first, ❌ drops them. Breaking
articles skip approval unless `NASHIR_APPROVAL_BREAKING` says otherwise. Other
destinations are never delayed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.model import Article, DeliveryKind, Destination, Platform
from bot.outbox import BREAKING_PRIORITY, BROADCAST_KINDS, delivery_key
from bot.ports import Clock
from bot.storage.approvals import HOLD, HeldRepository
from bot.storage.articles import ArticleRepository
from bot.storage.database import Database
from bot.storage.destinations import DestinationRepository
from bot.storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

AskAdmins = Callable[[Article, Sequence[Destination]], Awaitable[None]]


class Approval:
    """Holds, releases and drops posts that need an admin's approval."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        destinations: Sequence[str],
        *,
        breaking_bypass: bool = True,
    ) -> None:
        self.db = db
        self.clock = clock
        self.addresses = {a.strip().lower() for a in destinations if a.strip()}
        self.breaking_bypass = breaking_bypass
        self.ask: AskAdmins | None = None

    @property
    def enabled(self) -> bool:
        """Whether any destination needs approval."""
        return bool(self.addresses)

    def needs_approval(self, destination: Destination) -> bool:
        """Whether posts to this destination wait for an admin."""
        if destination.platform is Platform.X:
            return "x" in self.addresses
        return destination.address.lower() in self.addresses

    async def route(self, article: Article) -> list[Destination] | None:
        """Hold the article's posts that need approval; return the destinations that do not.

        None means "no change": every destination gets the post as usual.
        """
        if not self.enabled or (article.breaking and self.breaking_bypass):
            return None
        async with self.db.session() as session:
            destinations = await DestinationRepository(session).active(BROADCAST_KINDS)
        held = [d for d in destinations if self.needs_approval(d)]
        if not held:
            return None
        now = self.clock.now()
        async with self.db.session() as session:
            if await ArticleRepository(session).is_skipped(article.id):
                return []
            outbox = OutboxRepository(session)
            for destination in held:
                await outbox.enqueue(
                    key=delivery_key(DeliveryKind.NEW, article.id),
                    destination_id=destination.id,
                    article_id=article.id,
                    kind=DeliveryKind.NEW,
                    due=HOLD,
                    now=now,
                    priority=BREAKING_PRIORITY if article.breaking else 0,
                )
            await session.commit()
        log.info("article %d held for approval on %d destinations", article.id, len(held))
        if self.ask is not None:
            try:
                await self.ask(article, held)
            except Exception:
                log.exception("could not ask the admins to approve article %d", article.id)
        return [d for d in destinations if d not in held]

    async def approve(self, article_id: int) -> int:
        """Send the held posts now; returns how many were released."""
        async with self.db.session() as session:
            released = await HeldRepository(session).release(article_id, self.clock.now())
            await session.commit()
        return released

    async def drop(self, article_id: int, user_id: int) -> int:
        """Never send the held posts."""
        async with self.db.session() as session:
            dropped = await HeldRepository(session).drop(article_id, f"dropped by admin {user_id}")
            await session.commit()
        return dropped

    async def set_headline(self, article_id: int, headline: str) -> int:
        """Change the headline the held posts will carry."""
        async with self.db.session() as session:
            changed = await HeldRepository(session).set_headline(article_id, headline)
            await session.commit()
        return changed

    async def waiting(self, article_id: int) -> int:
        """How many posts of this article wait for approval."""
        async with self.db.session() as session:
            return await HeldRepository(session).count(article_id)

    async def held_destinations(self, article_id: int) -> list[Destination]:
        """The destinations where this article's posts wait for approval."""
        async with self.db.session() as session:
            deliveries = await OutboxRepository(session).for_article(article_id)
            repository = DestinationRepository(session)
            found = [await repository.get(d.destination_id) for d in deliveries]
        return [d for d in found if d is not None and self.needs_approval(d)]
