"""Prometheus metrics: the `Events` the services report to, counted and served at /metrics.

Every metric lives in a `CollectorRegistry` the app creates and hands in, so
two apps in one process (tests run many) never share or collide on a
metric, and nothing is registered at import time.

Counters and histograms move as events arrive. What only the database knows
(deliveries waiting and the age of the oldest, subscribers by state, the
last successful poll, the X budget) is read asynchronously on each scrape,
before the registry is rendered: a collector never blocks the event loop on
a query, and a scrape always sees the current numbers. If the database does
not answer, the scrape still succeeds with `nashir_database_up 0` and the
last values read.

Labels stay few: a destination is `telegram:@channel` or `x:me`, and the
bot's private chats are one label per platform (see `bot.services.delivery.label`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.adapters.storage.database import Database
from bot.adapters.storage.operations import OperationsRepository
from bot.adapters.web import WebServer
from bot.core.events import Events
from bot.core.ports import Clock
from bot.entrypoints.health import HealthCheck

log = logging.getLogger(__name__)

REFRESH_TIMEOUT = 5.0
POLL_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60)
QUEUE_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)


class BudgetStatus(Protocol):
    """What the X budget reports (`bot.services.xbudget.BudgetStatus`)."""

    @property
    def posts_left_today(self) -> int:
        """Posts X may still take in the last 24 hours."""

    @property
    def money_left_month(self) -> float | None:
        """Money left this month, when a monthly budget is set."""


class BudgetReader(Protocol):
    """Anything that can tell the X budget left (`bot.services.xbudget.XBudget`)."""

    async def status(self) -> BudgetStatus:
        """The budget now."""


class PrometheusEvents(Events):
    """Counts every event into Prometheus metrics of its own registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

        def counter(name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(name, doc, labels, registry=registry)

        self.posts_sent = counter(
            "nashir_posts_sent", "Posts that reached their destination.", ("destination",)
        )
        self.posts_failed = counter(
            "nashir_posts_failed",
            "Deliveries given up on, by destination and reason.",
            ("destination", "reason"),
        )
        self.deliveries_queued = counter(
            "nashir_deliveries_queued", "Deliveries added to the outbox.", ("destination",)
        )
        self.queue_seconds = Histogram(
            "nashir_delivery_queue_seconds",
            "Time from queueing to sending, of sent posts.",
            ("destination",),
            buckets=QUEUE_BUCKETS,
            registry=registry,
        )
        self.waiting = gauge(
            "nashir_deliveries_waiting",
            "Deliveries pending or in flight, by destination.",
            ("destination",),
        )
        self.oldest_waiting = gauge(
            "nashir_deliveries_oldest_age_seconds",
            "Age of the oldest delivery still waiting, by destination.",
            ("destination",),
        )
        self.api_errors = counter(
            "nashir_api_errors",
            "Errors answered by a platform API, by platform and code.",
            ("platform", "code"),
        )
        self.rate_limits = counter(
            "nashir_rate_limited", "429 answers (flood control), by platform.", ("platform",)
        )
        self.rate_limit_wait = counter(
            "nashir_rate_limit_wait_seconds",
            "Seconds platforms asked us to wait, by platform.",
            ("platform",),
        )
        self.polls = counter("nashir_polls", "Polls by source and result.", ("source", "status"))
        self.poll_seconds = Histogram(
            "nashir_poll_duration_seconds",
            "How long a poll took, by source.",
            ("source",),
            buckets=POLL_BUCKETS,
            registry=registry,
        )
        self.articles = counter(
            "nashir_articles_ingested", "New articles stored, by source.", ("source",)
        )
        self.subscribers = gauge("nashir_subscribers", "Subscribers by state.", ("state",))
        # Exported from their first value on: a 0 before it would read as "budget spent"
        # or "never polled" to an alert rule.
        self._gauges: dict[str, Gauge] = {}
        self.database_up = gauge(
            "nashir_database_up", "1 when the last scrape could read the database."
        )
        for state in ("active", "blocked"):
            self.subscribers.labels(state)

    # -- events ------------------------------------------------------------------------

    def poll_finished(self, source: str, status: str, seconds: float, new: int) -> None:
        """Count the poll and its duration."""
        self.polls.labels(source, status).inc()
        self.poll_seconds.labels(source).observe(max(seconds, 0.0))

    def article_stored(self, source: str | None) -> None:
        """Count a new article (`manual` when no source brought it)."""
        self.articles.labels(source or "manual").inc()

    def delivery_queued(self, destination: str, count: int = 1) -> None:
        """Count deliveries added to the outbox."""
        self.deliveries_queued.labels(destination).inc(count)

    def delivery_sent(self, destination: str, seconds_queued: float | None = None) -> None:
        """Count a sent post and how long it waited."""
        self.posts_sent.labels(destination).inc()
        if seconds_queued is not None:
            self.queue_seconds.labels(destination).observe(max(seconds_queued, 0.0))

    def delivery_failed(self, destination: str, reason: str) -> None:
        """Count a delivery given up on."""
        self.posts_failed.labels(destination, reason).inc()

    def api_error(self, platform: str, code: str) -> None:
        """Count an API error."""
        self.api_errors.labels(platform, code).inc()

    def rate_limited(self, platform: str, seconds: float) -> None:
        """Count a 429 and the wait it asked for."""
        self.rate_limits.labels(platform).inc()
        self.rate_limit_wait.labels(platform).inc(max(seconds, 0.0))

    def subscribers_changed(self, active: int, blocked: int) -> None:
        """Set the subscriber gauges."""
        self.subscribers.labels("active").set(active)
        self.subscribers.labels("blocked").set(blocked)

    def x_budget(self, posts_left: int, money_left: float | None) -> None:
        """Set the X budget gauges (money only when a monthly budget is set)."""
        self._set("nashir_x_budget_posts_left", "Posts left in the X budget.", posts_left)
        if money_left is not None:
            self._set(
                "nashir_x_budget_money_left", "Money left in this month's X budget.", money_left
            )

    def _set(self, name: str, documentation: str, value: float) -> None:
        """Set a gauge, registering it on first use."""
        if name not in self._gauges:
            self._gauges[name] = Gauge(name, documentation, registry=self.registry)
        self._gauges[name].set(value)

    # -- what the database knows -------------------------------------------------------

    async def refresh(self, db: Database, clock: Clock, budget: BudgetReader | None) -> None:
        """Read the database-backed gauges; failures set `nashir_database_up` to 0."""
        try:
            async with asyncio.timeout(REFRESH_TIMEOUT):
                async with db.session() as session:
                    store = OperationsRepository(session)
                    depths = await store.queue_depths()
                    states = await store.subscriber_counts()
                    last_poll = await store.last_poll_success()
                status = await budget.status() if budget is not None else None
        except Exception as exc:
            self.database_up.set(0)
            log.warning("metrics: could not read the database: %s", _first_line(exc))
            return
        self.database_up.set(1)
        now = clock.now()
        self.waiting.clear()
        self.oldest_waiting.clear()
        for depth in depths:
            self.waiting.labels(depth.destination).set(depth.waiting)
            age = (now - depth.oldest).total_seconds()
            self.oldest_waiting.labels(depth.destination).set(max(age, 0.0))
        self.subscribers_changed(states.get("active", 0), states.get("blocked", 0))
        if last_poll is not None:
            self._set(
                "nashir_last_poll_success_timestamp_seconds",
                "Unix time of the last successful poll of any source.",
                last_poll.timestamp(),
            )
        if status is not None:
            self.x_budget(status.posts_left_today, status.money_left_month)

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


def metrics_routes(
    metrics: PrometheusEvents,
    db: Database,
    clock: Clock,
    budget: Callable[[], BudgetReader | None],
) -> Callable[[web.Application], None]:
    """The `/metrics` route: refresh what the database knows, then render."""

    async def scrape(_request: web.Request) -> web.Response:
        await metrics.refresh(db, clock, budget())
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    def setup(application: web.Application) -> None:
        application.router.add_get("/metrics", scrape)

    return setup


def metrics_server(
    host: str,
    port: int,
    metrics: PrometheusEvents,
    db: Database,
    clock: Clock,
    *,
    budget: Callable[[], BudgetReader | None],
    scheduler_running: Callable[[], bool],
    max_poll_age: float,
) -> WebServer:
    """The second HTTP server: `/metrics` and `/healthz` on NASHIR_METRICS_HOST:PORT.

    Kept apart from the webhook server so the monitoring port can stay on a
    private interface while the webhook faces the reverse proxy.
    """
    server = WebServer(host, port)
    server.add(metrics_routes(metrics, db, clock, budget))
    health = HealthCheck(
        db,
        clock,
        scheduler_running=scheduler_running,
        max_poll_age=max_poll_age,
    )
    server.add(health.routes)
    return server


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
