"""Followed tags: an article carrying a tag a subscriber follows goes to their private chat.

Subscribers, their subscriptions and their private-chat destinations are
created by the subscriber handlers; this side only reads those tables and
queues one `follow:<article id>` delivery per chat (kind FOLLOW), so a
subscriber following two of an article's tags still gets it once, and a
second poll or instance never doubles it. Posts are not spaced (the
renderer groups what waits for one chat into one message) but the chat's
quiet hours and filters hold, and stale stories are not sent.
"""

from __future__ import annotations

from typing import Protocol

from bot.model import Article, DeliveryKind, Destination
from bot.outbox import Outbox, delivery_key
from bot.storage.database import Database
from bot.storage.destinations import DestinationRepository
from bot.storage.scheduling import SelectionRepository


class HasOutbox(Protocol):
    """Anything holding the database and the outbox (the App does)."""

    db: Database
    outbox: Outbox


async def queue_followers(app: HasOutbox, article: Article) -> int:
    """Queue `article` for every active subscriber following one of its tags; rows added."""
    if not article.tags or not app.outbox.is_fresh(article):
        return 0
    async with app.db.session() as session:
        ids = await SelectionRepository(session).followers(article.id)
        repository = DestinationRepository(session)
        destinations: list[Destination] = []
        for destination_id in ids:
            destination = await repository.get(destination_id)
            if destination is not None:
                destinations.append(destination)
    if not destinations:
        return 0
    return await app.outbox.queue_article(
        article,
        DeliveryKind.FOLLOW,
        destinations=destinations,
        key=delivery_key(DeliveryKind.FOLLOW, article.id),
        spaced=False,
    )
