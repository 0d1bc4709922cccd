"""Fanout: one post to every subscriber, streamed from the database in pages.

Recipients are read by keyset pages (`id > last`, `limit`), and each page's
outbox rows are inserted and committed before the next page is read, so
memory holds one page whatever the number of subscribers, and an interrupted
fanout resumes without doubles (the outbox key is unique per destination).
"""

from __future__ import annotations

import logging
import uuid

from bot.model import DeliveryKind
from bot.ports import Clock
from bot.storage.database import Database
from bot.storage.delivery_store import DeliveryStore

log = logging.getLogger(__name__)

PAGE = 1000


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
    after = 0
    added = 0
    now = clock.now()
    while True:
        async with db.session() as session:
            store = DeliveryStore(session)
            ids = await store.recipient_ids(after=after, limit=page)
            if not ids:
                break
            added += await store.enqueue_recipients(
                after=after,
                through=ids[-1],
                key=key,
                kind=kind,
                due=now,
                now=now,
                article_id=article_id,
                priority=priority,
                payload=payload,
            )
            await session.commit()
        after = ids[-1]
    log.info("fanout %s queued %d deliveries", key, added)
    return added


async def broadcast(db: Database, clock: Clock, text: str, *, key: str | None = None) -> int:
    """Queue a plain message to every subscriber (an admin's announcement)."""
    return await fanout(
        db,
        clock,
        key=key or f"broadcast:{uuid.uuid4().hex[:16]}",
        kind=DeliveryKind.BROADCAST,
        payload=text,
    )


async def article_to_subscribers(
    db: Database, clock: Clock, article_id: int, *, kind: DeliveryKind = DeliveryKind.NEW
) -> int:
    """Queue an article for every subscriber (breaking news to private chats)."""
    return await fanout(
        db, clock, key=f"{kind.value}:{article_id}", kind=kind, article_id=article_id
    )
