"""The CMS hook: signed announcements are ingested at once and meet polling in one dedup."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from rich.console import Console

from bot.adapters.settings import load_settings
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.app import App, build
from bot.core.clock import ManualClock
from bot.core.links import canonical_url
from bot.entrypoints.hooks import DELIVERY_HEADER, PATH, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from sandbox import ServerThread
from sandbox.demo_site import DemoSite

SECRET = "cms-shared-secret"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def site(clock: ManualClock) -> DemoSite:
    return DemoSite(initially_published=2, clock=clock.now)


@pytest.fixture
def site_server(site: DemoSite) -> Iterator[ServerThread]:
    with ServerThread(site.app()) as server:
        yield server


@pytest.fixture
async def app(
    database_url: str, clock: ManualClock, site_server: ServerThread
) -> AsyncIterator[App]:
    settings = load_settings(
        {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_SOURCES": f"{site_server.url}/rss.xml",
            "NASHIR_ALLOW_PRIVATE_URLS": "true",
            "NASHIR_MIN_GAP": "0",
            "NASHIR_HTTP_PORT": "0",
            "NASHIR_HOOK_SECRET": SECRET,
        },
        env_file=None,
    )
    built = build(settings, clock=clock, console=Console(file=io.StringIO()), polling=False)
    await built.start()
    (source,) = await built.sources()
    await built.jobs.poll_source(source.id)  # the first poll primes the source
    yield built
    await built.stop()


def signed(
    app: App, payload: object, *, secret: str = SECRET, delivery: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """A body and the headers a CMS sends with it, signed now."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    stamp = int(app.clock.now().timestamp())
    delivery = delivery or uuid.uuid4().hex
    return body, {
        SIGNATURE_HEADER: sign(secret, body, timestamp=stamp, delivery=delivery),
        TIMESTAMP_HEADER: str(stamp),
        DELIVERY_HEADER: delivery,
        "Content-Type": "application/json",
    }


async def post(app: App, body: bytes, headers: dict[str, str]) -> httpx.Response:
    assert app.web is not None
    async with httpx.AsyncClient() as client:
        return await client.post(f"{app.web.url}{PATH}", content=body, headers=headers)


async def announce(app: App, payload: object, *, secret: str = SECRET) -> httpx.Response:
    return await post(app, *signed(app, payload, secret=secret))


async def counts(app: App) -> tuple[int, int]:
    async with app.db.session() as session:
        articles = await ArticleRepository(session).count()
        queued = sum((await OutboxRepository(session).counts()).values())
    return articles, queued


async def test_a_signed_announcement_is_stored_and_queued_at_once(
    app: App, site: DemoSite, site_server: ServerThread
) -> None:
    story = site.publish_next()
    assert story is not None
    response = await announce(app, {"url": f"{site_server.url}{story.path}"})
    assert response.status_code == 202
    assert response.json()["status"] == "stored"
    assert await counts(app) == (3, 1)


async def test_an_announced_article_then_polled_is_one_article(
    app: App, site: DemoSite, site_server: ServerThread, clock: ManualClock
) -> None:
    story = site.publish_next()
    assert story is not None
    await announce(app, {"url": f"{site_server.url}{story.path}", "title": story.title})
    clock.advance(120)
    (source,) = await app.sources()
    report = await app.jobs.poll_source(source.id)
    assert report.new == []  # type: ignore[union-attr]
    again = await announce(app, {"url": f"{site_server.url}{story.path}?utm_source=cms"})
    assert again.json()["status"] == "known"
    assert await counts(app) == (3, 1)


async def test_a_wrong_or_missing_signature_is_refused(app: App, site_server: ServerThread) -> None:
    response = await announce(app, {"url": f"{site_server.url}/x"}, secret="guess")
    assert response.status_code == 401
    assert app.web is not None
    async with httpx.AsyncClient() as client:
        unsigned = await client.post(f"{app.web.url}{PATH}", content=b'{"url": "https://a.b/"}')
    assert unsigned.status_code == 401
    assert await counts(app) == (2, 0)


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (["not", "an", "object"], "JSON object"),
        ({"title": "no url"}, "url must be"),
        ({"url": "ftp://example.com/a"}, "url must be"),
        ({"url": "https://example.com/a", "published_at": "yesterday"}, "ISO 8601"),
    ],
)
async def test_a_signed_body_that_is_not_an_article_gets_a_clear_error(
    app: App, payload: object, error: str
) -> None:
    response = await announce(app, payload)
    assert response.status_code == 400
    assert error in response.json()["error"]


async def test_a_replayed_announcement_is_refused_and_the_correction_stays(
    app: App, site: DemoSite, site_server: ServerThread, clock: ManualClock
) -> None:
    story = site.publish_next()
    assert story is not None
    url = f"{site_server.url}{story.path}"
    first = signed(app, {"url": url, "title": "عنوان أول فيه خطأ"})
    assert (await post(app, *first)).status_code == 202
    clock.advance(60)
    corrected = await announce(app, {"url": url, "title": "عنوان مصحح"})
    assert corrected.status_code == 202

    replayed = await post(app, *first)

    assert replayed.status_code == 409
    assert replayed.json()["error"] == "delivery already received"
    async with app.db.session() as session:
        article = await ArticleRepository(session).by_url(canonical_url(url))
    assert article is not None
    assert article.title == "عنوان مصحح"


async def test_a_replay_sent_to_another_instance_on_the_same_database_is_refused(
    app: App, database_url: str, site: DemoSite, site_server: ServerThread, clock: ManualClock
) -> None:
    settings = load_settings(
        {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_ALLOW_PRIVATE_URLS": "true",
            "NASHIR_HTTP_PORT": "0",
            "NASHIR_HOOK_SECRET": SECRET,
        },
        env_file=None,
    )
    other = build(settings, clock=clock, console=Console(file=io.StringIO()), polling=False)
    await other.start()
    try:
        story = site.publish_next()
        assert story is not None
        first = signed(app, {"url": f"{site_server.url}{story.path}"})
        assert (await post(app, *first)).status_code == 202

        replayed = await post(other, *first)
    finally:
        await other.stop()

    assert replayed.status_code == 409
    assert replayed.json()["error"] == "delivery already received"


async def test_an_old_signature_is_refused_even_when_its_id_is_forgotten(
    app: App, site: DemoSite, site_server: ServerThread, clock: ManualClock
) -> None:
    story = site.publish_next()
    assert story is not None
    old = signed(app, {"url": f"{site_server.url}{story.path}"})
    clock.advance(6 * 60)

    response = await post(app, *old)

    assert response.status_code == 401
    assert "more than 5 minutes" in response.json()["error"]
    assert await counts(app) == (2, 0)


async def test_the_signature_covers_the_timestamp_and_the_delivery_id(
    app: App, site: DemoSite, site_server: ServerThread, clock: ManualClock
) -> None:
    story = site.publish_next()
    assert story is not None
    body, headers = signed(app, {"url": f"{site_server.url}{story.path}"})
    clock.advance(60)
    moved = {**headers, TIMESTAMP_HEADER: str(int(clock.now().timestamp()))}
    renamed = {**headers, DELIVERY_HEADER: "another-id"}
    bare = {k: v for k, v in headers.items() if k not in (TIMESTAMP_HEADER, DELIVERY_HEADER)}

    assert (await post(app, body, moved)).status_code == 401
    assert (await post(app, body, renamed)).status_code == 401
    assert (await post(app, body, bare)).status_code == 401
    assert await counts(app) == (2, 0)


async def test_an_announced_link_that_may_not_be_posted_is_refused(app: App) -> None:
    long_link = "https://news.example.com/story?q=" + "x" * 2100
    response = await announce(app, {"url": long_link, "title": "رابط طويل"})
    assert response.status_code == 422
    assert "longer than 2048" in response.json()["error"]
    assert await counts(app) == (2, 0)
