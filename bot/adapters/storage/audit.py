"""The audit log: admin commands and buttons, allowed or refused, with who used them.

Refusals are kept too, so admins can see who tried a command they may not use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import as_utc
from bot.adapters.storage.tables import AuditRow
from bot.core.model import AuditEntry


class AuditRepository:
    """The audit log."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, user_id: int | None, action: str, detail: str | None, allowed: bool, now: datetime
    ) -> None:
        """Write one entry."""
        self.session.add(
            AuditRow(at=now, user_id=user_id, action=action, detail=detail, allowed=allowed)
        )

    async def recent(self, limit: int) -> list[AuditEntry]:
        """Newest entries first."""
        rows = await self.session.execute(
            select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        )
        return [
            AuditEntry(
                at=as_utc(r.at),
                user_id=r.user_id,
                action=r.action,
                detail=r.detail,
                allowed=r.allowed,
            )
            for r in rows.scalars()
        ]
