"""The delivery worker's queue on SQLAlchemy: `bot.core.delivery_ports.DeliveryQueue`.

Each method opens one session and commits it before returning, exactly the
transactions the worker has always used; on PostgreSQL the claim skips rows
another claim holds (``FOR UPDATE SKIP LOCKED``), and queued rows wake the
worker through `bot.adapters.storage.outbox_signal`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_store import DeliveryStore
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.outbox_signal import listen_for_queued, on_queued
from bot.core.delivery_ports import BatchFacts, SentRecord, Wake
from bot.core.model import Delivery, DeliveryState


class SqlDeliveryQueue:
    """The outbox of one database, for any number of workers and instances."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def release_stale(self, older_than: datetime) -> int:
        """Put rows claimed before `older_than` back in the queue; how many."""
        async with self.db.session() as session:
            released = await OutboxRepository(session).release_stale(older_than=older_than)
            await session.commit()
        return released

    async def claim(self, now: datetime, limit: int, worker: str) -> list[Delivery]:
        """Mark up to `limit` due rows `sending` by `worker`."""
        async with self.db.session() as session:
            batch = await OutboxRepository(session).claim(
                now=now, limit=limit, worker=worker, skip_locked=self.db.is_postgres
            )
            await session.commit()
        return batch

    async def facts(self, batch: Sequence[Delivery]) -> BatchFacts:
        """The batch's destinations and its skipped and breaking articles, in one read."""
        async with self.db.session() as session:
            store = DeliveryStore(session)
            destinations = await store.destinations(d.destination_id for d in batch)
            skipped = await store.skipped_articles(d.article_id for d in batch)
            breaking = await store.breaking_articles(d.article_id for d in batch)
        return BatchFacts(destinations, skipped, breaking)

    async def record_sent(self, records: Sequence[SentRecord]) -> None:
        """Mark these rows `sent` in one statement and one commit."""
        async with self.db.session() as session:
            await DeliveryStore(session).mark_sent_many(records)
            await session.commit()

    async def next_due(self) -> datetime | None:
        """When the earliest queued row falls due."""
        async with self.db.session() as session:
            return await DeliveryStore(session).next_due()

    async def release(self, ids: Sequence[int]) -> None:
        """Put claimed, never-sent rows back in the queue."""
        async with self.db.session() as session:
            await DeliveryStore(session).release(ids)
            await session.commit()

    async def retry(self, delivery_id: int, error: str, at: datetime, *, refund: bool) -> None:
        """Queue a row again for `at`."""
        async with self.db.session() as session:
            await OutboxRepository(session).mark_retry(
                delivery_id, error=error, at=at, refund=refund
            )
            await session.commit()

    async def final(self, delivery_id: int, state: DeliveryState, error: str | None) -> None:
        """Settle a row for good."""
        async with self.db.session() as session:
            await OutboxRepository(session).mark_final(delivery_id, state, error=error)
            await session.commit()

    async def move(self, destination_id: int, new_address: str) -> bool:
        """Follow a chat to its new address; False when that address is a destination already."""
        try:
            async with self.db.session() as session:
                await DestinationRepository(session).move(destination_id, new_address)
                await session.commit()
        except IntegrityError:
            return False
        return True

    async def disable(
        self, destination_id: int, reason: str, *, blocked_chat: str | None = None
    ) -> None:
        """Disable a destination (and block the chat's subscriber) in one transaction."""
        async with self.db.session() as session:
            await DestinationRepository(session).disable(destination_id, reason)
            if blocked_chat is not None:
                await DeliveryStore(session).deactivate_subscriber(blocked_chat)
            await session.commit()

    def on_queued(self, wake: Wake) -> Callable[[], None]:
        """Wake on commits of this process that queue rows."""
        return on_queued(self.db, wake)

    async def listen(self, wake: Wake, stop: asyncio.Event) -> None:
        """Wake on PostgreSQL's notifications from every instance until `stop`."""
        await listen_for_queued(self.db, wake, stop)
