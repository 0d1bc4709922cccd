"""Tells delivery workers that rows were queued, the moment the queueing commits.

Any session that inserts into the outbox is marked (SQLAlchemy's
``do_orm_execute`` sees every INSERT, the paged ``INSERT … SELECT`` of a
fanout included). When such a session commits:

* in this process, every worker subscribed to that engine (`on_queued`) is
  woken at once;
* on PostgreSQL the same transaction also runs ``pg_notify('nashir_outbox')``,
  so the notification is sent exactly when the rows become visible, and
  workers of other instances (and of this one) that `listen_for_queued`
  wake too. A ``nashir`` command run beside the bot wakes it the same way.

A rolled-back session wakes nobody. A lost notification (a listener
reconnecting) costs at most the worker's idle sleep, never a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session

from bot.adapters.storage.database import Database
from bot.adapters.storage.tables import DeliveryRow

log = logging.getLogger(__name__)

CHANNEL = "nashir_outbox"
KEEPALIVE = 30.0  # seconds between checks that the listening connection still works
RECONNECT = 5.0
_QUEUED = "nashir.outbox_queued"
_TABLE = DeliveryRow.__tablename__

Wake = Callable[[], None]
_subscribers: weakref.WeakKeyDictionary[Engine, set[Wake]] = weakref.WeakKeyDictionary()


def on_queued(db: Database, wake: Wake) -> Callable[[], None]:
    """Call `wake` whenever a session of `db` commits new outbox rows; returns the undo."""
    engine = db.engine.sync_engine
    _subscribers.setdefault(engine, set()).add(wake)

    def unsubscribe() -> None:
        _subscribers.get(engine, set()).discard(wake)

    return unsubscribe


async def listen_for_queued(db: Database, wake: Wake, stop: asyncio.Event) -> None:
    """On PostgreSQL, call `wake` on every outbox notification until `stop` (else return).

    One pooled connection is held for the purpose; a broken one is replaced,
    and `wake` is called after every (re)connection in case a notification
    was missed meanwhile.
    """
    if not db.is_postgres:
        return
    while not stop.is_set():
        try:
            async with db.engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver: Any = raw.driver_connection

                def notified(*_args: object) -> None:
                    wake()

                await driver.add_listener(CHANNEL, notified)
                wake()
                try:
                    while not stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), KEEPALIVE)
                        await conn.execute(text("SELECT 1"))
                finally:
                    with contextlib.suppress(Exception):
                        await driver.remove_listener(CHANNEL, notified)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("listening for queued posts failed (%s); retrying", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RECONNECT)


@event.listens_for(Session, "do_orm_execute")
def _mark(state: ORMExecuteState) -> None:
    if state.is_insert and getattr(getattr(state.statement, "table", None), "name", "") == _TABLE:
        state.session.info[_QUEUED] = True


@event.listens_for(Session, "before_commit")
def _notify_others(session: Session) -> None:
    bind = session.bind
    if session.info.get(_QUEUED) and bind is not None and bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


@event.listens_for(Session, "after_commit")
def _wake_here(session: Session) -> None:
    if not session.info.pop(_QUEUED, False):
        return
    engine = session.bind.engine if session.bind is not None else None
    for wake in list(_subscribers.get(engine, ())) if engine is not None else []:
        wake()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_QUEUED, None)
