"""The unit of work on SQLAlchemy: one session, one transaction, the outbox inside it.

`SqlUnitOfWork` satisfies `bot.core.ports.UnitOfWork`. Ingest writes an article,
its tags and its first read sample through `session`, publishing writes the
outbox rows the article causes through `outbox`, and one `commit()` makes
them durable together. Actions registered with `after_commit` (asking the
admins, counting queued posts) run only once the commit succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.approvals import HOLD, HeldRepository
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_store import DeliveryStore
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.flags import FlagRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.rows import destination_from_row
from bot.adapters.storage.scheduling import RulesRepository
from bot.adapters.storage.tables import (
    ArticleTagRow,
    DeliveryRow,
    DestinationRow,
    FlagRow,
    SubscriberRow,
    SubscriptionRow,
)
from bot.core.crash_points import crash_point
from bot.core.model import (
    Article,
    DeliveryKind,
    DeliveryState,
    Destination,
    DestinationKind,
    DestinationState,
    Platform,
)
from bot.core.ports import QueuedPost, UnitOfWork

log = logging.getLogger(__name__)

ASK_FLAG: Final = "approval_ask:"  # + article id: admins still to be asked about its held posts
CHUNK: Final = 500  # destination ids per statement, well under any driver's parameter limit


class SqlOutboxStore:
    """`bot.core.ports.OutboxStore` over one session (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._outbox = OutboxRepository(session)
        self._bulk = DeliveryStore(session)

    async def is_skipped(self, article_id: int) -> bool:
        """Whether an admin said never to post this article."""
        return await ArticleRepository(self.session).is_skipped(article_id)

    async def destinations(self, kinds: Sequence[DestinationKind]) -> list[Destination]:
        """Active destinations of these kinds, by id."""
        return await DestinationRepository(self.session).active(kinds)

    async def follower_page(
        self, article_id: int, *, after: int, limit: int
    ) -> tuple[list[Destination], int | None]:
        """Private chats of active subscribers following a tag of the article, by subscriber id.

        Two index-driven steps (subscribers by id, then their chats by address)
        instead of one join, so the plan stays cheap on tables never analysed.
        """
        tags = select(ArticleTagRow.tag_id).where(ArticleTagRow.article_id == article_id)
        following = select(SubscriptionRow.subscriber_id).where(SubscriptionRow.tag_id.in_(tags))
        subscribers = (
            await self.session.execute(
                select(SubscriberRow.id, SubscriberRow.chat_id)
                .where(
                    SubscriberRow.id > after,
                    SubscriberRow.id.in_(following),
                    SubscriberRow.state == "active",
                )
                .order_by(SubscriberRow.id)
                .limit(limit)
            )
        ).all()
        if not subscribers:
            return [], None
        rows = await self.session.execute(
            select(DestinationRow)
            .where(
                DestinationRow.platform == Platform.TELEGRAM.value,
                DestinationRow.address.in_([str(chat) for _, chat in subscribers]),
                DestinationRow.thread_id == 0,
                DestinationRow.kind == DestinationKind.PRIVATE.value,
                DestinationRow.state == DestinationState.ACTIVE.value,
            )
            .order_by(DestinationRow.id)
        )
        found = [destination_from_row(row) for row in rows.scalars()]
        return found, (int(subscribers[-1][0]) if len(subscribers) == limit else None)

    async def rules(self, destination_ids: Sequence[int]) -> dict[int, str | None]:
        """The stored rules of these destinations."""
        return await RulesRepository(self.session).of(destination_ids)

    async def last_due(self, destination_id: int) -> datetime | None:
        """The latest time a post to this destination is planned or was sent."""
        return await self._outbox.last_due(destination_id)

    async def enqueue(self, destination_id: int, post: QueuedPost, now: datetime) -> bool:
        """Add the post for one destination unless its key is there."""
        return await self._outbox.enqueue(
            key=post.key,
            destination_id=destination_id,
            kind=post.kind,
            due=HOLD if post.held else post.due,
            now=now,
            article_id=post.article_id,
            priority=post.priority,
            payload=post.payload,
        )

    async def enqueue_many(
        self, destination_ids: Sequence[int], post: QueuedPost, now: datetime
    ) -> list[int]:
        """One INSERT … SELECT per chunk of ids: a page of followers costs one statement."""
        added: list[int] = []
        for start in range(0, len(destination_ids), CHUNK):
            chunk = list(destination_ids[start : start + CHUNK])
            values = {
                "key": literal(post.key),
                "destination_id": DestinationRow.id,
                "article_id": literal(post.article_id, DeliveryRow.article_id.type),
                "kind": literal(post.kind.value),
                "state": literal(DeliveryState.PENDING.value),
                "priority": literal(post.priority),
                "attempts": literal(0),
                "next_attempt_at": literal(
                    HOLD if post.held else post.due, DeliveryRow.next_attempt_at.type
                ),
                "payload": literal(post.payload, DeliveryRow.payload.type),
                "created_at": literal(now, DeliveryRow.created_at.type),
            }
            chosen = select(*values.values()).where(DestinationRow.id.in_(chunk))
            dialect: Any = postgresql if self._dialect() == "postgresql" else sqlite
            statement = (
                dialect.insert(DeliveryRow)
                .from_select(list(values), chosen)
                .on_conflict_do_nothing()
                .returning(DeliveryRow.destination_id)
            )
            added.extend(int(i) for i in (await self.session.execute(statement)).scalars())
        return added

    def _dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind is not None else "sqlite"

    async def recipient_page(self, *, after: int, limit: int) -> list[int]:
        """A page of active subscribers' private-chat destination ids above `after`."""
        return await self._bulk.recipient_ids(after=after, limit=limit)

    async def enqueue_recipients(
        self, *, after: int, through: int, post: QueuedPost, now: datetime
    ) -> int:
        """One INSERT … SELECT for the recipients in (`after`, `through`]."""
        return await self._bulk.enqueue_recipients(
            after=after,
            through=through,
            key=post.key,
            kind=post.kind,
            due=post.due,
            now=now,
            article_id=post.article_id,
            priority=post.priority,
            payload=post.payload,
        )

    async def release_held(self, article_id: int, now: datetime) -> int:
        """Make the article's held posts due now."""
        return await HeldRepository(self.session).release(article_id, now)

    async def note_ask(self, article_id: int, now: datetime) -> None:
        """A flag `approval_ask:<id>`, committed with the held posts it is about."""
        await FlagRepository(self.session).set(f"{ASK_FLAG}{article_id}", "", now)

    async def asks_due(self) -> list[tuple[Article, list[Destination]]]:
        """Every flagged article with the destinations its posts are still held for."""
        names = (
            await self.session.execute(
                select(FlagRow.name).where(FlagRow.name.startswith(ASK_FLAG)).order_by(FlagRow.name)
            )
        ).scalars()
        due: list[tuple[Article, list[Destination]]] = []
        articles = ArticleRepository(self.session)
        for name in list(names):
            suffix = name.removeprefix(ASK_FLAG)
            article = await articles.get(int(suffix)) if suffix.isdigit() else None
            held: list[Destination] = []
            if article is not None:
                rows = await self.session.execute(
                    select(DestinationRow)
                    .join(DeliveryRow, DeliveryRow.destination_id == DestinationRow.id)
                    .where(
                        DeliveryRow.article_id == article.id,
                        DeliveryRow.kind == DeliveryKind.NEW.value,
                        DeliveryRow.state == DeliveryState.PENDING.value,
                        DeliveryRow.next_attempt_at >= HOLD,
                    )
                    .order_by(DestinationRow.id)
                )
                held = [destination_from_row(row) for row in rows.scalars()]
                due.append((article, held))
            else:
                await self.session.execute(delete(FlagRow).where(FlagRow.name == name))
        return due

    async def forget_ask(self, article_id: int) -> None:
        """Drop the article's flag."""
        await self.session.execute(delete(FlagRow).where(FlagRow.name == f"{ASK_FLAG}{article_id}"))


class SqlUnitOfWork:
    """`bot.core.ports.UnitOfWork` over one SQLAlchemy session."""

    def __init__(self, session: AsyncSession, *, name: str = "publishing") -> None:
        self.session = session
        self.name = name  # names its crash point, `<name>:committed` (`bot.core.crash_points`)
        self._outbox = SqlOutboxStore(session)
        self._after: list[Callable[[], Awaitable[None]]] = []

    @property
    def outbox(self) -> SqlOutboxStore:
        """The outbox inside this transaction."""
        return self._outbox

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` once the transaction has committed."""
        self._after.append(action)

    async def commit(self) -> None:
        """Commit, then run what waited for it; a failing action is logged, not raised."""
        await self.session.commit()
        crash_point(f"{self.name}:committed")  # durable, nothing after the commit has run yet
        actions, self._after = self._after, []
        for action in actions:
            try:
                await action()
            except Exception:
                log.exception("an action after a commit failed")


def sql_units(db: Database) -> Callable[[], AbstractAsyncContextManager[UnitOfWork]]:
    """The `bot.core.ports.UnitsOfWork` of a database: each call opens one session."""

    @asynccontextmanager
    async def unit() -> AsyncIterator[UnitOfWork]:
        async with db.session() as session:
            yield SqlUnitOfWork(session)

    return unit
