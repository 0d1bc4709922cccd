"""`/broadcast` to 100,000 subscribers: paged INSERT … SELECT, one transaction, bounded memory.

The subscribers are seeded by this test; a separate Nashir process (built from
settings as `nashir run` builds it) then queues the admin's broadcast through
the admin service and reports its own peak RSS, so the figure is the
broadcast's and not the seeding's.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from bot.adapters.storage.database import Database
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.tables import DestinationRow, SubscriberRow
from bot.core.model import DestinationKind, DestinationState, Platform

SUBSCRIBERS = 100_000
PEAK_RSS_LIMIT_MB = 150
BROADCAST_GROWTH_LIMIT_MB = 20  # one page of ids at a time, whatever the number of subscribers
SEED_PAGE = 10_000

# VmHWM is this process's own peak; ru_maxrss would also count the test runner it forked from.
BROADCAST = """
import asyncio, json
from bot.app import build
from bot.adapters.settings import load_settings

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

async def main():
    app = build(load_settings(env_file=None), polling=False)  # the test migrated the database
    before = peak_kb()
    queued = await app.admin.broadcast("إعلان للمشتركين جميعاً", "memory-test")
    again = await app.admin.broadcast("إعلان للمشتركين جميعاً", "memory-test")
    peak = peak_kb()
    await app.stop()
    print(json.dumps({"queued": queued, "again": again, "before_kb": before, "peak_kb": peak}))

asyncio.run(main())
"""


async def _seed(db: Database, count: int) -> None:
    """`count` active subscribers with their private-chat destinations, in bulk."""
    now = datetime.now(UTC)
    for start in range(0, count, SEED_PAGE):
        chats = range(900_000_000 + start, 900_000_000 + min(start + SEED_PAGE, count))
        async with db.session() as session:
            await session.execute(
                insert(SubscriberRow),
                [
                    {
                        "user_id": chat,
                        "chat_id": chat,
                        "language": "ar",
                        "state": "active",
                        "digest": "off",
                        "digest_hour": 21,
                        "created_at": now,
                    }
                    for chat in chats
                ],
            )
            await session.execute(
                insert(DestinationRow),
                [
                    {
                        "platform": Platform.TELEGRAM.value,
                        "kind": DestinationKind.PRIVATE.value,
                        "address": str(chat),
                        "thread_id": 0,
                        "state": DestinationState.ACTIVE.value,
                        "created_at": now,
                    }
                    for chat in chats
                ],
            )
            await session.commit()


@pytest.mark.slow
async def test_broadcast_to_100000_subscribers_stays_under_150_mb(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    await _seed(db, SUBSCRIBERS)
    env = {
        **os.environ,
        "NASHIR_DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": "123456789:TEST-token_for_the_fake",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",  # nothing is sent: the broadcast is only queued
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", BROADCAST],
        env=env,
        capture_output=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    async with db.session() as session:
        states = await OutboxRepository(session).counts()
    await db.close()

    peak_mb = report["peak_kb"] / 1024
    print(
        f"/broadcast to {SUBSCRIBERS}: {report['queued']} queued, peak RSS {peak_mb:.0f} MB "
        f"({report['before_kb'] / 1024:.0f} MB before the broadcast)"
    )
    assert report["queued"] == SUBSCRIBERS
    assert report["again"] == 0  # the same token twice queues nothing new
    assert states == {"pending": SUBSCRIBERS}
    assert peak_mb < PEAK_RSS_LIMIT_MB
    assert (report["peak_kb"] - report["before_kb"]) / 1024 < BROADCAST_GROWTH_LIMIT_MB
