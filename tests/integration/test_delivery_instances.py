"""Two `nashir run` processes on one PostgreSQL: one bot, one limit, one reader of updates.

The instances, the fake Bot API and the demo site are real processes (the
benchmark's own machinery, `bench.production`): the fake enforces Telegram's
limits and answers a second concurrent getUpdates with 409, so any 429 or 409
it counts is a defect of the instances' coordination.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import signal
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from bot.adapters.storage.database import Database
from scheduler.leader import current_leader


def _bench_module() -> ModuleType:
    """`bench/production.py`, which is not an installed package."""
    path = Path(__file__).resolve().parents[2] / "bench" / "production.py"
    spec = importlib.util.spec_from_file_location("bench_production", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


production = _bench_module()

USERS = 60


def leader_pid(database_url: str) -> int:
    async def read() -> int:
        db = Database(database_url)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                leader = await current_leader(db)
                if leader:
                    return int(leader["instance"].rsplit(":", 1)[1])
                await asyncio.sleep(0.2)
            raise AssertionError("no leader within 30 s")
        finally:
            await db.close()

    return asyncio.run(read())


@pytest.mark.slow
def test_two_instances_send_within_the_bots_limits_and_one_reads_updates(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share a PostgreSQL database")
    with production._fake() as url:
        control = production._Control(url)
        setup = {"users": USERS, "first": production.FIRST_USER, "scale": 1}
        site = control.call("setup", setup)["site"]
        env = production._environment(database_url, url, site, 1)
        with production._instances(env, 2) as processes:
            asyncio.run(production._seed(database_url, USERS, follow=False))
            pressed = control.call("broadcast", {"admin": production.ADMIN, "text": "أولى"})
            assert pressed["pressed"]
            first = production._wait_for_delivery(control, USERS)
            assert (first["lost"], first["duplicated"]) == (0, 0), json.dumps(first)
            assert (first["count_429"], first["count_409"]) == (0, 0), json.dumps(first)

            # The leader dies; the standby must take over sending and reading updates.
            leader = leader_pid(database_url)
            killed = next(p for p in processes if p.pid == leader)
            killed.send_signal(signal.SIGKILL)
            killed.wait(timeout=10)
            control.call("setup", {**setup, "new_site": False})  # fresh counters, same chats
            started = time.monotonic()
            pressed = control.call("broadcast", {"admin": production.ADMIN, "text": "ثانية"})
            assert pressed["pressed"], "the standby never answered /broadcast"
            answered = time.monotonic() - started
            second = production._wait_for_delivery(control, USERS)
            assert (second["lost"], second["duplicated"]) == (0, 0), json.dumps(second)
            assert (second["count_429"], second["count_409"]) == (0, 0), json.dumps(second)
            assert answered < 15, f"the standby read the update after {answered:.1f}s"
