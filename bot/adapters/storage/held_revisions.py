"""Headline changes a poll held back, kept for the admins to apply or drop.

One batch per source, in the shared `flags` table (so every instance sees
it): the newest poll's held changes replace the last ones, since they carry
the source's latest text. Applying or dropping a batch takes it out.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete, select

from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository
from bot.adapters.storage.rows import as_utc
from bot.adapters.storage.tables import FlagRow
from bot.core.admin_ports import HeldBatch as HeldBatch  # defined in core, named here too
from bot.core.model import Source
from bot.core.revision_guard import HeldChange

PREFIX = "held_revisions:"
MOST = 50  # changes kept per source: enough to judge, never a table of thousands


async def keep_held(
    db: Database, source: Source, reason: str, changes: list[HeldChange], now: datetime
) -> None:
    """Keep this poll's held changes of `source` for review (replacing older ones)."""
    value = json.dumps(
        {
            "url": source.url,
            "reason": reason,
            "changes": [asdict(change) for change in changes[:MOST]],
        },
        ensure_ascii=False,
    )
    async with db.session() as session:
        await FlagRepository(session).set(f"{PREFIX}{source.id}", value, now)
        await session.commit()


async def held_batches(db: Database) -> list[HeldBatch]:
    """Every source's held changes, oldest batch first."""
    async with db.session() as session:
        rows = await session.execute(
            select(FlagRow.name, FlagRow.value, FlagRow.updated_at)
            .where(FlagRow.name.like(f"{PREFIX}%"))
            .order_by(FlagRow.updated_at)
        )
        return [_batch(str(name), str(value), as_utc(at)) for name, value, at in rows]


async def take_held(db: Database, source_id: int) -> HeldBatch | None:
    """Remove and return a source's held changes (None when there are none)."""
    name = f"{PREFIX}{source_id}"
    async with db.session() as session:
        row = await session.get(FlagRow, name)
        if row is None:
            return None
        batch = _batch(name, row.value, as_utc(row.updated_at))
        await session.execute(delete(FlagRow).where(FlagRow.name == name))
        await session.commit()
    return batch


def _batch(name: str, value: str, at: datetime) -> HeldBatch:
    data = json.loads(value)
    return HeldBatch(
        source_id=int(name.removeprefix(PREFIX)),
        source_url=str(data["url"]),
        reason=str(data["reason"]),
        changes=tuple(HeldChange(**change) for change in data["changes"]),
        at=at,
    )
