"""Queries of the scheduler and selection: rules, read samples, trends, followers, digests.

Like every repository here: plain values out, no commit inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import as_utc
from bot.adapters.storage.tables import (
    ArticleRow,
    ArticleTagRow,
    DeliveryRow,
    DestinationRow,
    ReadSampleRow,
    SubscriberRow,
    SubscriptionRow,
)
from bot.core.model import DeliveryKind, DeliveryState, DestinationKind, DestinationState, Platform

Sample = tuple[datetime, int]


class RulesRepository:
    """The JSON rules of each destination (`bot.core.filters`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, destination_ids: Sequence[int]) -> dict[int, str | None]:
        """Stored rules by destination id."""
        if not destination_ids:
            return {}
        rows = await self.session.execute(
            select(DestinationRow.id, DestinationRow.rules).where(
                DestinationRow.id.in_(list(destination_ids))
            )
        )
        return {int(r[0]): r[1] for r in rows}

    async def set(self, destination_id: int, rules: str | None) -> bool:
        """Replace the rules; False when there is no such destination."""
        result = await self.session.execute(
            update(DestinationRow).where(DestinationRow.id == destination_id).values(rules=rules)
        )
        return bool(getattr(result, "rowcount", 0))


class SampleRepository:
    """Read-counter samples, the raw material of trends."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def last(self, article_id: int) -> Sample | None:
        """The newest kept sample of one article."""
        row = (
            await self.session.execute(
                select(ReadSampleRow.sampled_at, ReadSampleRow.reads)
                .where(ReadSampleRow.article_id == article_id)
                .order_by(ReadSampleRow.sampled_at.desc(), ReadSampleRow.id.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else (as_utc(row[0]), int(row[1]))

    async def add(self, article_id: int, reads: int, now: datetime) -> None:
        """Keep a sample and the latest value on the article."""
        self.session.add(ReadSampleRow(article_id=article_id, reads=reads, sampled_at=now))
        await self.session.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(reads=reads)
        )

    async def since(self, article_ids: Sequence[int], since: datetime) -> dict[int, list[Sample]]:
        """Samples of these articles from `since` on, plus the last one before it, oldest first.

        The one before the window lets velocity be measured across its start.
        """
        result: dict[int, list[Sample]] = {article_id: [] for article_id in article_ids}
        if not article_ids:
            return result
        rows = await self.session.execute(
            select(ReadSampleRow.article_id, ReadSampleRow.sampled_at, ReadSampleRow.reads)
            .where(ReadSampleRow.article_id.in_(list(article_ids)))
            .where(ReadSampleRow.sampled_at >= since)
            .order_by(ReadSampleRow.article_id, ReadSampleRow.sampled_at, ReadSampleRow.id)
        )
        for article_id, at, reads in rows:
            result[int(article_id)].append((as_utc(at), int(reads)))
        before = await self.session.execute(
            select(
                ReadSampleRow.article_id,
                func.max(ReadSampleRow.sampled_at),
            )
            .where(ReadSampleRow.article_id.in_(list(article_ids)))
            .where(ReadSampleRow.sampled_at < since)
            .group_by(ReadSampleRow.article_id)
        )
        for article_id, at in list(before):
            value = await self.session.scalar(
                select(ReadSampleRow.reads)
                .where(ReadSampleRow.article_id == article_id, ReadSampleRow.sampled_at == at)
                .limit(1)
            )
            if value is not None:
                result[int(article_id)].insert(0, (as_utc(at), int(value)))
        return result


class SelectionRepository:
    """Which articles are candidates, and what was already posted of them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recent(self, since: datetime, limit: int) -> list[tuple[int, str]]:
        """(id, url) of unskipped articles published (or first seen) since, newest first."""
        when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
        rows = await self.session.execute(
            select(ArticleRow.id, ArticleRow.url)
            .where(ArticleRow.skipped.is_(False), when >= since)
            .order_by(when.desc(), ArticleRow.id.desc())
            .limit(limit)
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    async def most_read(
        self, since: datetime, limit: int, *, tag_ids: Sequence[int] | None = None
    ) -> list[int]:
        """Ids of the articles of the period with the highest counters, optionally by tag."""
        when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
        query = select(ArticleRow.id).where(
            ArticleRow.skipped.is_(False), ArticleRow.reads.is_not(None), when >= since
        )
        if tag_ids is not None:
            tagged = select(ArticleTagRow.article_id).where(ArticleTagRow.tag_id.in_(tag_ids))
            query = query.where(ArticleRow.id.in_(tagged))
        rows = await self.session.execute(
            query.order_by(ArticleRow.reads.desc(), ArticleRow.id.desc()).limit(limit)
        )
        return [int(r[0]) for r in rows]

    async def first_sent(self, article_id: int, kind: DeliveryKind) -> datetime | None:
        """When a post of this kind of the article first went out anywhere."""
        value = await self.session.scalar(
            select(func.min(DeliveryRow.sent_at)).where(
                DeliveryRow.article_id == article_id, DeliveryRow.kind == kind.value
            )
        )
        return as_utc(value) if value is not None else None

    async def queued(self, article_id: int, kind: DeliveryKind) -> bool:
        """Whether the article has any delivery of this kind, in any state."""
        found = await self.session.scalar(
            select(DeliveryRow.id)
            .where(DeliveryRow.article_id == article_id, DeliveryRow.kind == kind.value)
            .limit(1)
        )
        return found is not None

    async def pending(self, article_id: int, kind: DeliveryKind) -> bool:
        """Whether a delivery of this kind of the article still waits to be sent."""
        found = await self.session.scalar(
            select(DeliveryRow.id)
            .where(
                DeliveryRow.article_id == article_id,
                DeliveryRow.kind == kind.value,
                DeliveryRow.state.in_([DeliveryState.PENDING.value, DeliveryState.SENDING.value]),
            )
            .limit(1)
        )
        return found is not None

    async def key_used(self, key: str) -> bool:
        """Whether any destination has a delivery with this key."""
        found = await self.session.scalar(
            select(DeliveryRow.id).where(DeliveryRow.key == key).limit(1)
        )
        return found is not None

    async def last_seen(self) -> datetime | None:
        """When the newest article was first seen."""
        value = await self.session.scalar(select(func.max(ArticleRow.first_seen_at)))
        return as_utc(value) if value is not None else None

    async def followers(self, article_id: int) -> list[int]:
        """Private destinations of active subscribers following a tag of the article."""
        tags = select(ArticleTagRow.tag_id).where(ArticleTagRow.article_id == article_id)
        following = (
            select(SubscriptionRow.subscriber_id).where(SubscriptionRow.tag_id.in_(tags)).distinct()
        )
        rows = await self.session.execute(
            select(DestinationRow.id)
            .join(SubscriberRow, DestinationRow.address == cast(SubscriberRow.chat_id, String))
            .where(
                SubscriberRow.id.in_(following), SubscriberRow.state == "active", *_private_active()
            )
            .distinct()
            .order_by(DestinationRow.id)
        )
        return [int(r[0]) for r in rows]

    async def digest_subscribers(self, digest: str, hour: int) -> list[tuple[int, int, str]]:
        """(subscriber id, destination id, language) of active subscribers due a digest."""
        rows = await self.session.execute(
            select(SubscriberRow.id, DestinationRow.id, SubscriberRow.language)
            .join(DestinationRow, DestinationRow.address == cast(SubscriberRow.chat_id, String))
            .where(
                SubscriberRow.state == "active",
                SubscriberRow.digest == digest,
                SubscriberRow.digest_hour == hour,
                *_private_active(),
            )
            .order_by(SubscriberRow.id)
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    async def followed_tags(self, subscriber_id: int) -> list[int]:
        """Tag ids one subscriber follows."""
        rows = await self.session.execute(
            select(SubscriptionRow.tag_id).where(SubscriptionRow.subscriber_id == subscriber_id)
        )
        return [int(r[0]) for r in rows]

    async def stale_pending(self, kind: DeliveryKind, published_before: datetime) -> list[int]:
        """Pending deliveries of this kind whose article was published before the time."""
        when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
        rows = await self.session.execute(
            select(DeliveryRow.id)
            .join(ArticleRow, ArticleRow.id == DeliveryRow.article_id)
            .where(
                DeliveryRow.kind == kind.value,
                DeliveryRow.state == DeliveryState.PENDING.value,
                when < published_before,
            )
        )
        return [int(r[0]) for r in rows]

    async def overdue(self, now: datetime) -> list[tuple[int, int, int]]:
        """(delivery id, destination id, priority) of pending rows due before `now`, in order."""
        rows = await self.session.execute(
            select(DeliveryRow.id, DeliveryRow.destination_id, DeliveryRow.priority)
            .where(
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at < now,
            )
            .order_by(DeliveryRow.destination_id, DeliveryRow.next_attempt_at, DeliveryRow.id)
        )
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def reschedule(self, delivery_id: int, due: datetime) -> None:
        """Move one pending row to a new time."""
        await self.session.execute(
            update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(next_attempt_at=due)
        )

    async def skip(self, delivery_ids: Sequence[int], reason: str) -> None:
        """End pending rows as skipped, with the reason."""
        if delivery_ids:
            await self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(list(delivery_ids)))
                .values(state=DeliveryState.SKIPPED.value, last_error=reason)
            )


def _private_active() -> tuple[ColumnElement[bool], ...]:
    return (
        DestinationRow.platform == Platform.TELEGRAM.value,
        DestinationRow.kind == DestinationKind.PRIVATE.value,
        DestinationRow.state == DestinationState.ACTIVE.value,
    )
