"""Scheduled jobs: each is one call into a service, so it is as testable as the service."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.ingest import PollReport
from bot.storage.repositories import SourceRepository

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


async def poll_source(app: App, source_id: int) -> PollReport | None:
    """Poll one source unless it is backing off after failures."""
    async with app.db.session() as session:
        source = await SourceRepository(session).get(source_id)
    if source is None or not source.enabled:
        return None
    if source.failures and source.next_poll_at and source.next_poll_at > app.clock.now():
        return None
    backfill = app.backfill if not source.primed else 0
    return await app.ingestor.poll(source, backfill=backfill)


async def deliver(app: App) -> int:
    """Send what is due in the outbox; returns how many were sent."""
    report = await app.worker.run_once()
    return report.sent


async def recover(app: App) -> int:
    """Release deliveries a stopped worker left in flight."""
    return await app.worker.recover()
