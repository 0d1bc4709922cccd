"""Builds the APScheduler that runs Nashir's jobs in the bot's event loop.

The schedule is data built from the settings: one polling job per source at
its own interval with jitter, the delivery worker, and crash recovery. Jobs
coalesce and never overlap themselves, so a slow poll or a suspended laptop
never produces a burst of runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.model import Source
from scheduler import jobs

if TYPE_CHECKING:
    from bot.app import App

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}


def build_scheduler(app: App, sources: list[Source]) -> AsyncIOScheduler:
    """A scheduler with every job of a running bot (not started)."""
    settings = app.settings
    scheduler = AsyncIOScheduler(timezone=settings.zone, job_defaults=JOB_DEFAULTS)
    now = datetime.now(settings.zone)
    interval = settings.poll_interval
    for source in sources:
        scheduler.add_job(
            jobs.poll_source,
            IntervalTrigger(seconds=interval, jitter=max(1, int(interval * 0.1))),
            args=(app, source.id),
            id=f"poll:{source.id}",
            name=f"poll {source.url}",
            next_run_time=now,
        )
    scheduler.add_job(
        jobs.deliver,
        IntervalTrigger(seconds=settings.deliver_interval),
        args=(app,),
        id="deliver",
        name="deliver due posts",
        next_run_time=now,
    )
    scheduler.add_job(
        jobs.recover,
        IntervalTrigger(seconds=60),
        args=(app,),
        id="recover",
        name="release stalled deliveries",
    )
    return scheduler
