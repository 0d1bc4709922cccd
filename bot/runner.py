"""Runs a built app until told to stop: the life of `nashir run` and `nashir demo`."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import suppress

from bot.app import App
from scheduler.jobs import finish_delivery
from scheduler.setup import install_jobs

log = logging.getLogger(__name__)


async def serve(app: App, stop: asyncio.Event) -> None:
    """Start everything, wait for `stop`, then shut down in reverse order."""
    await app.start(read_updates=False)  # only the leader reads updates
    install_jobs(app.scheduler, app.jobs, app.schedule, await app.sources())
    await app.jobs.leadership()  # the leader catches up before its first job runs
    app.scheduler.start()
    delivering = app.jobs.start_delivery(stop)
    polled = sum(1 for source in await app.sources() if source.enabled)
    if polled == 0:
        log.warning(
            "no source to poll: list feeds in NASHIR_SOURCES or add them with "
            "`nashir sources add URL`"
        )
    log.info(
        "Nashir is running: %d %s, posting to %s",
        polled,
        "source" if polled == 1 else "sources",
        ", ".join(sorted(app.publishers)),
    )
    try:
        await stop.wait()
    finally:
        await app.scheduler.drain()
        await finish_delivery(delivering, stop)
        app.scheduler.shutdown(wait=False)
        if app.jobs.leader is not None:
            await app.jobs.leader.release()
        await asyncio.sleep(0)
        await app.stop()
        log.info("Nashir stopped")


def settle_heap() -> None:
    """Put everything built so far out of the garbage collector's reach.

    Modules, settings and clients live as long as the process. A full
    collection that walks them all stalls the event loop for tens of
    milliseconds, and in a broadcast a stall turns into a burst of sends that
    overfills Telegram's one-second window. Called once, by the process that
    owns the loop (`nashir run`), never per app: tests build many.
    """
    gc.collect()
    gc.freeze()


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM end the run cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
