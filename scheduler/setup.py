"""Builds the APScheduler that runs Nashir's jobs in the bot's event loop.

The schedule is data built from the settings: one polling job per source at
its own interval with jitter, the delivery worker, crash recovery, the read
counters and trending, the digests at their local times, subscribers'
digests on the hour, the quiet-site watch, the leader lock and a sync that
adds polling jobs for sources added while running. Jobs coalesce and never
overlap themselves, so a slow poll or a suspended laptop never produces a
burst of runs; digests missed by a restart are caught up once (keyed by
date) by `jobs.catch_up`.

Every job's last result is kept (`describe_jobs`, `/schedule`) and written
to the `flags` table, so `nashir schedule` run beside the bot shows them too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.adapters.settings import Settings
from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository
from bot.adapters.storage.pause_flag import SqlPauseFlag
from bot.adapters.storage.tables import FlagRow
from bot.core.model import Source
from bot.core.selection import parse_clock
from bot.services.admin_service import JobLine
from bot.services.control import is_paused
from bot.services.ingest import PollReport
from scheduler.jobs import Jobs
from scheduler.leader import leader_line

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
RESULT_FLAG = "job:"
PERSIST_EVERY = timedelta(minutes=1)
SYNC_SOURCES = 60
SITE_WATCH = 900


@dataclass(frozen=True, slots=True)
class JobInfo:
    """One job as admins see it."""

    id: str
    name: str
    next_run: datetime | None
    last_result: str | None


class NashirScheduler(AsyncIOScheduler):  # type: ignore[misc]
    """An AsyncIOScheduler that remembers each job's last result (and stores it in `db`)."""

    def __init__(self, *, db: Database | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.results: dict[str, str] = {}
        self.db = db
        self._persisted: dict[str, tuple[str, datetime]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.add_listener(self._record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    async def drain(self, grace: float = 10.0) -> None:
        """Pause, and let running jobs finish before a shutdown.

        APScheduler 3's asyncio executor cancels running jobs on shutdown, so
        a poll could be cut in the middle of a database call; it offers no
        public way to wait for them, hence its pending futures are read here
        (the version is pinned below 4).
        """
        if not self.running:
            return
        self.pause()
        pending: set[asyncio.Future[Any]] = getattr(
            self._lookup_executor("default"), "_pending_futures", set()
        )
        running = [future for future in pending if not future.done()]
        if running:
            await asyncio.wait(running, timeout=grace)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)

    def _record(self, event: JobExecutionEvent) -> None:
        now = datetime.now(self.timezone)  # the zone `nashir schedule` shows every time in
        if event.code == EVENT_JOB_ERROR:
            result = f"error: {type(event.exception).__name__}: {event.exception}"
        elif event.code == EVENT_JOB_MISSED:
            result = "missed (coalesced)"
        else:
            result = summarize(event.retval)
        stamped = f"{result} (at {now:%Y-%m-%d %H:%M:%S})"
        self.results[event.job_id] = stamped
        self._persist(event.job_id, result, stamped, now)

    def _persist(self, job_id: str, result: str, stamped: str, now: datetime) -> None:
        """Write the result to the flags table when it changed or a minute passed."""
        if self.db is None:
            return
        last = self._persisted.get(job_id)
        if last is not None and last[0] == result and now - last[1] < PERSIST_EVERY:
            return
        self._persisted[job_id] = (result, now)
        db = self.db

        async def write() -> None:
            try:
                async with db.session() as session:
                    await FlagRepository(session).set(
                        f"{RESULT_FLAG}{job_id}"[:64], stamped[:2000], now
                    )
                    await session.commit()
            except Exception as exc:
                log.debug("could not persist the result of %s: %s", job_id, exc)

        try:
            task = asyncio.get_running_loop().create_task(write())
        except RuntimeError:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def summarize(value: object) -> str:
    """A job's return value as one short line."""
    if isinstance(value, PollReport):
        if value.status == "error":
            return f"error: {value.error}"
        if value.status == "not_modified":
            return "not modified (304)"
        return f"ok: {value.found} items, {len(value.new)} new"
    if value is None:
        return "done"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value} sent" if value else "nothing due"
    return str(value)


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """How often each job runs (NASHIR_POLL_*, _DELIVER_INTERVAL, _READS_INTERVAL, ...)."""

    zone: ZoneInfo
    poll_interval: float
    poll_jitter: float
    deliver_interval: float
    leader_check: float
    reads_interval: float
    digest_times: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> ScheduleOptions:
        """The schedule as configured."""
        return cls(
            zone=settings.zone,
            poll_interval=settings.poll_interval,
            poll_jitter=settings.poll_jitter,
            deliver_interval=settings.deliver_interval,
            leader_check=settings.leader_check,
            reads_interval=settings.reads_interval,
            digest_times=tuple(settings.digest_times),
        )


def new_scheduler(options: ScheduleOptions, db: Database | None = None) -> NashirScheduler:
    """An empty scheduler in the bot's time zone with Nashir's job defaults."""
    return NashirScheduler(db=db, timezone=options.zone, job_defaults=JOB_DEFAULTS)


def install_jobs(
    scheduler: AsyncIOScheduler, jobs: Jobs, options: ScheduleOptions, sources: list[Source]
) -> None:
    """Every job of a running bot, on `scheduler` (not started)."""
    now = datetime.now(options.zone)
    for source in sources:
        add_poll_job(scheduler, jobs, options, source, first_run=now)
    scheduler.add_job(
        jobs.deliver,
        IntervalTrigger(seconds=options.deliver_interval),
        id="deliver",
        name="deliver due posts",
        next_run_time=now,
    )
    scheduler.add_job(
        jobs.recover, IntervalTrigger(seconds=60), id="recover", name="release stalled deliveries"
    )
    scheduler.add_job(
        jobs.leadership,
        IntervalTrigger(seconds=options.leader_check),
        id="leader",
        name="leader lock",
    )
    scheduler.add_job(
        sync_sources,
        IntervalTrigger(seconds=SYNC_SOURCES),
        args=(scheduler, jobs, options),
        id="sources",
        name="poll jobs for added or removed sources",
    )
    scheduler.add_job(
        jobs.most_read,
        IntervalTrigger(seconds=options.reads_interval, jitter=_jitter(options.reads_interval)),
        id="most_read",
        name="read counters and trending",
        next_run_time=now + timedelta(seconds=min(60, options.reads_interval)),
    )
    for text in options.digest_times:
        at = parse_clock(text)
        scheduler.add_job(
            jobs.channel_digest,
            CronTrigger(hour=at.hour, minute=at.minute, timezone=options.zone),
            id=f"digest@{text}",
            name=f"most-read digest at {text}",
            misfire_grace_time=3600,
        )
    scheduler.add_job(
        jobs.personal_digests,
        CronTrigger(minute=0, timezone=options.zone),
        id="personal_digests",
        name="subscribers' digests (hourly)",
        misfire_grace_time=1800,
    )
    scheduler.add_job(
        jobs.site_watch,
        IntervalTrigger(seconds=SITE_WATCH),
        id="site_watch",
        name="quiet-site watch",
    )


def add_poll_job(
    scheduler: AsyncIOScheduler,
    jobs: Jobs,
    options: ScheduleOptions,
    source: Source,
    *,
    first_run: datetime | None = None,
) -> None:
    """The polling job of one source: its interval, with jitter (the only place one is added)."""
    interval = options.poll_interval
    scheduler.add_job(
        jobs.poll_source,
        IntervalTrigger(seconds=interval, jitter=_jitter(interval, options.poll_jitter)),
        args=(source.id,),
        id=f"poll:{source.id}",
        name=f"poll {source.url}",
        next_run_time=first_run,
        replace_existing=True,
    )


def _jitter(interval: float, fraction: float = 0.1) -> int | None:
    spread = int(interval * fraction)
    return spread if spread >= 1 else None


async def sync_sources(scheduler: AsyncIOScheduler, jobs: Jobs, options: ScheduleOptions) -> str:
    """Add polling jobs for sources added since start, drop those of removed ones."""
    sources = await jobs.sources()
    wanted = {f"poll:{source.id}": source for source in sources}
    have = {job.id for job in scheduler.get_jobs() if job.id.startswith("poll:")}
    now = datetime.now(options.zone)
    added, removed = sorted(set(wanted) - have), sorted(have - set(wanted))
    for job_id in added:
        add_poll_job(scheduler, jobs, options, wanted[job_id], first_run=now)
    for job_id in removed:
        scheduler.remove_job(job_id)
    return f"{len(wanted)} sources, {len(added)} added, {len(removed)} removed"


class SchedulerPolls:
    """The scheduler as the admin commands see it (`bot.services.admin_service.PollSchedule`)."""

    def __init__(self, scheduler: AsyncIOScheduler, jobs: Jobs, options: ScheduleOptions) -> None:
        self.scheduler = scheduler
        self.job_calls = jobs
        self.options = options

    def jobs(self) -> list[JobLine]:
        """Every job, next run first (none before the bot has started its schedule)."""
        return [JobLine(j.name, j.next_run, j.last_result) for j in describe_jobs(self.scheduler)]

    def add_source(self, source: Source) -> None:
        """Poll a source just added, in a second, then at the usual interval (with jitter)."""
        if not self.scheduler.running or self.scheduler.get_job(f"poll:{source.id}") is not None:
            return
        first = datetime.now(self.options.zone) + timedelta(seconds=1)
        add_poll_job(self.scheduler, self.job_calls, self.options, source, first_run=first)

    def remove_source(self, source_id: int) -> None:
        """Stop polling a source just removed."""
        if self.scheduler.get_job(f"poll:{source_id}") is not None:
            self.scheduler.remove_job(f"poll:{source_id}")


def describe_jobs(scheduler: AsyncIOScheduler) -> list[JobInfo]:
    """Every job, its next run (aware, None when paused) and its last result."""
    results: dict[str, str] = getattr(scheduler, "results", {})
    now = datetime.now(scheduler.timezone)
    infos = []
    for job in scheduler.get_jobs():
        next_run = getattr(job, "next_run_time", None)
        if next_run is None and getattr(job, "pending", False):
            next_run = job.trigger.get_next_fire_time(None, now)
        infos.append(JobInfo(job.id, job.name, next_run, results.get(job.id)))
    return sorted(infos, key=lambda info: (info.next_run is None, info.next_run or now, info.id))


async def stored_results(db: Database) -> dict[str, str]:
    """Last results the running instances wrote, by job id."""
    async with db.session() as session:
        rows = await session.execute(
            select(FlagRow.name, FlagRow.value).where(FlagRow.name.like(f"{RESULT_FLAG}%"))
        )
        return {str(name)[len(RESULT_FLAG) :]: str(value) for name, value in rows}


def result_json(infos: list[JobInfo]) -> str:
    """The job list as JSON (for scripts)."""
    return json.dumps(
        [
            {
                "id": i.id,
                "name": i.name,
                "next_run": i.next_run.isoformat() if i.next_run else None,
                "last_result": i.last_result,
            }
            for i in infos
        ],
        ensure_ascii=False,
        indent=2,
    )


async def schedule_lines(
    db: Database,
    jobs: Jobs,
    options: ScheduleOptions,
    *,
    timezone: str,
    as_json: bool = False,
) -> list[str]:
    """What `nashir schedule` prints: the jobs a running bot has, with stored last results.

    Times are local to the bot's zone, named once on the first line; the
    leader is shown with the age of its last heartbeat when it has one.
    """
    scheduler = new_scheduler(options)
    install_jobs(scheduler, jobs, options, await jobs.sources())
    stored = await stored_results(db)
    infos = [
        dataclasses.replace(info, last_result=info.last_result or stored.get(info.id))
        for info in describe_jobs(scheduler)
    ]
    if as_json:
        return [result_json(infos)]
    zone = options.zone
    lines = [
        f"posting: {'paused' if await is_paused(SqlPauseFlag(db)) else 'on'}"
        f" · leader: {await leader_line(db, zone)}"
        f" · times in {timezone}",
    ]
    for info in infos:
        when = f"{info.next_run.astimezone(zone):%Y-%m-%d %H:%M:%S}" if info.next_run else "-"
        lines.append(f"{info.name:<45} next {when:<19}  last {info.last_result or '-'}")
    return lines
