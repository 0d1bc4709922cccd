"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set NASHIR_TEST_DATABASE_URL to a PostgreSQL server URL (`.ci/run` does) and
every test that takes `database_url` runs on both stores; each PostgreSQL
test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest

from bot.adapters.storage.database import Database

PG_ENV = "NASHIR_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a host other than this machine fails the test."""
    original = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if isinstance(address, tuple) and address:
            host = str(address[0])
            if not (host.startswith("127.") or host in ("::1", "localhost")):
                raise RuntimeError(f"test tried to reach {host}: network is off in tests")
        return original(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


# Every secret the tests hand the bot (the fake Bot API's token, the demo's, the X keys of
# tests/integration/conftest.py, test_pipeline.py and ops_kit.py). None may reach a log.
TEST_SECRETS = (
    "123456789:TEST-token_for_the_fake",
    "700000001:DEMO-token-for-the-local-fake-bot-api",
    "consumer-key",
    "consumer-secret",
    "access-token",
    "access-secret",
    "pipeline-consumer-key",
    "pipeline-consumer-secret",
    "pipeline-access-token",
    "pipeline-access-secret",
    "demo-consumer-key",
    "demo-consumer-secret",
    "demo-access-token",
    "demo-access-secret",
    "ops-consumer-key-3c9e1",
    "ops-consumer-secret-7b2d4f",
    "ops-access-token-5a8c0e",
    "ops-access-secret-1f6b9d",
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fail a test whose captured log (what caplog saw, tracebacks included) shows a secret."""
    report = yield
    leaked = sorted({secret for secret in TEST_SECRETS if secret in report.caplog})
    if leaked and not item.stash.get(_SECRET_REPORTED, False):
        item.stash[_SECRET_REPORTED] = True
        report.outcome = "failed"
        report.longrepr = f"a secret appeared in the captured log: {', '.join(leaked)}"
    return report


_SECRET_REPORTED = pytest.StashKey[bool]()


def _backends() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get(PG_ENV) else ["sqlite"]


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of this test's own."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'nashir.db'}"
        return
    yield from _postgres_database(os.environ[PG_ENV])


def _postgres_database(admin_url: str) -> Iterator[str]:
    import asyncio

    import asyncpg

    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"nashir_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base = plain.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.close()
