"""`/metrics` of a running bot, scraped over HTTP: what Prometheus sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ops_kit import (
    CLOSED_PORT_URL,
    eventually,
    primed,
    running,
    scrape,
    settings_for,
    total,
    until,
    value,
)
from prometheus_client import REGISTRY, CollectorRegistry

from bot.adapters.settings import load_settings
from bot.adapters.storage.database import Database
from bot.app import build
from bot.core.clock import ManualClock
from bot.entrypoints.metrics import PrometheusEvents
from sandbox import FakeTelegram, FakeX, ServerThread
from sandbox.demo_site import DemoSite

CHANNEL = "telegram:@yemen_news"


@pytest.fixture
def site() -> DemoSite:
    return DemoSite(channel="yemen_news", x_handle="YemenNewsX")


@pytest.fixture
def site_server(site: DemoSite) -> Iterator[ServerThread]:
    with ServerThread(site.app()) as server:
        yield server


@pytest.fixture
def channel(fake_telegram: FakeTelegram) -> int:
    return fake_telegram.add_channel("@yemen_news", title="أخبار اليمن")


@pytest.fixture
def env(
    database_url: str,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
) -> dict[str, str]:
    return settings_for(database_url, site_server, telegram_server, x_server)


async def test_metrics_count_polls_articles_and_posts_of_a_running_bot(
    env: dict[str, str], site: DemoSite, fake_telegram: FakeTelegram, fake_x: FakeX, channel: int
) -> None:
    site.publish_next()
    async with running(env) as app:
        await primed(app)
        site.publish_next()
        source = (await app.sources())[0].url
        await until(lambda: len(fake_telegram.messages(channel)) == 1 and len(fake_x.tweets) == 1)

        async def settled() -> bool:  # sends are recorded in batches, a moment later
            return total(await scrape(app), "nashir_deliveries_waiting") == 0

        await eventually(settled)
        samples = await scrape(app)

    assert value(samples, "nashir_posts_sent_total", destination=CHANNEL) == 1
    assert value(samples, "nashir_posts_sent_total", destination="x:me") == 1
    assert value(samples, "nashir_delivery_queue_seconds_count", destination=CHANNEL) == 1
    assert total(samples, "nashir_deliveries_queued_total") == 2  # the channel and X
    assert value(samples, "nashir_articles_ingested_total", source=source) == 2
    assert (value(samples, "nashir_polls_total", source=source, status="ok") or 0) >= 2
    assert (value(samples, "nashir_poll_duration_seconds_count", source=source) or 0) >= 2
    assert value(samples, "nashir_subscribers", state="active") == 0
    assert value(samples, "nashir_subscribers", state="blocked") == 0
    assert (value(samples, "nashir_x_budget_posts_left") or 0) > 0
    assert (value(samples, "nashir_last_poll_success_timestamp_seconds") or 0) > 0
    assert value(samples, "nashir_database_up") == 1
    # nothing is waiting any more: the queue gauges carry no stale destination
    assert value(samples, "nashir_deliveries_waiting", destination=CHANNEL) is None


async def test_metrics_show_api_errors_429s_and_what_waits_in_the_queue(
    env: dict[str, str], site: DemoSite, fake_telegram: FakeTelegram, fake_x: FakeX, channel: int
) -> None:
    env["NASHIR_MAX_ATTEMPTS"] = "50"
    fake_x.fault("flood", endpoint="POST /2/tweets", times=1, reset_after=1)
    fake_telegram.fault("server_error", method="sendPhoto", times=None)
    fake_telegram.fault("server_error", method="sendMessage", times=None)
    site.publish_next()
    async with running(env) as app:
        await primed(app)
        site.publish_next()

        async def errors_seen() -> bool:
            samples = await scrape(app)
            return bool(
                value(samples, "nashir_deliveries_waiting", destination=CHANNEL)
                and value(samples, "nashir_rate_limited_total", platform="x")
                and value(samples, "nashir_posts_sent_total", destination="x:me")
            )

        await eventually(errors_seen)
        samples = await scrape(app)

    # PTB reports a 500 as a network error without its code: labelled by error kind
    assert total(samples, "nashir_api_errors_total", platform="telegram") >= 1
    assert value(samples, "nashir_api_errors_total", platform="x", code="429") == 1
    assert value(samples, "nashir_rate_limited_total", platform="x") == 1
    assert (value(samples, "nashir_rate_limit_wait_seconds_total", platform="x") or 0) > 0
    assert value(samples, "nashir_deliveries_waiting", destination=CHANNEL) == 1
    assert (value(samples, "nashir_deliveries_oldest_age_seconds", destination=CHANNEL) or -1) >= 0
    assert value(samples, "nashir_posts_sent_total", destination=CHANNEL) is None


async def test_each_app_counts_into_its_own_registry(env: dict[str, str]) -> None:
    first = build(load_settings(env, env_file=None), polling=False)
    second = build(load_settings(env, env_file=None), polling=False)
    metrics = [_metrics_of(app.events) for app in (first, second)]
    assert metrics[0].registry is not metrics[1].registry
    assert metrics[0].registry is not REGISTRY
    metrics[0].delivery_sent(CHANNEL)
    assert b'nashir_posts_sent_total{destination="telegram:@yemen_news"} 1.0' in metrics[0].render()
    assert b"nashir_posts_sent_total{" not in metrics[1].render()
    assert REGISTRY.get_sample_value("nashir_posts_sent_total", {"destination": CHANNEL}) is None
    for app in (first, second):
        await app.db.close()
        await app.fetcher.aclose()


async def test_without_a_metrics_port_no_metrics_server_runs(env: dict[str, str]) -> None:
    del env["NASHIR_METRICS_PORT"]
    app = build(load_settings(env, env_file=None), polling=False)
    assert app.metrics_web is None
    assert not isinstance(_inner(app.events), PrometheusEvents)
    await app.db.close()
    await app.fetcher.aclose()


async def test_a_scrape_with_the_database_down_still_answers_with_database_up_0() -> None:
    metrics = PrometheusEvents(CollectorRegistry())
    broken = Database(CLOSED_PORT_URL)
    await metrics.refresh(broken, ManualClock(), None)
    await broken.close()
    assert b"nashir_database_up 0.0" in metrics.render()


def _inner(events: object) -> object:
    """The events object under the admin-alert wrapper."""
    return getattr(events, "inner", events)


def _metrics_of(events: object) -> PrometheusEvents:
    found = _inner(events)
    assert isinstance(found, PrometheusEvents)
    return found


def test_x_budget_gauges_appear_with_their_first_value() -> None:
    metrics = PrometheusEvents(CollectorRegistry())
    assert b"nashir_x_budget" not in metrics.render()  # no X, or not known yet: no false 0
    metrics.x_budget(7, None)
    rendered = metrics.render()
    assert b"nashir_x_budget_posts_left 7.0" in rendered
    assert b"nashir_x_budget_money_left" not in rendered  # no monthly budget set
    metrics.x_budget(6, 12.5)
    assert b"nashir_x_budget_money_left 12.5" in metrics.render()
