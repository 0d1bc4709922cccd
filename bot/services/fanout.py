"""Fanout from a script or a test: one post to every subscriber, through publishing.

The running bot reaches `bot.services.publishing.Publishing` through its bootstrap;
these helpers build one over a database for callers that hold only that (the
benchmark, tests). Either way the recipients are read in keyset pages and
each page is one INSERT … SELECT, so memory holds one page of ids whatever
the number of subscribers, and a repeated call with the same key adds
nothing (the outbox key is unique per destination).
"""

from __future__ import annotations

from bot.adapters.storage.database import Database
from bot.adapters.storage.unit_of_work import sql_units
from bot.core.model import DeliveryKind
from bot.core.ports import Clock, QueuedPost
from bot.services.publishing import PAGE, Publishing, PublishingOptions, delivery_key


def _no_search(_pattern: str, _text: str) -> bool:
    """Fanouts carry no destination filters, so nothing is ever searched."""
    return False


def publishing_over(db: Database, clock: Clock, *, page: int = PAGE) -> Publishing:
    """The publishing service over `db`, for fanouts (no filters, no approval)."""
    return Publishing(sql_units(db), clock, PublishingOptions(page=page), search=_no_search)


async def fanout(
    db: Database,
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


async def broadcast(db: Database, clock: Clock, text: str, *, key: str | None = None) -> int:
    """Queue a plain message to every subscriber (an admin's announcement)."""
    return await publishing_over(db, clock).broadcast(text, key=key)


async def article_to_subscribers(
    db: Database, clock: Clock, article_id: int, *, kind: DeliveryKind = DeliveryKind.NEW
) -> int:
    """Queue an article for every subscriber (breaking news to private chats)."""
    return await fanout(
        db, clock, key=delivery_key(kind, article_id), kind=kind, article_id=article_id
    )
