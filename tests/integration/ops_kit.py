"""A whole running bot for the operations tests: `serve()` as `nashir run` does it.

The demo site, the fake Bot API and the fake X API run on local ports; the
app is built from settings with the metrics server on a free port, started
by `bot.runner.serve` (scheduler included) and stopped at the end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.settings import load_settings
from bot.app import App, build
from bot.runner import serve
from sandbox import ServerThread
from scheduler.setup import NashirScheduler

TOKEN = "123456789:TEST-token_for_the_fake"
# A database nobody answers at (port 1 on this machine refuses at once).
CLOSED_PORT_URL = "postgresql+asyncpg://nashir@127.0.0.1:1/nashir"
X_SECRETS = {
    "X_CONSUMER_KEY": "ops-consumer-key-3c9e1",
    "X_CONSUMER_SECRET": "ops-consumer-secret-7b2d4f",
    "X_ACCESS_TOKEN": "ops-access-token-5a8c0e",
    "X_ACCESS_TOKEN_SECRET": "ops-access-secret-1f6b9d",
}


def settings_for(
    database_url: str,
    site: ServerThread,
    telegram: ServerThread,
    x: ServerThread,
    **env: str,
) -> dict[str, str]:
    """Settings of a bot posting the demo site to both fakes, metrics on a free port."""
    values = {
        "NASHIR_DATABASE_URL": database_url,
        "NASHIR_SOURCES": f"{site.url}/rss.xml",
        "NASHIR_ALLOW_PRIVATE_URLS": "true",
        "NASHIR_MIN_GAP": "0",
        "NASHIR_POLL_INTERVAL": "1",
        "NASHIR_DELIVER_INTERVAL": "0.2",
        "NASHIR_METRICS_PORT": "0",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.url,
        "X_API_URL": x.url,
        **X_SECRETS,
    }
    values.update(env)
    return values


@asynccontextmanager
async def running(values: dict[str, str], **build_options: Any) -> AsyncIterator[App]:
    """Build the app, run it as `nashir run` does until the block ends."""
    app = build(load_settings(values, env_file=None), polling=False, **build_options)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop))
    try:
        await until(lambda: app.scheduler is not None and app.scheduler.running, task=task)
        yield app
    finally:
        await _quiesce(app)
        stop.set()
        await task


async def _quiesce(app: App) -> None:
    """Pause the scheduler and let running jobs finish before the app stops.

    APScheduler's asyncio executor cancels running jobs on shutdown; a job
    cancelled inside a SQLite call leaves its connection to be collected
    unclosed, which pytest reports (as an error) in whatever test runs next.
    """
    scheduler = app.scheduler
    if isinstance(scheduler, NashirScheduler):
        await scheduler.drain()


async def until(
    condition: Callable[[], bool], *, within: float = 10.0, task: asyncio.Task[Any] | None = None
) -> None:
    """Wait for `condition` (re-raising the app's failure if it dies first)."""
    deadline = time.monotonic() + within
    while not condition():
        if task is not None and task.done():
            task.result()
            raise AssertionError("the app stopped")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until an async check passes."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.1)


async def primed(app: App) -> None:
    """Wait until every source had its first successful poll."""
    deadline = time.monotonic() + 10
    while not all(source.primed for source in await app.sources()):
        if time.monotonic() > deadline:
            raise AssertionError("the first poll did not happen")
        await asyncio.sleep(0.05)


async def get(app: App, path: str) -> httpx.Response:
    """GET a path of the app's metrics server over HTTP."""
    assert app.metrics_web is not None
    async with httpx.AsyncClient(base_url=app.metrics_web.url, timeout=10) as client:
        return await client.get(path)


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(app: App) -> Samples:
    """Every sample `/metrics` exposes, keyed by name and labels."""
    response = await get(app, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    """One sample's value, None when absent."""
    return samples.get((name, frozenset(labels.items())))


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of a metric over every label set that includes `labels`."""
    wanted = set(labels.items())
    return sum(v for (sample, have), v in samples.items() if sample == name and wanted <= have)
