"""Crash safety: SIGKILL a real delivering process mid-broadcast, restart it, count.

The child is a real Nashir process (`build()` from settings, PTB over HTTP to
the fake Bot API served by this test). It is killed with SIGKILL while it is
sending, the rows it held in flight are counted from the database, then a
second process finishes the work. Every subscriber must have the message (no
loss) and the messages sent twice must be no more than the rows that were in
flight when the first process died (the documented window).
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

from bot.clock import SystemClock
from bot.fanout import broadcast
from bot.sandbox import FakeTelegram, ServerThread
from bot.storage.database import Database
from bot.storage.outbox import OutboxRepository
from bot.storage.subscribers import SubscriberRepository

CHILD = """
import asyncio
from bot.app import build
from bot.settings import load_settings

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
