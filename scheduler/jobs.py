"""Scheduled jobs: each is one call into a service, so it is as testable as the service.

Two gates sit in front of the services. Only the leader (`scheduler.leader`)
runs the jobs that decide what to post (polling, counters, trending,
digests, the quiet-site watch); every instance runs delivery. And a paused
bot (`bot.control`) runs no posting job at all. Each job returns a short
text (or a report) that `describe_jobs` shows as its last result.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.control import is_paused
from bot.digests import post_channel_digest, post_personal_digests
from bot.ingest import PollReport
from bot.storage.sources import SourceRepository
from bot.trending import post_trending, refresh_reads
from bot.watch import check_site_quiet

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

STANDBY = "standby: another instance leads"
PAUSED = "paused"


def is_leader(app: App) -> bool:
    """Whether this instance runs the leader's jobs (True when no lock is in use)."""
    lock = getattr(app.scheduler, "leader", None)
    return lock is None or bool(lock.is_leader)


async def poll_source(app: App, source_id: int) -> PollReport | str | None:
    """Poll one source unless it is backing off after failures."""
    if not is_leader(app):
        return STANDBY
    async with app.db.session() as session:
        source = await SourceRepository(session).get(source_id)
    if source is None or not source.enabled:
        return None
    if source.failures and source.next_poll_at and source.next_poll_at > app.clock.now():
        return f"backing off until {source.next_poll_at:%H:%M:%S} UTC"
    backfill = app.backfill if not source.primed else 0
    return await app.ingestor.poll(source, backfill=backfill)


async def deliver(app: App) -> int:
    """Send what is due in the outbox; returns how many were sent (0 while paused).

    The first pass after a pause drops what went stale and re-spaces the rest.
    """
    scheduler = app.scheduler
    if await is_paused(app.db):
        if scheduler is not None:
            scheduler.was_paused = True
        return 0
    if scheduler is not None and getattr(scheduler, "was_paused", False):
        scheduler.was_paused = False
        await app.outbox.settle()
    report = await app.worker.run_once()
    return report.sent


async def recover(app: App) -> int:
    """Release deliveries a stopped worker left in flight."""
    return await app.worker.recover()


async def most_read(app: App) -> str:
    """Refresh read counters, then post what is trending (not while paused)."""
    if not is_leader(app):
        return STANDBY
    report = await refresh_reads(app)
    if await is_paused(app.db):
        return f"{report}; trending paused"
    return f"{report}; {await post_trending(app)}"


async def channel_digest(app: App) -> str:
    """Queue the channels' digest of the slot now due."""
    if not is_leader(app):
        return STANDBY
    if await is_paused(app.db):
        return PAUSED
    return await post_channel_digest(app)


async def personal_digests(app: App) -> str:
    """Queue the subscribers' digests of this hour."""
    if not is_leader(app):
        return STANDBY
    if await is_paused(app.db):
        return PAUSED
    return await post_personal_digests(app)


async def site_watch(app: App) -> str:
    """Alert the admins when the site has gone quiet."""
    if not is_leader(app):
        return STANDBY
    return await check_site_quiet(app)


async def leadership(app: App) -> str:
    """Take or keep the leader lock."""
    lock = getattr(app.scheduler, "leader", None)
    if lock is None:
        return "leader (single instance)"
    leading = await lock.check(app.clock.now())
    return "leader" if leading else STANDBY


async def catch_up(app: App) -> None:
    """On becoming leader: re-space the outbox and send a digest a restart missed."""
    await app.outbox.settle()
    if await is_paused(app.db):
        return
    for name, job in (("digest", post_channel_digest), ("personal digests", post_personal_digests)):
        try:
            log.info("catch-up %s: %s", name, await job(app))
        except Exception:
            log.exception("catch-up of the %s failed", name)
