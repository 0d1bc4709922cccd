"""Fanout from a script or a test: one post to every subscriber, through publishing.

The running bot reaches `bot.services.publishing.Publishing` through its bootstrap;
these helpers build one for callers that hold only a database (the benchmark,
tests) or the units of work of one (`bot.core.ports.UnitsOfWork`: the unit
tests pass in-memory ones). Either way the recipients are read in keyset pages and
each page is one INSERT … SELECT, so memory holds one page of ids whatever
the number of subscribers, and a repeated call with the same key adds
nothing (the outbox key is unique per destination).
"""

from __future__ import annotations

from bot.adapters.storage.database import Database
from bot.adapters.storage.unit_of_work import sql_units
from bot.core.model import DeliveryKind
from bot.core.ports import Clock, QueuedPost, UnitsOfWork
from bot.services.publishing import PAGE, Publishing, PublishingOptions, delivery_key


def _no_search(_pattern: str, _text: str) -> bool:
    """Fanouts carry no destination filters, so nothing is ever searched."""
    return False


Store = Database | UnitsOfWork
"""Where the fanout goes: a database, or the units of work over one."""


def publishing_over(db: Store, clock: Clock, *, page: int = PAGE) -> Publishing:
    """The publishing service over `db`, for fanouts (no filters, no approval)."""
    units = sql_units(db) if isinstance(db, Database) else db
    return Publishing(units, clock, PublishingOptions(page=page), search=_no_search)


async def fanout(
    db: Store,
    clock: Clock,
    *,
    key: str,
    kind: DeliveryKind,
    article_id: int | None = None,
    payload: str | None = None,
    priority: int = 0,
    page: int = PAGE,
) -> int:
    """Queue one delivery per active subscriber's private chat; return rows added."""
    post = QueuedPost(
        key=key,
        kind=kind,
        due=clock.now(),
        article_id=article_id,
        priority=priority,
        payload=payload,
    )
    return await publishing_over(db, clock, page=page).fanout(post)


async def broadcast(db: Store, clock: Clock, text: str, *, key: str | None = None) -> int:
    """Queue a plain message to every subscriber (an admin's announcement)."""
    return await publishing_over(db, clock).broadcast(text, key=key)


async def article_to_subscribers(
    db: Store, clock: Clock, article_id: int, *, kind: DeliveryKind = DeliveryKind.NEW
) -> int:
    """Queue an article for every subscriber (breaking news to private chats)."""
    return await fanout(
        db, clock, key=delivery_key(kind, article_id), kind=kind, article_id=article_id
    )
