"""One leader among instances: it runs the scheduled jobs, sends and reads updates.

On PostgreSQL the leader holds a session-level advisory lock on a
connection of its own, kept out of the pool for as long as it leads. When
the leader dies, PostgreSQL ends its session and frees the lock; the others
try to take it every `check` seconds, so one takes over within about that
(well under a minute with the default 15 s). A leader whose connection
breaks stops leading at its next check. SQLite is a single-instance store:
there the one process is always the leader.

The current leader is written to the `leader` flag (instance and since when)
so admins and tests can see who leads. `on_elected` runs when this instance
starts leading, `on_deposed` when it stops (`scheduler.jobs` starts and stops
the update poller with them).
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import FlagRepository

log = logging.getLogger(__name__)

LEADER_LOCK = 0x6E617369  # "nasi": the scheduler's advisory lock id
LEADER_FLAG = "leader"

OnElected = Callable[[], Awaitable[None]]
OnDeposed = Callable[[], Awaitable[None]]


def instance_name() -> str:
    """This process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaderLock:
    """Holds (or waits for) the scheduler's leadership."""

    def __init__(
        self,
        db: Database,
        *,
        instance: str | None = None,
        lock_id: int = LEADER_LOCK,
        on_elected: OnElected | None = None,
        on_deposed: OnDeposed | None = None,
    ) -> None:
        self.db = db
        self.instance = instance or instance_name()
        self.lock_id = lock_id
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.is_leader = False
        self.checked = False  # no check yet: a one-off command or a test leads by default
        self._conn: AsyncConnection | None = None

    async def check(self, now: datetime) -> bool:
        """Take the lock if free, or make sure it is still held; True when leading."""
        was = self.is_leader
        self.checked = True
        if not self.db.is_postgres:
            self.is_leader = True
        else:
            self.is_leader = await self._check_postgres()
        if self.is_leader and not was:
            log.info("this instance (%s) is now the scheduler's leader", self.instance)
            await self._announce(now)
            if self.on_elected is not None:
                await self.on_elected()
        elif was and not self.is_leader:
            log.warning("this instance (%s) lost the scheduler's leadership", self.instance)
            await self._deposed()
        return self.is_leader

    async def release(self) -> None:
        """Give the lock up (on a clean stop) so another instance takes over at once."""
        conn, self._conn = self._conn, None
        if self.is_leader:
            self.is_leader = False
            await self._record_stop()
            await self._deposed()
        if conn is None:
            return
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": self.lock_id})
        except Exception as exc:  # closing below frees the lock anyway
            log.debug("advisory unlock failed: %s", exc)
        finally:
            await conn.close()

    async def _deposed(self) -> None:
        if self.on_deposed is None:
            return
        try:
            await self.on_deposed()
        except Exception:
            log.exception("stepping down as leader failed")

    async def _check_postgres(self) -> bool:
        try:
            if self._conn is None:
                conn = await self.db.engine.connect()
                self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            if self.is_leader:
                await self._conn.execute(text("SELECT 1"))
                return True
            taken = await self._conn.scalar(
                text("SELECT pg_try_advisory_lock(:id)"), {"id": self.lock_id}
            )
            return bool(taken)
        except Exception as exc:
            log.warning("leader lock check failed: %s", exc)
            await self._drop()
            return False

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.invalidate()
                await conn.close()
            except Exception as exc:
                log.debug("closing the leader connection failed: %s", exc)

    async def _announce(self, now: datetime) -> None:
        value = json.dumps({"instance": self.instance, "since": now.isoformat()})
        try:
            async with self.db.session() as session:
                await FlagRepository(session).set(LEADER_FLAG, value, now)
                await session.commit()
        except Exception as exc:
            log.warning("could not record the leader: %s", exc)

    async def _record_stop(self) -> None:
        """Say in the flag that this leader stopped, so `nashir schedule` shows no ghost."""
        leader = await current_leader(self.db)
        if leader is None or leader.get("instance") != self.instance:
            return
        now = datetime.now(UTC)
        value = json.dumps({**leader, "stopped": now.isoformat()})
        try:
            async with self.db.session() as session:
                await FlagRepository(session).set(LEADER_FLAG, value, now)
                await session.commit()
        except Exception as exc:
            log.warning("could not record the leader's stop: %s", exc)


async def leader_line(db: Database, zone: tzinfo) -> str:
    """Who leads, as `nashir schedule` shows it: never a process that stopped or died.

    On PostgreSQL the advisory lock itself says whether the named leader's
    session is still alive; a leader that stopped cleanly says so in its flag.
    """
    leader = await current_leader(db)
    if leader is None:
        return "none yet"
    name = leader.get("instance", "?")
    if leader.get("stopped"):
        return f"none (the last, {name}, stopped at {_local(leader['stopped'], zone)})"
    if db.is_postgres and not await _lock_held(db):
        return f"none ({name} is gone; a running instance takes over within the leader check)"
    since = leader.get("since")
    return f"{name} (since {_local(since, zone)})" if since else name


def _local(stamp: str, zone: tzinfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


async def _lock_held(db: Database) -> bool:
    """Whether some session holds the leader's advisory lock right now."""
    async with db.engine.connect() as conn:
        held = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = 0 AND objid = :id"
            ),
            {"id": LEADER_LOCK},
        )
    return bool(held)


async def current_leader(db: Database) -> dict[str, str] | None:
    """The instance the `leader` flag names, and since when."""
    async with db.session() as session:
        raw = await FlagRepository(session).get(LEADER_FLAG)
    return json.loads(raw) if raw else None
