"""The async engine, sessions and migrations: everything that opens a connection.

SQLite runs in WAL mode with a busy timeout so the poller, the delivery worker
and the handlers can share one file; PostgreSQL is the production store and
serialises migrations of several instances with an advisory lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x6E617368  # "nash": one PostgreSQL advisory lock id for upgrades


class Database:
    """Owns the engine and hands out sessions; one per process, built by the app."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine: AsyncEngine = _create_engine(url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        """PostgreSQL gets row locks with SKIP LOCKED and advisory locks."""
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work; the caller commits, an exception rolls back."""
        async with self.sessions() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to run from several instances)."""
        async with self.engine.begin() as conn:
            if self.is_postgres:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK}
                )
            await conn.run_sync(_upgrade_sync)

    async def ping(self) -> None:
        """Raise when the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Release every pooled connection."""
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config that needs no alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade_sync(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def _create_engine(url: str, *, echo: bool) -> AsyncEngine:
    options: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 30}
    else:
        options.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and one writer work at once; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
