"""Bad input from sources: a clear log line naming the source, backoff, nothing else stops.

Each bad source sits beside a good feed in one running app; every poll goes
over real HTTP to a local server that misbehaves in one way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.adapters.settings import load_settings
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.sources import SourceRepository
from bot.app import App, build
from sandbox import ServerThread
from sandbox.demo_site import DemoSite

SEED = (Path(__file__).resolve().parents[1] / "fixtures" / "seed_page.html").read_text("utf-8")
HUGE = 50 * 1024 * 1024


def _seed_variant(title: str | None = None, *, counter: bool = True, tags: bool = True) -> str:
    page = SEED
    if title is not None:
        page = page.replace("تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث", title)
    if not counter:
        page = page.replace("649 قراءة", "")
    if not tags:
        page = page.replace("الوسوم", "")
    return page


async def _huge(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    sent = 0
    try:
        while sent < HUGE:
            await response.write(chunk)
            sent += len(chunk)
    except (ConnectionResetError, RuntimeError):
        return response
    return response


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(5)
    return web.Response(text="<html></html>", content_type="text/html")


def _bad_site() -> web.Application:
    cp1256 = SEED.replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
    routes = {
        "/404": web.Response(status=404, text="not here"),
        "/500": web.Response(status=500, text="boom"),
        "/binary": web.Response(
            body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, content_type="image/png"
        ),
        "/invalid.xml": web.Response(
            text='<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</titl',
            content_type="application/rss+xml",
        ),
        "/cp1256": web.Response(
            body=cp1256.encode("cp1256", errors="replace"), headers={"Content-Type": "text/html"}
        ),
        "/nocounter": web.Response(
            text=_seed_variant("خبر بلا عداد ولا وسوم", counter=False, tags=False),
            content_type="text/html",
        ),
        "/script": web.Response(
            text=_seed_variant("عنوان &lt;script&gt;alert(1)&lt;/script&gt; خطير"),
            content_type="text/html",
        ),
    }
    app = web.Application()
    for path, response in routes.items():
        app.router.add_get(path, lambda _request, response=response: response)
    app.router.add_get("/huge", _huge)
    app.router.add_get("/slow", _slow)
    return app


@pytest.fixture
def bad_server() -> Iterator[ServerThread]:
    with ServerThread(_bad_site()) as server:
        yield server


@pytest.fixture
def good_site() -> Iterator[tuple[DemoSite, ServerThread]]:
    site = DemoSite()
    site.publish_next()
    with ServerThread(site.app()) as server:
        yield site, server


BAD = {
    "/404": "HTTP 404",
    "/500": "HTTP 500",
    "/slow": "timed out",
    "/binary": "",
    "/huge": "larger than",
    "/invalid.xml": "",
}
GOOD_PAGES = ("/cp1256", "/nocounter", "/script")


@pytest.fixture
async def app(
    database_url: str, bad_server: ServerThread, good_site: tuple[DemoSite, ServerThread]
) -> AsyncIterator[App]:
    _, site_server = good_site
    sources = [f"{bad_server.url}{path}" for path in (*BAD, *GOOD_PAGES)]
    sources += ["http://127.0.0.1:1/unreachable", f"{site_server.url}/rss.xml"]
    settings = load_settings(
        {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_SOURCES": ",".join(sources),
            "NASHIR_ALLOW_PRIVATE_URLS": "true",
            "NASHIR_FETCH_TIMEOUT": "0.5",
            "NASHIR_POLL_INTERVAL": "60",
        },
        env_file=None,
    )
    application = build(settings, polling=False)
    await application.start()
    yield application
    await application.stop()


async def test_each_bad_source_is_logged_backs_off_and_stops_nothing_else(
    app: App, bad_server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    started = app.clock.now()
    for source in await app.sources():
        await app.jobs.poll_source(source.id)

    async with app.db.session() as session:
        sources = {s.url: s for s in await SourceRepository(session).all()}
        stored = await ArticleRepository(session).count()

    failing = [f"{bad_server.url}{path}" for path in BAD] + ["http://127.0.0.1:1/unreachable"]
    for url in failing:
        source = sources[url]
        assert source.failures == 1, url
        assert source.last_error, url
        assert source.next_poll_at is not None
        assert source.next_poll_at - started > timedelta(seconds=60), url
        lines = [r.getMessage() for r in caplog.records if url in r.getMessage()]
        assert lines, f"no log line names {url}"
        assert any("failed" in line for line in lines), lines
    for path, reason in BAD.items():
        assert reason in (sources[f"{bad_server.url}{path}"].last_error or ""), path

    for path in GOOD_PAGES:
        assert sources[f"{bad_server.url}{path}"].failures == 0, path
    # the good feed's article and the three readable pages; nothing from the bad ones
    assert stored == 1 + len(GOOD_PAGES)


async def test_a_hostile_title_is_stored_as_text_and_escaped_in_posts(
    app: App, bad_server: ServerThread
) -> None:
    source_url = f"{bad_server.url}/script"
    for source in await app.sources():
        if source.url == source_url:
            await app.jobs.poll_source(source.id)
    async with app.db.session() as session:
        articles = await ArticleRepository(session).latest(10)
    article = next(a for a in articles if "alert(1)" in a.title)
    assert article.title == "عنوان <script>alert(1)</script> خطير"
    destination = (await app.ensure_destinations()) or None
    del destination
    from bot.core.formatting import format_telegram

    post = format_telegram(article, app.renderer.options)
    assert "<script>" not in post.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in post.text


async def test_windows_1256_page_reads_like_utf8(app: App, bad_server: ServerThread) -> None:
    for source in await app.sources():
        if source.url.endswith("/cp1256"):
            await app.jobs.poll_source(source.id)
    async with app.db.session() as session:
        articles = await ArticleRepository(session).latest(10)
    article = next(a for a in articles if a.url.endswith("/cp1256"))
    assert article.title == "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"
    assert article.reads == 649
    assert "بشار الأسد" in article.tags
