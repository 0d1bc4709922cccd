"""Scheduled jobs: each is one call into a service, so it is as testable as the service.

Two gates sit in front of the services. Only the leader (`scheduler.leader`)
runs the jobs that decide what to post (polling, counters, trending,
digests, the quiet-site watch), sends what the outbox holds, and reads
Telegram's updates by long polling. And a paused bot (`bot.control`) runs no
posting job at all. Each job returns a short text (or a report) that
`describe_jobs` shows as its last result.

One bot, one sender. Telegram's limits (30 messages a second, 20 a minute
per group, one a second per private chat) and its update stream belong to
the bot token, not to a process. So one instance, the leader, sends and
polls; the others stand by and take over within the leader-check time when
it dies. Leasing shares of the rate through the database was the
alternative: it would let two processes send at 15/s each, but per-chat
windows would then need a shared store too, every admission a round trip,
and a stalled instance would waste its share until its lease ran out. One
process already sends at the full rate (paid broadcasts included), so the
single sender costs no throughput. In webhook mode every instance serves
updates (Telegram pushes each update once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.control import is_paused
from bot.delivery import DeliveryReport
from bot.ingest import PollReport
from bot.options import quiet_watch_options
from bot.storage.delivery_store import DeliveryStore
from bot.storage.sources import SourceRepository
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


async def may_deliver(app: App) -> bool:
    """Whether this instance may send now: it leads and posting is not paused.

    Asked by the delivery loop before each claim. The first call after a
    pause drops what went stale and re-spaces the rest.
    """
    if not is_leader(app):
        return False
    scheduler = app.scheduler
    if await is_paused(app.db):
        if scheduler is not None:
            scheduler.was_paused = True
        return False
    if scheduler is not None and getattr(scheduler, "was_paused", False):
        scheduler.was_paused = False
        await app.outbox.settle()
    return True


async def deliver(app: App) -> int:
    """Report what the delivery loop sent since the last run (and nudge it).

    Without the loop (tests, one-off commands) it sends one batch itself,
    through the same gate: returns how many were sent (0 while paused or
    standing by).
    """
    if app.worker.serving:
        app.worker.wake()
        return app.worker.sent_since_last_report()
    if not await may_deliver(app):
        return 0
    report = await app.worker.run_once()
    return report.sent


def start_delivery(app: App, stop: asyncio.Event) -> asyncio.Task[DeliveryReport]:
    """Run the delivery loop until `stop`: every instance runs it, only the leader sends."""

    async def gate() -> bool:
        return await may_deliver(app)

    return asyncio.create_task(app.worker.serve(stop, may_send=gate), name="delivery")


async def finish_delivery(
    task: asyncio.Task[DeliveryReport], stop: asyncio.Event, grace: float = 15.0
) -> None:
    """Stop the loop: claimed rows not yet started go back, sends in flight finish."""
    stop.set()
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    except Exception:
        log.exception("the delivery loop failed")


async def recover(app: App) -> int:
    """Release deliveries a stopped worker left in flight."""
    return await app.worker.recover()


async def most_read(app: App) -> str:
    """Refresh read counters, then post what is trending (not while paused)."""
    if not is_leader(app):
        return STANDBY
    report = await app.trending.refresh_reads()
    if await is_paused(app.db):
        return f"{report}; trending paused"
    return f"{report}; {await app.trending.post_trending()}"


async def channel_digest(app: App) -> str:
    """Queue the channels' digest of the slot now due."""
    if not is_leader(app):
        return STANDBY
    if await is_paused(app.db):
        return PAUSED
    return await app.digests.post_channel_digest()


async def personal_digests(app: App) -> str:
    """Queue the subscribers' digests of this hour."""
    if not is_leader(app):
        return STANDBY
    if await is_paused(app.db):
        return PAUSED
    return await app.digests.post_personal_digests()


async def site_watch(app: App) -> str:
    """Alert the admins when the site has gone quiet."""
    if not is_leader(app):
        return STANDBY
    options = quiet_watch_options(app.settings)
    return await check_site_quiet(app.db, app.clock, options, app.worker.alert)


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
    missed = (
        ("digest", app.digests.post_channel_digest),
        ("personal digests", app.digests.post_personal_digests),
    )
    for name, job in missed:
        try:
            log.info("catch-up %s: %s", name, await job())
        except Exception:
            log.exception("catch-up of the %s failed", name)


async def on_elected(app: App) -> None:
    """This instance now leads: take over the rows the last sender held, read updates, catch up."""
    async with app.db.session() as session:
        released = await DeliveryStore(session).release_claimed_except(app.worker.worker_id)
        await session.commit()
    if released:
        log.warning("took over %d deliveries the previous sender held in flight", released)
    app.worker.wake()
    await start_updates(app)
    await catch_up(app)


async def on_deposed(app: App) -> None:
    """Another instance leads now: stop reading updates (the loop stops claiming by itself)."""
    await stop_updates(app)


async def start_updates(app: App) -> None:
    """Long-poll Telegram's updates (the leader only; webhook mode needs no poller)."""
    telegram = app.telegram
    if telegram is None or not app.polling or app.webhook_url is not None:
        return
    updater = telegram.updater
    if updater is not None and not updater.running:
        await updater.start_polling(drop_pending_updates=False)
        log.info("reading Telegram updates by long polling")


async def stop_updates(app: App) -> None:
    """Stop long polling, so the new leader's getUpdates is the only one."""
    telegram = app.telegram
    updater = telegram.updater if telegram is not None else None
    if updater is not None and updater.running:
        await updater.stop()
        log.info("stopped reading Telegram updates: another instance leads")
