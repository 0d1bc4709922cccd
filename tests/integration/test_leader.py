"""Leadership: one instance runs the scheduled jobs; another takes over when it dies."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository
from bot.core.clock import ManualClock
from scheduler.leader import LEADER_FLAG, LeaderLock, current_leader, leader_line

NASHIR = Path(sys.executable).with_name("nashir")


def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks need PostgreSQL (SQLite is always a single leader)")


async def test_on_sqlite_the_single_instance_always_leads(db: Database) -> None:
    if db.is_postgres:
        pytest.skip("SQLite behaviour")
    elected: list[str] = []

    async def on_elected() -> None:
        elected.append("yes")

    lock = LeaderLock(db, instance="only", on_elected=on_elected)
    assert await lock.check(ManualClock().now())
    assert await lock.check(ManualClock().now())
    assert elected == ["yes"]  # catch-up runs once, on election
    assert (await current_leader(db) or {})["instance"] == "only"


async def test_one_lock_holder_at_a_time_and_the_next_takes_over(database_url: str) -> None:
    postgres_only(database_url)
    first_db, second_db = Database(database_url), Database(database_url)
    await first_db.upgrade()
    now = ManualClock().now()
    first = LeaderLock(first_db, instance="first")
    second = LeaderLock(second_db, instance="second")
    try:
        assert await first.check(now)
        assert not await second.check(now)
        assert await first.check(now)  # still held
        assert first._conn is not None
        await first._conn.invalidate()  # the leader's session dies without unlocking
        assert not await first.check(now)
        assert await second.check(now)
        assert (await current_leader(second_db) or {})["instance"] == "second"
    finally:
        await first.release()
        await second.release()
        await first_db.close()
        await second_db.close()


async def test_the_leader_steps_down_when_it_releases_or_loses_the_lock(db: Database) -> None:
    events: list[str] = []

    async def elected() -> None:
        events.append("elected")

    async def deposed() -> None:
        events.append("deposed")

    now = ManualClock().now()
    lock = LeaderLock(db, instance="one", on_elected=elected, on_deposed=deposed)
    assert await lock.check(now)
    await lock.release()  # a clean stop: the poller must stop before the next leader polls
    assert events == ["elected", "deposed"]
    await lock.release()
    assert events == ["elected", "deposed"]  # only a leader steps down
    if not db.is_postgres:
        return
    assert await lock.check(now)
    assert lock._conn is not None
    await lock._conn.invalidate()  # the session dies: the lock is gone with it
    assert not await lock.check(now)
    assert events == ["elected", "deposed", "elected", "deposed"]
    await lock.release()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def start_instance(
    database_url: str, tmp_path: Path, name: str, processes: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NASHIR_DATABASE_URL": database_url,
        "NASHIR_LEADER_CHECK": "0.5",
        "NASHIR_DIGEST_TIMES": "off",
    }
    with (tmp_path / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            [str(NASHIR), "--env-file", os.devnull, "run"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    processes.append(process)
    return process


async def wait_for_leader(db: Database, pid: int, within: float) -> float:
    """Seconds until the `leader` flag names process `pid` (real processes: real time)."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        leader = await current_leader(db)
        if leader and leader["instance"].endswith(f":{pid}"):
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"process {pid} did not become leader within {within}s")


@pytest.mark.slow
async def test_leadership_moves_to_the_other_process_when_the_leader_is_killed(
    database_url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    postgres_only(database_url)
    db = Database(database_url)
    await db.upgrade()
    try:
        first = start_instance(database_url, tmp_path, "first", processes)
        await wait_for_leader(db, first.pid, within=60)
        second = start_instance(database_url, tmp_path, "second", processes)
        log = tmp_path / "second.log"
        started = time.monotonic()
        while b"Nashir is running" not in log.read_bytes():
            assert second.poll() is None, log.read_text()
            assert time.monotonic() - started < 60
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # three lock checks of the second: it must stay standby
        assert (await current_leader(db) or {})["instance"].endswith(f":{first.pid}")

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        takeover = await wait_for_leader(db, second.pid, within=60)
        assert takeover < 60
        assert second.poll() is None
    finally:
        await db.close()


async def test_the_schedule_never_names_a_leader_that_stopped_or_died(db: Database) -> None:
    zone = ZoneInfo("Asia/Aden")
    assert await leader_line(db, zone) == "none yet"
    lock = LeaderLock(db, instance="host-a:101")
    assert await lock.check(datetime(2026, 3, 1, 6, tzinfo=UTC))
    assert await leader_line(db, zone) == "host-a:101 (since 2026-03-01 09:00:00)"  # Aden time

    await lock.release()  # a clean stop

    line = await leader_line(db, zone)
    assert line.startswith("none (the last, host-a:101, stopped at ")
    if db.is_postgres:  # a leader killed outright: its flag stays, its lock does not
        async with db.session() as session:
            value = json.dumps({"instance": "host-b:202", "since": "2026-03-01T06:00:00+00:00"})
            await FlagRepository(session).set(LEADER_FLAG, value, datetime.now(UTC))
            await session.commit()
        assert await leader_line(db, zone) == (
            "none (host-b:202 is gone; a running instance takes over within the leader check)"
        )
