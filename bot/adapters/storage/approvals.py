"""Posts held for an admin's approval: outbox rows parked far in the future.

A held row is an ordinary pending `new:<article>` delivery whose due time is
`HOLD`, so the worker never claims it; approving sets it due now, dropping
marks it skipped. No new state is needed and a held post survives restarts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.tables import DeliveryRow
from bot.core.model import DeliveryKind, DeliveryState

HOLD: Final = datetime(2999, 1, 1, tzinfo=UTC)


class HeldRepository:
    """Find, release and drop held deliveries of one article."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _held(self, article_id: int) -> tuple[object, ...]:
        return (
            DeliveryRow.article_id == article_id,
            DeliveryRow.kind == DeliveryKind.NEW.value,
            DeliveryRow.state == DeliveryState.PENDING.value,
            DeliveryRow.next_attempt_at >= HOLD,
        )

    async def count(self, article_id: int) -> int:
        """How many deliveries of this article wait for approval."""
        rows = await self.session.execute(select(DeliveryRow.id).where(*self._held(article_id)))  # type: ignore[arg-type]
        return len(list(rows))

    async def release(self, article_id: int, now: datetime) -> int:
        """Make the held deliveries due now."""
        result = await self.session.execute(
            update(DeliveryRow).where(*self._held(article_id)).values(next_attempt_at=now)  # type: ignore[arg-type]
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def drop(self, article_id: int, reason: str) -> int:
        """Never send the held deliveries."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(*self._held(article_id))  # type: ignore[arg-type]
            .values(state=DeliveryState.SKIPPED.value, last_error=reason[:2000])
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def set_headline(self, article_id: int, headline: str) -> int:
        """Post the held deliveries under another headline."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(*self._held(article_id))  # type: ignore[arg-type]
            .values(payload=json.dumps({"title": headline}, ensure_ascii=False))
        )
        return int(getattr(result, "rowcount", 0) or 0)


def headline_override(payload: str | None) -> str | None:
    """The headline an admin chose for a post, if any (stored in the delivery's payload)."""
    if not payload or not payload.startswith("{"):
        return None
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    title = value.get("title") if isinstance(value, dict) else None
    return title if isinstance(title, str) and title.strip() else None
