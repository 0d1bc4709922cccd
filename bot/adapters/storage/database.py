"""The async engine, sessions and migrations: everything that opens a connection.

SQLite runs in WAL mode with a busy timeout so the poller, the delivery worker
and the handlers can share one file; PostgreSQL is the production store and
serialises migrations of several instances with an advisory lock.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.core.errors import NashirError

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x6E617368  # "nash": one PostgreSQL advisory lock id for upgrades
_UNREACHABLE = {errno.ECONNREFUSED, errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH}


class DatabaseUnavailable(NashirError):
    """The database cannot be reached, opened or written; the message names the setting."""


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
        """Bring the schema to the newest migration (safe to run from several instances).

        Raises:
            DatabaseUnavailable: The server cannot be reached or the file
                cannot be written; one line naming NASHIR_DATABASE_URL.
        """
        async with self._translated(), self.engine.begin() as conn:
            if self.is_postgres:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK}
                )
            await conn.run_sync(_upgrade_sync)

    async def revision(self) -> str | None:
        """The migration the schema is at; None for an empty database."""
        async with self._translated(), self.engine.connect() as conn:
            current: str | None = await conn.run_sync(_current_revision)
            return current

    @asynccontextmanager
    async def _translated(self) -> AsyncIterator[None]:
        try:
            yield
        except Exception as exc:
            reason = unavailable_reason(self.url, exc)
            if reason is None:
                raise
            raise DatabaseUnavailable(reason) from exc

    async def ping(self) -> None:
        """Raise when the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Release every pooled connection."""
        await self.engine.dispose()


def unavailable_reason(url: str, exc: BaseException) -> str | None:
    """One line saying why the database at `url` cannot be used, without its password.

    None when `exc` is not about reaching, opening or writing the database
    (a bug, a failed migration): those keep their own traceback.
    """
    where = location(url)
    for error in _chain(exc):
        name = type(error).__name__
        if isinstance(error, socket.gaierror):
            host = where.rsplit(":", 1)[0]
            return f"NASHIR_DATABASE_URL: the database host {host} is unknown (no DNS entry)"
        if isinstance(error, OSError) and error.errno in _UNREACHABLE:
            why = (error.strerror or "unreachable").lower()
            return f"NASHIR_DATABASE_URL: cannot connect to PostgreSQL at {where} ({why})"
        if isinstance(error, TimeoutError):
            return f"NASHIR_DATABASE_URL: PostgreSQL at {where} did not answer in time"
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return f"NASHIR_DATABASE_URL: PostgreSQL at {where} refused the user or password"
        if name == "InvalidCatalogNameError":
            return f"NASHIR_DATABASE_URL: PostgreSQL at {where} has no such database"
        if isinstance(error, sqlite3.OperationalError):
            text_ = str(error).lower()
            if any(word in text_ for word in ("unable to open", "readonly", "read-only", "disk")):
                return (
                    f"NASHIR_DATABASE_URL: cannot open or write the SQLite file {where} "
                    f"({error}): check that the directory exists and the user may write there"
                )
    return None


def location(url: str) -> str:
    """host:port of a server, or the path of a SQLite file."""
    try:
        parts = urlsplit(url)
        if parts.scheme.startswith("sqlite"):
            path = parts.path[1:] if parts.path.startswith("/") else parts.path
            return str(Path(path).resolve()) if path and path != ":memory:" else "in memory"
        return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    except ValueError:
        return "the configured server"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, DBAPIError) and isinstance(current.orig, BaseException):
            yield from _chain(current.orig)
        current = current.__cause__ or current.__context__


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config that needs no alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


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
