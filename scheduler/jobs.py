"""Scheduled jobs: each is one call into a service, so it is as testable as the service.

Two gates sit in front of the services. Only the leader (`scheduler.leader`)
runs the jobs that decide what to post (polling, counters, trending,
digests, the quiet-site watch), sends what the outbox holds, and reads
Telegram's updates by long polling. And a paused bot (`bot.services.control`) runs no
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

from telegram.ext import Application

from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_store import DeliveryStore
from bot.adapters.storage.pause_flag import SqlPauseFlag
from bot.adapters.storage.quiet_watch import SqlQuietWatch
from bot.adapters.storage.sources import SourceRepository
from bot.core.model import Source
from bot.core.ports import Clock
from bot.services.control import is_paused
from bot.services.delivery import Alert, DeliveryReport, DeliveryWorker
from bot.services.digests import Digests
from bot.services.ingest import Ingestor, PollReport
from bot.services.outbox import Outbox
from bot.services.trending import Trending
from bot.services.watch import QuietWatchOptions, check_site_quiet
from scheduler.leader import LeaderLock

log = logging.getLogger(__name__)

STANDBY = "standby: another instance leads"
PAUSED = "paused"


class Jobs:
    """What the scheduler runs, given the parts each job calls into.

    `leader` is None where no lock is used (one-off commands, tests that
    drive one instance); the instance then leads.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        ingestor: Ingestor,
        worker: DeliveryWorker,
        outbox: Outbox,
        digests: Digests,
        trending: Trending,
        quiet: QuietWatchOptions,
        alert: Alert | None,
        leader: LeaderLock | None = None,
        telegram: Application | None = None,  # type: ignore[type-arg]
        read_updates: bool = True,
        backfill: int = 0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ingestor = ingestor
        self.worker = worker
        self.outbox = outbox
        self.digests = digests
        self.trending = trending
        self.quiet = quiet
        self.alert = alert
        self.leader = leader
        self.telegram = telegram
        self.read_updates = read_updates
        self.backfill = backfill
        self.was_paused = False

    def is_leader(self) -> bool:
        """Whether this instance runs the leader's jobs.

        Until the lock is first checked (`nashir run` checks it before any job
        runs) it does: one-off commands and tests drive a single instance.
        """
        lock = self.leader
        return lock is None or lock.is_leader or not lock.checked

    async def sources(self) -> list[Source]:
        """Every registered source (the poll jobs to have)."""
        async with self.db.session() as session:
            return await SourceRepository(session).all()

    async def poll_source(self, source_id: int) -> PollReport | str | None:
        """Poll one source unless it is backing off after failures."""
        if not self.is_leader():
            return STANDBY
        async with self.db.session() as session:
            source = await SourceRepository(session).get(source_id)
        if source is None or not source.enabled:
            return None
        if source.failures and source.next_poll_at and source.next_poll_at > self.clock.now():
            return f"backing off until {source.next_poll_at:%H:%M:%S} UTC"
        backfill = self.backfill if not source.primed else 0
        return await self.ingestor.poll(source, backfill=backfill)

    async def may_deliver(self) -> bool:
        """Whether this instance may send now: it leads and posting is not paused.

        Asked by the delivery loop before each claim. The first call after a
        pause drops what went stale and re-spaces the rest.
        """
        if not self.is_leader():
            return False
        if await is_paused(SqlPauseFlag(self.db)):
            self.was_paused = True
            return False
        if self.was_paused:
            self.was_paused = False
            await self.outbox.settle()
        return True

    async def deliver(self) -> int:
        """Report what the delivery loop sent since the last run (and nudge it).

        Without the loop (tests, one-off commands) it sends one batch itself,
        through the same gate: returns how many were sent (0 while paused or
        standing by).
        """
        if self.worker.serving:
            self.worker.wake()
            return self.worker.sent_since_last_report()
        if not await self.may_deliver():
            return 0
        report = await self.worker.run_once()
        return report.sent

    def start_delivery(self, stop: asyncio.Event) -> asyncio.Task[DeliveryReport]:
        """Run the delivery loop until `stop`: every instance runs it, only the leader sends."""

        async def gate() -> bool:
            return await self.may_deliver()

        return asyncio.create_task(self.worker.serve(stop, may_send=gate), name="delivery")

    async def recover(self) -> int:
        """Release deliveries a stopped worker left in flight."""
        return await self.worker.recover()

    async def most_read(self) -> str:
        """Refresh read counters, then post what is trending (not while paused)."""
        if not self.is_leader():
            return STANDBY
        report = await self.trending.refresh_reads()
        if await is_paused(SqlPauseFlag(self.db)):
            return f"{report}; trending paused"
        return f"{report}; {await self.trending.post_trending()}"

    async def channel_digest(self) -> str:
        """Queue the channels' digest of the slot now due."""
        if not self.is_leader():
            return STANDBY
        if await is_paused(SqlPauseFlag(self.db)):
            return PAUSED
        return await self.digests.post_channel_digest()

    async def personal_digests(self) -> str:
        """Queue the subscribers' digests of this hour."""
        if not self.is_leader():
            return STANDBY
        if await is_paused(SqlPauseFlag(self.db)):
            return PAUSED
        return await self.digests.post_personal_digests()

    async def site_watch(self) -> str:
        """Alert the admins when the site has gone quiet."""
        if not self.is_leader():
            return STANDBY
        return await check_site_quiet(SqlQuietWatch(self.db), self.clock, self.quiet, self.alert)

    async def leadership(self) -> str:
        """Take or keep the leader lock."""
        lock = self.leader
        if lock is None:
            return "leader (single instance)"
        leading = await lock.check(self.clock.now())
        return "leader" if leading else STANDBY

    async def catch_up(self) -> None:
        """On becoming leader: re-space the outbox and send a digest a restart missed."""
        await self.outbox.settle()
        if await is_paused(SqlPauseFlag(self.db)):
            return
        missed = (
            ("digest", self.digests.post_channel_digest),
            ("personal digests", self.digests.post_personal_digests),
        )
        for name, job in missed:
            try:
                log.info("catch-up %s: %s", name, await job())
            except Exception:
                log.exception("catch-up of the %s failed", name)

    async def on_elected(self) -> None:
        """Now leading: take over the rows the last sender held, read updates, catch up."""
        async with self.db.session() as session:
            released = await DeliveryStore(session).release_claimed_except(self.worker.worker_id)
            await session.commit()
        if released:
            log.warning("took over %d deliveries the previous sender held in flight", released)
        self.worker.wake()
        await self.start_updates()
        await self.catch_up()

    async def on_deposed(self) -> None:
        """Another instance leads now: stop reading updates (the loop stops claiming by itself)."""
        await self.stop_updates()

    async def start_updates(self) -> None:
        """Long-poll Telegram's updates (the leader only; webhook mode needs no poller)."""
        telegram = self.telegram
        if telegram is None or not self.read_updates:
            return
        updater = telegram.updater
        if updater is not None and not updater.running:
            await updater.start_polling(drop_pending_updates=False)
            log.info("reading Telegram updates by long polling")

    async def stop_updates(self) -> None:
        """Stop long polling, so the new leader's getUpdates is the only one."""
        telegram = self.telegram
        updater = telegram.updater if telegram is not None else None
        if updater is not None and updater.running:
            await updater.stop()
            log.info("stopped reading Telegram updates: another instance leads")


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
