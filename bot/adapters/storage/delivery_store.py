"""Batch operations of the delivery engine: many rows per statement, never one by one.

A broadcast to 100,000 subscribers cannot afford a query per message: the
worker looks up the destinations of a whole claimed batch at once, records
sends in one executemany, and fanout walks the recipients by keyset pages,
inserting each page's outbox rows with one INSERT … SELECT. Like every repository here, it
never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import as_utc, delivery_from_row, destination_from_row
from bot.adapters.storage.tables import (
    ArticleRow,
    DeliveryRow,
    DestinationRow,
    SubscriberRow,
    XSpendRow,
)
from bot.core.delivery_ports import PostedCopy as PostedCopy
from bot.core.delivery_ports import SentRecord as SentRecord
from bot.core.model import (
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    DestinationState,
    Platform,
)

_RECIPIENT = (
    DestinationRow.platform == Platform.TELEGRAM.value,
    DestinationRow.kind == DestinationKind.PRIVATE.value,
    DestinationRow.state == DestinationState.ACTIVE.value,
)


class DeliveryStore:
    """Queries and updates the delivery engine needs in bulk."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def destinations(self, ids: Iterable[int]) -> dict[int, Destination]:
        """The destinations with these ids, by id."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(DestinationRow).where(DestinationRow.id.in_(wanted))
        )
        return {row.id: destination_from_row(row) for row in rows.scalars()}

    async def skipped_articles(self, ids: Iterable[int | None]) -> set[int]:
        """Which of these articles an admin marked never to post (or removed)."""
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return set()
        rows = await self.session.execute(
            select(ArticleRow.id).where(ArticleRow.id.in_(wanted), ArticleRow.skipped.is_(True))
        )
        return set(rows.scalars())

    async def breaking_articles(self, ids: Iterable[int | None]) -> set[int]:
        """Which of these articles are breaking news."""
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return set()
        rows = await self.session.execute(
            select(ArticleRow.id).where(ArticleRow.id.in_(wanted), ArticleRow.breaking.is_(True))
        )
        return set(rows.scalars())

    async def mark_sent_many(self, records: Sequence[SentRecord]) -> None:
        """Record accepted sends in one statement per batch."""
        if not records:
            return
        await self.session.execute(
            update(DeliveryRow),
            [
                {
                    "id": r.delivery_id,
                    "state": DeliveryState.SENT.value,
                    "message_id": r.message_id,
                    "sent_at": r.sent_at,
                    "content_hash": r.content_hash,
                    "last_error": None,
                }
                for r in records
            ],
        )

    async def next_due(self) -> datetime | None:
        """When the earliest queued row falls due (None with nothing queued)."""
        value = await self.session.scalar(
            select(func.min(DeliveryRow.next_attempt_at)).where(
                DeliveryRow.state == DeliveryState.PENDING.value
            )
        )
        return as_utc(value) if value is not None else None

    async def release(self, ids: Sequence[int]) -> None:
        """Put claimed rows that were never sent back in the queue, their attempt refunded."""
        if not ids:
            return
        await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(list(ids)), DeliveryRow.state == DeliveryState.SENDING.value)
            .values(
                state=DeliveryState.PENDING.value,
                claimed_by=None,
                attempts=DeliveryRow.attempts - 1,
            )
        )

    async def release_claimed_except(self, worker: str) -> int:
        """Requeue every row `sending` by a worker other than `worker` (a leader took over)."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.state == DeliveryState.SENDING.value,
                DeliveryRow.claimed_by.is_(None)
                | ~DeliveryRow.claimed_by.startswith(f"{worker}/", autoescape=True),
            )
            .values(state=DeliveryState.PENDING.value, claimed_by=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def recipient_ids(self, *, after: int, limit: int) -> list[int]:
        """A page of active private-chat destination ids above `after` (keyset paging)."""
        rows = await self.session.execute(
            select(DestinationRow.id)
            .where(DestinationRow.id > after, *_RECIPIENT)
            .order_by(DestinationRow.id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def enqueue_recipients(
        self,
        *,
        after: int,
        through: int,
        key: str,
        kind: DeliveryKind,
        due: datetime,
        now: datetime,
        article_id: int | None,
        priority: int,
        payload: str | None,
    ) -> int:
        """Add one row per recipient with an id in (`after`, `through`], unless it has `key`.

        One INSERT … SELECT: the rows never pass through Python, so a page of a
        broadcast costs the database a few milliseconds and the event loop nothing.
        """
        values = {
            "key": literal(key),
            "destination_id": DestinationRow.id,
            "article_id": literal(article_id, DeliveryRow.article_id.type),
            "kind": literal(kind.value),
            "state": literal(DeliveryState.PENDING.value),
            "priority": literal(priority),
            "attempts": literal(0),
            "next_attempt_at": literal(due, DeliveryRow.next_attempt_at.type),
            "payload": literal(payload, DeliveryRow.payload.type),
            "created_at": literal(now, DeliveryRow.created_at.type),
        }
        recipients = select(*values.values()).where(
            DestinationRow.id > after, DestinationRow.id <= through, *_RECIPIENT
        )
        dialect: Any = postgresql if self._dialect() == "postgresql" else sqlite
        statement = (
            dialect.insert(DeliveryRow)
            .from_select(list(values), recipients)
            .on_conflict_do_nothing()
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    def _dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind is not None else "sqlite"

    async def posted(self, article_id: int) -> list[PostedCopy]:
        """Sent, not yet removed copies of one article, with their destinations."""
        rows = await self.session.execute(
            select(DeliveryRow, DestinationRow)
            .join(DestinationRow, DestinationRow.id == DeliveryRow.destination_id)
            .where(
                DeliveryRow.article_id == article_id,
                DeliveryRow.state == DeliveryState.SENT.value,
                DeliveryRow.message_id.is_not(None),
                DeliveryRow.removed_at.is_(None),
            )
            .order_by(DeliveryRow.id)
        )
        return [
            PostedCopy(
                delivery_from_row(delivery),
                destination_from_row(destination),
                delivery.content_hash,
            )
            for delivery, destination in rows.all()
        ]

    async def set_content_hash(self, delivery_id: int, content_hash: str) -> None:
        """Remember what a post now shows (after an edit)."""
        await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id)
            .values(content_hash=content_hash)
        )

    async def mark_removed(self, delivery_id: int, now: datetime) -> None:
        """The post was deleted from its platform."""
        await self.session.execute(
            update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(removed_at=now)
        )

    async def cancel_pending(self, article_id: int, reason: str) -> int:
        """Skip every queued delivery of an article; return how many."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.article_id == article_id,
                DeliveryRow.state == DeliveryState.PENDING.value,
            )
            .values(state=DeliveryState.SKIPPED.value, last_error=reason[:2000])
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def deactivate_subscriber(self, chat_address: str) -> None:
        """The user behind a private chat blocked the bot or is gone: never write again."""
        if not chat_address.lstrip("-").isdigit():
            return
        await self.session.execute(
            update(SubscriberRow)
            .where(SubscriberRow.chat_id == int(chat_address))
            .values(state="blocked")
        )

    async def record_spend(
        self, *, at: datetime, cost: float, with_link: bool, delivery_id: int | None
    ) -> None:
        """One post on X in the ledger."""
        self.session.add(XSpendRow(at=at, cost=cost, with_link=with_link, delivery_id=delivery_id))

    async def spend_since(self, since: datetime) -> tuple[int, float]:
        """(posts, money) on X since a moment."""
        row = (
            await self.session.execute(
                select(
                    func.count(XSpendRow.id), func.coalesce(func.sum(XSpendRow.cost), 0.0)
                ).where(XSpendRow.at >= since)
            )
        ).one()
        return int(row[0]), float(row[1])
