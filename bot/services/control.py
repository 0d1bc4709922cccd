"""The pause switch: a paused bot runs no posting job, on every instance at once.

The state is one shared flag (`bot.core.pause_ports.PauseFlag`; a row of the
`flags` table on SQL), so an admin's /pause on one
instance stops the delivery worker, trending and digests on all of them, and
survives a restart. Polling goes on while paused: stories are stored and
queued, and what became stale meanwhile is dropped on resume
(`Outbox.settle`), so resuming never bursts old news into a channel.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.pause_ports import PauseFlag


async def set_paused(flag: PauseFlag, paused: bool, now: datetime) -> None:
    """Pause or resume posting for every instance."""
    await flag.write("1" if paused else "0", now)


async def is_paused(flag: PauseFlag) -> bool:
    """Whether an admin paused posting."""
    return await flag.read() == "1"
