"""Crash safety: kill a real Nashir process mid-work, restart it, count.

The children are real Nashir processes (`build()` from settings, PTB over
HTTP to the fake Bot API served by this test). One is killed with SIGKILL
while it is sending a broadcast. Others die at each named commit boundary of
ingest and delivery (`bot.crash_points`, armed by `NASHIR_TEST_CRASH_AT`,
exiting as a kill -9 would). After each, the rows left in flight are counted
from the database and a fresh process finishes the work. Every recipient must
have its message (no loss), and the messages sent twice must be no more than
the rows that were in flight when the process died (the documented window).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from delivery_kit import TOKEN
from sqlalchemy import select

from bot.adapters.storage.database import Database
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.rows import insert_ignoring_conflicts
from bot.adapters.storage.subscribers import SubscriberRepository
from bot.adapters.storage.tables import TagRow
from bot.core.clock import SystemClock
from bot.core.crash_points import CRASH_ENV, CRASH_EXIT
from bot.core.tag_match import stored_key
from bot.services.fanout import broadcast
from sandbox import FakeTelegram, ServerThread
from sandbox.demo_site import DemoSite

CHILD = """
import asyncio
from bot.app import build
from bot.adapters.settings import load_settings

async def main():
    app = build(load_settings(env_file=None), polling=False)
    await app.start()
    while True:
        await app.worker.recover()
        await app.worker.drain()
        await asyncio.sleep(0.05)

asyncio.run(main())
"""

USERS = list(range(800000, 800600))


def _spawn(database_url: str, telegram_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NASHIR_DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "NASHIR_TELEGRAM_RATE": "200",
        "NASHIR_DELIVERY_BATCH": "50",
        "NASHIR_DELIVERY_CONCURRENCY": "16",
        "NASHIR_CLAIM_LEASE": "2",
        "PTB_TIMEDELTA": "true",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env=env,
            stdout=out,
            stderr=out,
        )


async def _counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return await OutboxRepository(session).counts()


async def _wait(predicate: object, within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_sigkill_mid_broadcast_loses_nothing_and_resends_at_most_the_in_flight(
    database_url: str,
    fake_telegram: FakeTelegram,
    telegram_server: ServerThread,
    tmp_path: Path,
) -> None:
    for user in USERS:
        fake_telegram.add_user(user)
    db = Database(database_url)
    await db.upgrade()
    clock = SystemClock()
    async with db.session() as session:
        subscribers = SubscriberRepository(session)
        for user in USERS:
            await subscribers.add_or_reactivate(user, user, "ar", clock.now())
        await session.commit()
    assert await broadcast(db, clock, "رسالة إلى كل المشتركين") == len(USERS)
    log = tmp_path / "child.log"

    first = _spawn(database_url, telegram_server.url, log)
    try:

        async def some_sent() -> bool:
            assert first.poll() is None, log.read_text()
            return fake_telegram.delivered() >= 150

        await _wait(some_sent, 60, "the first process to send")
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(10)
    delivered_at_kill = fake_telegram.delivered()
    at_kill = await _counts(db)
    in_flight = at_kill.get("sending", 0)
    assert delivered_at_kill < len(USERS), "killed too late to prove anything"

    second = _spawn(database_url, telegram_server.url, log)
    try:

        async def all_sent() -> bool:
            assert second.poll() is None, log.read_text()
            return (await _counts(db)).get("sent", 0) == len(USERS)

        await _wait(all_sent, 60, "the restarted process to finish")
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(10)
    await db.close()

    delivered = fake_telegram.delivered_counts()
    lost = [user for user in USERS if delivered.get(user, 0) == 0]
    resent = sum(count - 1 for count in delivered.values() if count > 1)
    print(
        f"kill test: {delivered_at_kill} delivered before SIGKILL, {in_flight} in flight, "
        f"{len(lost)} lost, {resent} sent twice"
    )
    assert lost == []
    assert resent <= in_flight
    assert fake_telegram.early_retries == 0


# -- a crash at each commit boundary of ingest and delivery --------------------------

POLL_AND_DELIVER = """
import asyncio
from bot.app import build
from bot.adapters.settings import load_settings
from bot.adapters.storage.outbox import OutboxRepository

async def main():
    app = build(load_settings(env_file=None), polling=False)
    await app.start()
    try:
        for source in await app.sources():
            await app.ingestor.poll(source)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 40
        while loop.time() < deadline:
            await app.worker.recover()
            report = await app.worker.drain()
            async with app.db.session() as session:
                states = await OutboxRepository(session).counts()
            if report.claimed == 0 and not states.get("sending"):
                break  # nothing due (posts held for approval stay pending), nothing in flight
            await asyncio.sleep(0.1)
    finally:
        await app.stop()

asyncio.run(main())
"""

CRASH_POINTS = [
    "ingest:stored",  # the article and its posts written, not committed
    "ingest:committed",  # committed together, the poll not yet recorded
    "delivery:claimed",  # a batch claimed, nothing sent
    "delivery:sent",  # one post accepted by Telegram, not yet recorded
    "delivery:recorded",  # the first sends recorded, the rest of the batch in flight
]
FOLLOWERS = list(range(810000, 810030))


def _run_child(
    database_url: str,
    telegram_url: str,
    site_url: str,
    log: Path,
    crash_at: str | None = None,
    **extra: str,
) -> int:
    env = {
        **os.environ,
        "NASHIR_DATABASE_URL": database_url,
        "NASHIR_SOURCES": f"{site_url}/rss.xml",
        "NASHIR_ALLOW_PRIVATE_URLS": "true",
        "NASHIR_MIN_GAP": "0",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "TELEGRAM_CHANNELS": "@kill_news",
        "NASHIR_TELEGRAM_RATE": "200",
        "NASHIR_DELIVERY_BATCH": "8",
        "NASHIR_DELIVERY_CONCURRENCY": "4",
        "NASHIR_CLAIM_LEASE": "1",
        "PTB_TIMEDELTA": "true",
        **extra,
    }
    env.pop(CRASH_ENV, None)
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    with log.open("ab") as out:
        out.write(f"--- child, crash at {crash_at}\n".encode())
        out.flush()
        done = subprocess.run(
            [sys.executable, "-c", POLL_AND_DELIVER],
            env=env,
            stdout=out,
            stderr=out,
            timeout=90,
            check=False,
        )
    return done.returncode


async def _follow(db: Database, users: list[int], tag: str) -> None:
    """`users` subscribe and follow `tag` (the tag row made as ingest will find it)."""
    now = SystemClock().now()
    key = stored_key(tag)
    async with db.session() as session:
        await session.execute(insert_ignoring_conflicts(session, TagRow, {"name": tag, "key": key}))
        tag_id = await session.scalar(select(TagRow.id).where(TagRow.key == key))
        subscribers = SubscriberRepository(session)
        for user in users:
            await subscribers.add_or_reactivate(user, user, "ar", now)
            subscriber = await subscribers.get(user)
            assert subscriber is not None
            assert tag_id is not None
            await subscribers.follow(subscriber.id, tag_id)
        await session.commit()


def _shown(message: dict[str, object]) -> str:
    """What a reader sees of a message: its text or its photo's caption."""
    return str(message.get("text") or message.get("caption") or "")


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
async def test_a_crash_at_any_commit_boundary_loses_no_post(
    point: str,
    database_url: str,
    fake_telegram: FakeTelegram,
    telegram_server: ServerThread,
    tmp_path: Path,
) -> None:
    site = DemoSite(channel="kill_news")
    channel = fake_telegram.add_channel("@kill_news")
    for user in FOLLOWERS:
        fake_telegram.add_user(user)
    log = tmp_path / "children.log"
    with ServerThread(site.app()) as site_server:

        def child(crash_at: str | None = None) -> int:
            return _run_child(database_url, telegram_server.url, site_server.url, log, crash_at)

        old = site.publish_next()
        assert await asyncio.to_thread(child) == 0, (
            log.read_text()
        )  # first poll: stored, not posted
        new = site.publish_next()
        assert old is not None
        assert new is not None
        assert new.tags
        db = Database(database_url)
        await _follow(db, FOLLOWERS, new.tags[0])

        died = await asyncio.to_thread(child, point)
        assert died == CRASH_EXIT, f"never reached {point}:\n{log.read_text()}"
        in_flight = (await _counts(db)).get("sending", 0)
        delivered_at_crash = fake_telegram.delivered()

        assert await asyncio.to_thread(child) == 0, log.read_text()
        final = await _counts(db)
        await db.close()

    channel_posts = [m for m in fake_telegram.messages(channel) if new.title[:30] in _shown(m)]
    counts = fake_telegram.delivered_counts()
    lost = [user for user in FOLLOWERS if counts.get(user, 0) == 0]
    resent = sum(count - 1 for count in counts.values() if count > 1)
    print(
        f"crash at {point}: {delivered_at_crash} delivered before, {in_flight} in flight, "
        f"{len(lost)} lost, {resent} sent twice, outbox {final}"
    )
    assert channel_posts, "the new article never reached the channel"
    assert lost == []
    assert resent <= in_flight
    if point.startswith("ingest:"):
        assert resent == 0
        assert len(channel_posts) == 1
    assert not any(old.title[:30] in _shown(m) for m in fake_telegram.messages(channel))
    assert set(final) == {"sent"}


@pytest.mark.slow
async def test_an_approval_request_cut_off_by_a_crash_is_sent_at_the_next_start(
    database_url: str,
    fake_telegram: FakeTelegram,
    telegram_server: ServerThread,
    tmp_path: Path,
) -> None:
    admin = 900777
    site = DemoSite(channel="kill_news")
    channel = fake_telegram.add_channel("@kill_news")
    fake_telegram.add_user(admin)
    approval = {
        "NASHIR_ADMIN_IDS": str(admin),
        "NASHIR_APPROVAL_DESTINATIONS": "@kill_news",
        "NASHIR_APPROVAL_BREAKING_BYPASS": "false",  # the demo's stories may be breaking news
    }
    log = tmp_path / "children.log"
    with ServerThread(site.app()) as site_server:

        def child(crash_at: str | None = None) -> int:
            return _run_child(
                database_url, telegram_server.url, site_server.url, log, crash_at, **approval
            )

        site.publish_next()
        assert await asyncio.to_thread(child) == 0, log.read_text()
        new = site.publish_next()
        assert new is not None

        def requests() -> list[str]:
            return [_shown(m) for m in fake_telegram.messages(admin) if new.title[:30] in _shown(m)]

        assert await asyncio.to_thread(child, "ingest:committed") == CRASH_EXIT, log.read_text()
        assert requests() == []  # the held post is stored, the admins were never asked
        assert await asyncio.to_thread(child) == 0, log.read_text()
        assert await asyncio.to_thread(child) == 0, log.read_text()

    assert len(requests()) == 1  # asked by the first start after the crash, and only once
    assert not any(new.title[:30] in _shown(m) for m in fake_telegram.messages(channel))
