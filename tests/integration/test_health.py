"""`/healthz` over HTTP: 200 while the bot does its job, 503 with the reason otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from ops_kit import CLOSED_PORT_URL, get, primed, running, settings_for

from bot.adapters.settings import load_settings
from bot.adapters.storage.database import Database
from bot.adapters.storage.sources import SourceRepository
from bot.adapters.web import WebServer
from bot.app import build
from bot.core.clock import ManualClock
from bot.entrypoints.health import HealthCheck
from sandbox import ServerThread
from sandbox.demo_site import DemoSite


@pytest.fixture
def site() -> DemoSite:
    return DemoSite(channel="yemen_news", x_handle="YemenNewsX")


@pytest.fixture
def site_server(site: DemoSite) -> Iterator[ServerThread]:
    with ServerThread(site.app()) as server:
        yield server


@pytest.fixture
def env(
    database_url: str,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
) -> dict[str, str]:
    return settings_for(database_url, site_server, telegram_server, x_server)


async def test_healthz_is_ok_while_the_bot_runs(env: dict[str, str], site: DemoSite) -> None:
    site.publish_next()
    async with running(env) as app:
        await primed(app)
        response = await get(app, "/healthz")
    assert response.status_code == 200
    assert response.text.splitlines() == [
        "ok",
        "database: ok",
        "scheduler: ok",
        "poll: ok",
        "sources: ok",
    ]


async def test_healthz_is_503_when_the_scheduler_is_not_running(env: dict[str, str]) -> None:
    app = build(load_settings(env, env_file=None), polling=False)
    await app.start()  # started, but no scheduler: `nashir run` never got that far
    try:
        response = await get(app, "/healthz")
    finally:
        await app.stop()
    assert response.status_code == 503
    assert response.text.startswith("unhealthy\n")
    assert "scheduler: not running" in response.text


async def test_healthz_is_503_when_no_poll_succeeded_within_the_window(
    env: dict[str, str], site: DemoSite
) -> None:
    env.update(NASHIR_POLL_INTERVAL="600", NASHIR_HEALTH_POLL_AGE="900")
    clock = ManualClock()
    site.publish_next()
    async with running(env, clock=clock) as app:
        await primed(app)
        assert (await get(app, "/healthz")).status_code == 200
        clock.advance(901)
        response = await get(app, "/healthz")
    assert response.status_code == 503
    assert "poll: last successful poll 15m ago (limit 15m)" in response.text
    assert "database: ok" in response.text


@pytest.fixture
async def health_server(db: Database) -> AsyncIterator[tuple[ManualClock, WebServer]]:
    clock = ManualClock()
    check = HealthCheck(db, clock, scheduler_running=lambda: True, max_poll_age=600)
    server = WebServer("127.0.0.1", 0)
    server.add(check.routes)
    await server.start()
    yield clock, server
    await server.stop()


async def test_a_new_bot_gets_the_window_for_its_first_poll_then_fails(
    db: Database, health_server: tuple[ManualClock, WebServer]
) -> None:
    clock, server = health_server
    async with db.session() as session:
        await SourceRepository(session).ensure("https://example.net/rss.xml", clock.now())
        await session.commit()
    async with httpx.AsyncClient(base_url=server.url) as client:
        assert (await client.get("/healthz")).status_code == 200
        clock.advance(601)
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert "poll: no successful poll since start (10m ago)" in response.text


async def test_a_bot_without_sources_is_healthy(
    health_server: tuple[ManualClock, WebServer],
) -> None:
    clock, server = health_server
    clock.advance(86_400)
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200


async def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    broken = Database(CLOSED_PORT_URL)
    check = HealthCheck(broken, ManualClock(), scheduler_running=lambda: True, max_poll_age=600)
    server = WebServer("127.0.0.1", 0)
    server.add(check.routes)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            response = await client.get("/healthz")
    finally:
        await server.stop()
        await broken.close()
    assert response.status_code == 503
    assert "database: unreachable (" in response.text
    assert "poll: unknown (no database)" in response.text
