"""`/healthz`: is this instance doing its job? For load balancers, systemd and monitors.

Three checks, each answering "ok" or the reason it is not:

- database: a `SELECT 1` answers within a few seconds;
- scheduler: the APScheduler of this app is running (it is set up after
  start-up, so it is "not started" for the first moment of a run);
- poll: some enabled source was polled successfully within
  `NASHIR_HEALTH_POLL_AGE` seconds. One dead site among several does not
  make the bot unhealthy (restarting would not fix it; the source-failure
  alert covers that); no successful poll anywhere does. A bot with no
  sources has nothing to poll and passes, and a freshly started one gets
  that long to make its first poll. Sources live in the shared database,
  so a standby instance reports the leader's polls.

All pass: 200, `ok`. Otherwise 503, `unhealthy`. Either way each check follows
on a line of its own (`poll: last successful poll 2h 5m ago (limit 30m)`),
so a `curl` or the load balancer's log says what is wrong.

A last line, `sources:`, names the sources whose recent polls failed or
skipped items, with their last error. It is information, not a check: a
restart would not mend a site, so it never turns the answer into a 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web

from bot.adapters.sources.sanitise import describe
from bot.adapters.storage.database import Database
from bot.adapters.storage.operations import OperationsRepository
from bot.adapters.storage.sources import SourceRepository
from bot.core.ports import Clock
from bot.core.redaction import redact

DATABASE_TIMEOUT = 5.0
FAILING_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Health:
    """The result of the checks: each name maps to "ok" or the reason it failed."""

    checks: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        """Every check passed."""
        return all(result == "ok" for result in self.checks.values())

    @property
    def reasons(self) -> list[str]:
        """`name: reason` for each failed check."""
        return [f"{name}: {result}" for name, result in self.checks.items() if result != "ok"]


class HealthCheck:
    """Runs the checks on demand; `routes` serves them at `/healthz`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        scheduler_running: Callable[[], bool],
        max_poll_age: float,
    ) -> None:
        self.db = db
        self.clock = clock
        self.scheduler_running = scheduler_running
        self.max_poll_age = timedelta(seconds=max_poll_age)
        self.started_at = clock.now()

    async def check(self) -> Health:
        """Run every check now."""
        checks = {
            "database": await self._database(),
            "scheduler": "ok" if self.scheduler_running() else "not running",
        }
        checks["poll"] = (
            await self._poll() if checks["database"] == "ok" else "unknown (no database)"
        )
        notes = {"sources": await self._sources()} if checks["database"] == "ok" else {}
        return Health(checks, notes)

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                await self.db.ping()
        except TimeoutError:
            return f"unreachable (no answer in {DATABASE_TIMEOUT:g} s)"
        except Exception as exc:
            return f"unreachable ({type(exc).__name__})"
        return "ok"

    async def _poll(self) -> str:
        now = self.clock.now()
        try:
            async with self.db.session() as session:
                store = OperationsRepository(session)
                sources = await store.enabled_sources()
                last = await store.last_poll_success()
        except Exception as exc:
            return f"unknown ({type(exc).__name__})"
        if sources == 0:
            return "ok"
        limit = _duration(self.max_poll_age)
        if last is None:
            if now - self.started_at <= self.max_poll_age:
                return "ok"
            return f"no successful poll since start ({_duration(now - self.started_at)} ago)"
        if now - last > self.max_poll_age:
            return f"last successful poll {_duration(now - last)} ago (limit {limit})"
        return "ok"

    async def _sources(self) -> str:
        """`ok`, or the failing sources with their failure counts and last errors."""
        try:
            async with self.db.session() as session:
                failing = await SourceRepository(session).failing(FAILING_SHOWN)
        except Exception as exc:
            return f"unknown ({describe(exc)})"
        if not failing:
            return "ok"
        return "; ".join(
            f"{source.url} failing ({source.failures} in a row): "
            f"{redact((source.last_error or '')[:200])}"
            for source in failing
        )

    async def answer(self, _request: web.Request) -> web.Response:
        """200 when healthy, else 503; the body names each check and its result."""
        health = await self.check()
        lines = ["ok" if health.healthy else "unhealthy"]
        lines += [f"{name}: {result}" for name, result in health.checks.items()]
        lines += [f"{name}: {result}" for name, result in health.notes.items()]
        return web.Response(status=200 if health.healthy else 503, text="\n".join(lines) + "\n")

    def routes(self, application: web.Application) -> None:
        """Register `/healthz`."""
        application.router.add_get("/healthz", self.answer)


def _duration(delta: timedelta) -> str:
    """A short human duration: 45s, 12m, 3h 5m."""
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes}m"
    return f"{minutes // 60}h {minutes % 60}m"
