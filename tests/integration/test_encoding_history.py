"""A feed that turns unreadable never rewrites what was posted.

Three Arabic stories are posted to a channel on the fake Bot API; then one
stray ``\\xff`` byte appears in the feed. feedparser alone would read the whole
document as windows-1252 and every live post would be edited into mojibake.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.settings import load_settings
from bot.adapters.storage.articles import ArticleRepository
from bot.app import App, build
from sandbox import FakeTelegram, ServerThread

TOKEN = "123456789:TEST-token_for_the_fake"
ADMIN = 900001
TITLES = (
    "افتتاح مستشفى جديد في صنعاء",
    "ارتفاع أسعار الوقود في عدن",
    "أمطار غزيرة تضرب تعز",
)


def _feed(titles: tuple[str, ...], *, stray: bool = False) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example.com/{n}</link>"
        f"<guid>story-{n}</guid><description>تفاصيل الخبر {n}</description></item>"
        for n, title in enumerate(titles, 1)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>أخبار</title><link>https://news.example.com/</link>{items}</channel></rss>"
    ).encode()
    if stray:  # one byte that is not UTF-8, in the second story's description
        body = body.replace("تفاصيل الخبر 2".encode(), "تفاصيل الخبر".encode() + b"\xff 2")
    return body


@pytest.fixture
def feed() -> dict[str, bytes]:
    return {"body": _feed(TITLES)}


@pytest.fixture
def feed_server(feed: dict[str, bytes]) -> Iterator[ServerThread]:
    async def serve(_request: web.Request) -> web.Response:
        return web.Response(body=feed["body"], content_type="application/rss+xml")

    application = web.Application()
    application.router.add_get("/rss.xml", serve)
    with ServerThread(application) as server:
        yield server


@pytest.fixture
async def app(
    database_url: str,
    feed_server: ServerThread,
    telegram_server: ServerThread,
    fake_telegram: FakeTelegram,
) -> AsyncIterator[App]:
    fake_telegram.add_user(ADMIN, "Admin")
    fake_telegram.add_channel("@news_channel", title="أخبار")
    settings = load_settings(
        {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_SOURCES": f"{feed_server.url}/rss.xml",
            "NASHIR_ALLOW_PRIVATE_URLS": "true",
            "NASHIR_COMPLETE_FROM_PAGE": "false",
            "NASHIR_MIN_GAP": "0",
            "NASHIR_ADMIN_IDS": str(ADMIN),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram_server.url,
            "TELEGRAM_CHANNELS": "@news_channel",
        },
        env_file=None,
    )
    application = build(settings, backfill=len(TITLES), polling=False)
    await application.start()
    yield application
    await application.stop()


async def _poll(app: App) -> None:
    for source in await app.sources():
        await app.jobs.poll_source(source.id)


async def _deliver(app: App) -> None:
    for _ in range(20):
        if await app.jobs.deliver() == 0:
            return


def _post_texts(fake: FakeTelegram) -> list[str]:
    return [str(m.get("text") or m.get("caption") or "") for m in fake.messages("@news_channel")]


def _admin_texts(fake: FakeTelegram) -> list[str]:
    return [str(m.get("text", "")) for m in fake.messages(ADMIN)]


async def _settle(fake: FakeTelegram, count: int) -> None:
    for _ in range(100):  # alerts are sent from a task of their own
        if len(_admin_texts(fake)) >= count:
            return
        await asyncio.sleep(0.02)


async def test_a_stray_byte_in_the_feed_edits_no_post(
    app: App,
    feed: dict[str, bytes],
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _poll(app)
    await _deliver(app)
    posted = _post_texts(fake_telegram)
    assert len(posted) == len(TITLES)
    assert all(any(title in text for text in posted) for title in TITLES)

    caplog.set_level(logging.INFO, logger="bot")
    caplog.clear()
    feed["body"] = _feed(TITLES, stray=True)
    await _poll(app)
    await _deliver(app)
    await _settle(fake_telegram, 1)

    assert _post_texts(fake_telegram) == posted
    assert fake_telegram.calls_to("editMessageText") == []
    assert fake_telegram.calls_to("editMessageCaption") == []
    async with app.db.session() as session:
        titles = {a.title for a in await ArticleRepository(session).latest(10)}
    assert titles == set(TITLES)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    held = [line for line in warnings if "held" in line]
    assert len(held) == 1, warnings
    assert "the feed is not valid utf-8" in held[0]
    alerts: list[Any] = [t for t in _admin_texts(fake_telegram) if "held" in t]
    assert len(alerts) == 1
    assert "posts unchanged" in alerts[0]


async def test_a_real_correction_of_one_headline_is_still_edited_in(
    app: App, feed: dict[str, bytes], fake_telegram: FakeTelegram
) -> None:
    await _poll(app)
    await _deliver(app)
    corrected = ("افتتاح مستشفى جديد في صنعاء القديمة", *TITLES[1:])
    feed["body"] = _feed(corrected)
    await _poll(app)

    texts = _post_texts(fake_telegram)
    assert any("صنعاء القديمة" in text for text in texts)
    assert len(fake_telegram.calls_to("editMessageText")) == 1


async def test_every_headline_changing_at_once_is_held(
    app: App, feed: dict[str, bytes], fake_telegram: FakeTelegram
) -> None:
    await _poll(app)
    await _deliver(app)
    posted = _post_texts(fake_telegram)
    feed["body"] = _feed(tuple(f"{title} (محدث)" for title in TITLES))
    await _poll(app)
    await _settle(fake_telegram, 1)

    assert _post_texts(fake_telegram) == posted
    assert any("too many headlines changed at once" in t for t in _admin_texts(fake_telegram))


async def test_a_held_mass_edit_is_applied_by_an_admin_and_its_posts_edited(
    app: App, feed: dict[str, bytes], fake_telegram: FakeTelegram
) -> None:
    await _poll(app)
    await _deliver(app)
    renamed = tuple(f"{title} (محدث)" for title in TITLES)
    feed["body"] = _feed(renamed)
    await _poll(app)
    [batch] = await app.admin.held_revisions()
    assert batch.reason == "too many headlines changed at once"
    assert {change.title for change in batch.changes} == set(renamed)

    applied = await app.admin.apply_held(batch.source_id)

    assert applied == len(TITLES)
    assert len(fake_telegram.calls_to("editMessageText")) == len(TITLES)
    assert all(any(title in text for text in _post_texts(fake_telegram)) for title in renamed)
    async with app.db.session() as session:
        titles = {a.title for a in await ArticleRepository(session).latest(10)}
    assert titles == set(renamed)
    assert await app.admin.held_revisions() == []


async def test_a_held_misreading_is_dropped_and_nothing_changes(
    app: App, feed: dict[str, bytes], fake_telegram: FakeTelegram
) -> None:
    await _poll(app)
    await _deliver(app)
    posted = _post_texts(fake_telegram)
    feed["body"] = _feed(TITLES, stray=True)
    await _poll(app)
    held = await app.admin.held_revisions()
    assert held
    assert all("utf-8" in batch.reason for batch in held)

    dropped = sum([await app.admin.drop_held(batch.source_id) for batch in held])

    assert dropped == sum(len(batch.changes) for batch in held)
    assert await app.admin.held_revisions() == []
    assert _post_texts(fake_telegram) == posted
    assert fake_telegram.calls_to("editMessageText") == []
