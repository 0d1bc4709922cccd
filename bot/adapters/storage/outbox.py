"""The delivery outbox, row by row: one row per post and destination.

A row's key makes queueing the same post twice a no-op, and a worker claims
rows before sending, so two instances never send the same row at once. The
batch operations of a broadcast live in `bot.adapters.storage.delivery_store`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.approvals import HOLD
from bot.adapters.storage.rows import as_utc, delivery_from_row, insert_ignoring_conflicts
from bot.adapters.storage.tables import DeliveryRow
from bot.core.model import Delivery, DeliveryKind, DeliveryState


class OutboxRepository:
    """The delivery outbox: enqueue once, claim, and record what happened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        *,
        key: str,
        destination_id: int,
        kind: DeliveryKind,
        due: datetime,
        now: datetime,
        article_id: int | None = None,
        priority: int = 0,
        payload: str | None = None,
    ) -> bool:
        """Add a delivery unless one with this key exists for this destination."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                DeliveryRow,
                {
                    "key": key,
                    "destination_id": destination_id,
                    "article_id": article_id,
                    "kind": kind.value,
                    "state": DeliveryState.PENDING.value,
                    "priority": priority,
                    "attempts": 0,
                    "next_attempt_at": due,
                    "payload": payload,
                    "created_at": now,
                },
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim(
        self, *, now: datetime, limit: int, worker: str, skip_locked: bool
    ) -> list[Delivery]:
        """Mark up to `limit` due rows as `sending` by this worker and return them.

        On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several instances claim
        disjoint batches; SQLite serialises writers, so a plain update is safe.
        """
        query = (
            select(DeliveryRow.id)
            .where(
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at <= now,
            )
            .order_by(DeliveryRow.priority.desc(), DeliveryRow.next_attempt_at, DeliveryRow.id)
            .limit(limit)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        ids = list((await self.session.execute(query)).scalars())
        if not ids:
            return []
        await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids), DeliveryRow.state == DeliveryState.PENDING.value)
            .values(
                state=DeliveryState.SENDING.value,
                claimed_at=now,
                claimed_by=worker,
                attempts=DeliveryRow.attempts + 1,
            )
        )
        rows = await self.session.execute(
            select(DeliveryRow)
            .where(
                DeliveryRow.id.in_(ids),
                DeliveryRow.claimed_by == worker,
                DeliveryRow.state == DeliveryState.SENDING.value,
            )
            .order_by(DeliveryRow.priority.desc(), DeliveryRow.next_attempt_at, DeliveryRow.id)
        )
        return [delivery_from_row(row) for row in rows.scalars()]

    async def mark_sent(self, delivery_id: int, *, message_id: str, now: datetime) -> None:
        """The platform accepted the post; keep its id for edits and deletes."""
        await self._set(
            delivery_id,
            state=DeliveryState.SENT.value,
            message_id=message_id,
            sent_at=now,
            last_error=None,
        )

    async def mark_retry(
        self, delivery_id: int, *, error: str, at: datetime, refund: bool = False
    ) -> None:
        """Put the row back in the queue, due at `at`.

        `refund` gives the attempt back: waiting out a rate limit is not a failure.
        """
        if refund:
            await self._set(delivery_id, attempts=DeliveryRow.attempts - 1)
        await self._set(
            delivery_id,
            state=DeliveryState.PENDING.value,
            next_attempt_at=at,
            last_error=error[:2000],
            claimed_by=None,
        )

    async def mark_final(
        self, delivery_id: int, state: DeliveryState, *, error: str | None
    ) -> None:
        """End the row as failed or skipped, with the reason."""
        await self._set(
            delivery_id, state=state.value, last_error=None if error is None else error[:2000]
        )

    async def release_stale(self, *, older_than: datetime) -> int:
        """Requeue rows left `sending` by a crashed worker (they may be sent once more)."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.state == DeliveryState.SENDING.value,
                DeliveryRow.claimed_at < older_than,
            )
            .values(state=DeliveryState.PENDING.value, claimed_by=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        rows = await self.session.execute(
            select(DeliveryRow.state, func.count(DeliveryRow.id)).group_by(DeliveryRow.state)
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def for_article(self, article_id: int) -> list[Delivery]:
        """Every delivery of one article (for edits, deletes and previews)."""
        rows = await self.session.execute(
            select(DeliveryRow).where(DeliveryRow.article_id == article_id).order_by(DeliveryRow.id)
        )
        return [delivery_from_row(row) for row in rows.scalars()]

    async def sent_to(self, destination_id: int) -> list[Delivery]:
        """Sent rows of one destination, oldest first."""
        rows = await self.session.execute(
            select(DeliveryRow)
            .where(
                DeliveryRow.destination_id == destination_id,
                DeliveryRow.state == DeliveryState.SENT.value,
            )
            .order_by(DeliveryRow.sent_at, DeliveryRow.id)
        )
        return [delivery_from_row(row) for row in rows.scalars()]

    async def last_due(self, destination_id: int) -> datetime | None:
        """The latest time a post to this destination is planned or was sent (for spacing).

        Posts held for approval are not planned: their parked due time would
        otherwise hide every real one and switch spacing off for the channel.
        """
        planned = await self.session.scalar(
            select(func.max(DeliveryRow.next_attempt_at)).where(
                DeliveryRow.destination_id == destination_id,
                DeliveryRow.state.in_([DeliveryState.PENDING.value, DeliveryState.SENDING.value]),
                DeliveryRow.next_attempt_at < HOLD,
            )
        )
        sent = await self.session.scalar(
            select(func.max(DeliveryRow.sent_at)).where(
                DeliveryRow.destination_id == destination_id
            )
        )
        times = [as_utc(t) for t in (planned, sent) if t is not None]
        return max(times) if times else None

    async def _set(self, delivery_id: int, **values: Any) -> None:
        await self.session.execute(
            update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
        )
