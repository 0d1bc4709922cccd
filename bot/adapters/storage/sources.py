"""Sources and their polling state.

The state of the last poll (validators, failures, when to poll next) is kept
on the source row, so a restart or a second instance carries on with the same
conditional GETs and back-off instead of starting over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import insert_ignoring_conflicts, source_from_row
from bot.adapters.storage.tables import SourceRow
from bot.core.model import Source


class SourceRepository:
    """Sources and their polling state."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, url: str, now: datetime) -> Source:
        """Return the source for `url`, adding it when new."""
        await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                SourceRow,
                {"url": url, "created_at": now, "enabled": True, "failures": 0, "primed": False},
            )
        )
        row = (
            await self.session.execute(select(SourceRow).where(SourceRow.url == url))
        ).scalar_one()
        return source_from_row(row)

    async def get(self, source_id: int) -> Source | None:
        """The source with this id, if any."""
        row = await self.session.get(SourceRow, source_id)
        return source_from_row(row) if row is not None else None

    async def all(self) -> list[Source]:
        """Every source, oldest first."""
        rows = await self.session.execute(select(SourceRow).order_by(SourceRow.id))
        return [source_from_row(row) for row in rows.scalars()]

    async def remove(self, url: str) -> bool:
        """Delete a source (its articles stay); True when it existed."""
        result = await self.session.execute(delete(SourceRow).where(SourceRow.url == url))
        return bool(getattr(result, "rowcount", 0))

    async def record_success(
        self,
        source_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        """Remember validators for the next conditional GET and reset the failure count."""
        await self.session.execute(
            update(SourceRow)
            .where(SourceRow.id == source_id)
            .values(
                etag=etag,
                last_modified=last_modified,
                failures=0,
                last_error=None,
                last_polled_at=now,
                last_success_at=now,
                next_poll_at=next_poll_at,
                primed=True,
            )
        )

    async def record_failure(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """Count one more failure and return the new count (alerts key on it)."""
        row = await self.session.get(SourceRow, source_id)
        if row is None:
            return 0
        row.failures += 1
        row.last_error = error[:2000]
        row.last_polled_at = now
        row.next_poll_at = next_poll_at
        return row.failures

    async def record_partial(
        self, source_id: int, *, now: datetime, next_poll_at: datetime, error: str
    ) -> int:
        """The source was read but some items were skipped; return the failure count.

        It counts as one more failure (alerts and `/healthz` see it) and keeps
        the error, but the source is primed and polled on its usual interval.
        The validators stay as they were, so the next poll reads the document
        again and retries the skipped items.
        """
        row = await self.session.get(SourceRow, source_id)
        if row is None:
            return 0
        row.failures += 1
        row.last_error = error[:2000]
        row.last_polled_at = now
        row.last_success_at = now
        row.next_poll_at = next_poll_at
        row.primed = True
        return row.failures

    async def failing(self, limit: int = 5) -> list[Source]:
        """Enabled sources whose last polls failed or skipped items, most failures first."""
        rows = await self.session.execute(
            select(SourceRow)
            .where(SourceRow.enabled.is_(True), SourceRow.failures > 0)
            .order_by(SourceRow.failures.desc(), SourceRow.id)
            .limit(limit)
        )
        return [source_from_row(row) for row in rows.scalars()]
