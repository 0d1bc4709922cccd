"""Subscribers, the tags they follow, and their private chats as destinations.

A subscriber's private chat is a destination of kind `private` (address: the
chat id), so followed-tag posts and broadcasts go through the outbox and the
delivery worker like any other post. Repositories never commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.storage.rows import insert_ignoring_conflicts
from bot.adapters.storage.tables import (
    ArticleTagRow,
    DeliveryRow,
    DestinationRow,
    SubscriberRow,
    SubscriptionRow,
    TagRow,
)
from bot.core.model import DeliveryKind, DeliveryState, DestinationKind, DestinationState, Platform
from bot.core.reader_ports import Subscriber as Subscriber  # defined in core, named here too
from bot.core.reader_ports import Tag as Tag


class SubscriberRepository:
    """Subscriber rows, their subscriptions and their private destinations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Subscriber | None:
        """The subscriber with this Telegram user id."""
        row = await self.session.scalar(
            select(SubscriberRow).where(SubscriberRow.user_id == user_id)
        )
        return None if row is None else _subscriber(row)

    async def languages(self, chat_ids: Sequence[int]) -> dict[int, str]:
        """The language of each of these private chats that is a subscriber's."""
        rows = await self.session.execute(
            select(SubscriberRow.chat_id, SubscriberRow.language).where(
                SubscriberRow.chat_id.in_(sorted(set(chat_ids)))
            )
        )
        return {int(chat_id): language for chat_id, language in rows}

    async def by_chat(self, chat_id: int) -> Subscriber | None:
        """The subscriber whose private chat this is."""
        row = await self.session.scalar(
            select(SubscriberRow).where(SubscriberRow.chat_id == chat_id).limit(1)
        )
        return None if row is None else _subscriber(row)

    async def add_or_reactivate(
        self, user_id: int, chat_id: int, language: str, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Subscribe (or welcome back) a user; True when the row is new."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                SubscriberRow,
                {
                    "user_id": user_id,
                    "chat_id": chat_id,
                    "language": language,
                    "state": "active",
                    "digest": "off",
                    "digest_hour": 21,
                    "created_at": now,
                },
            )
        )
        created = bool(getattr(result, "rowcount", 0))
        await self.session.execute(
            update(SubscriberRow)
            .where(SubscriberRow.user_id == user_id)
            .values(state="active", chat_id=chat_id)
        )
        await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                DestinationRow,
                {
                    "platform": Platform.TELEGRAM.value,
                    "kind": DestinationKind.PRIVATE.value,
                    "address": str(chat_id),
                    "thread_id": 0,
                    "state": DestinationState.ACTIVE.value,
                    "created_at": now,
                },
            )
        )
        await self.session.execute(
            update(DestinationRow)
            .where(*_private(chat_id))
            .values(state=DestinationState.ACTIVE.value, disabled_reason=None)
        )
        found = await self.get(user_id)
        assert found is not None
        return found, created

    async def set_language(self, user_id: int, language: str) -> None:
        """Reply in this language from now on."""
        await self._set(user_id, language=language)

    async def set_digest(self, user_id: int, digest: str, hour: int | None) -> None:
        """How often the subscriber wants a digest, and at what hour."""
        values: dict[str, object] = {"digest": digest}
        if hour is not None:
            values["digest_hour"] = hour
        await self._set(user_id, **values)

    async def mark_blocked(self, chat_id: int, reason: str) -> None:
        """The user blocked the bot: stop writing to them until they /start again."""
        await self.session.execute(
            update(SubscriberRow).where(SubscriberRow.chat_id == chat_id).values(state="blocked")
        )
        await self.session.execute(
            update(DestinationRow)
            .where(*_private(chat_id))
            .values(state=DestinationState.DISABLED.value, disabled_reason=reason[:1000])
        )

    async def forget(self, user_id: int) -> bool:
        """Delete the subscriber, their subscriptions, chat destination and its deliveries."""
        subscriber = await self.get(user_id)
        if subscriber is None:
            return False
        await self.session.execute(
            delete(SubscriptionRow).where(SubscriptionRow.subscriber_id == subscriber.id)
        )
        destination_ids = select(DestinationRow.id).where(*_private(subscriber.chat_id))
        await self.session.execute(
            delete(DeliveryRow).where(DeliveryRow.destination_id.in_(destination_ids))
        )
        await self.session.execute(delete(DestinationRow).where(*_private(subscriber.chat_id)))
        await self.session.execute(delete(SubscriberRow).where(SubscriberRow.id == subscriber.id))
        return True

    async def counts(self) -> tuple[int, int]:
        """(active, blocked): blocked counts users whose chat refuses the bot too."""
        blocked_chat = and_(
            DestinationRow.platform == Platform.TELEGRAM.value,
            DestinationRow.kind == DestinationKind.PRIVATE.value,
            DestinationRow.address == cast(SubscriberRow.chat_id, String),
            DestinationRow.state == DestinationState.DISABLED.value,
        )
        is_blocked = or_(
            SubscriberRow.state == "blocked", select(DestinationRow.id).where(blocked_chat).exists()
        )
        total = int(await self.session.scalar(select(func.count(SubscriberRow.id))) or 0)
        blocked = int(
            await self.session.scalar(select(func.count(SubscriberRow.id)).where(is_blocked)) or 0
        )
        return total - blocked, blocked

    async def recipients(self) -> list[int]:
        """Destination ids of every active subscriber's private chat."""
        rows = await self.session.execute(
            select(DestinationRow.id)
            .join(
                SubscriberRow,
                DestinationRow.address == cast(SubscriberRow.chat_id, String),
            )
            .where(
                DestinationRow.platform == Platform.TELEGRAM.value,
                DestinationRow.kind == DestinationKind.PRIVATE.value,
                DestinationRow.state == DestinationState.ACTIVE.value,
                SubscriberRow.state == "active",
            )
            .order_by(DestinationRow.id)
        )
        return [int(r[0]) for r in rows]

    async def follow(self, subscriber_id: int, tag_id: int) -> bool:
        """Follow a tag; False when already followed."""
        result = await self.session.execute(
            insert_ignoring_conflicts(
                self.session, SubscriptionRow, {"subscriber_id": subscriber_id, "tag_id": tag_id}
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def unfollow(self, subscriber_id: int, tag_id: int) -> bool:
        """Stop following; False when it was not followed."""
        result = await self.session.execute(
            delete(SubscriptionRow).where(
                SubscriptionRow.subscriber_id == subscriber_id, SubscriptionRow.tag_id == tag_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def following(self, subscriber_id: int) -> list[Tag]:
        """The tags a subscriber follows, by name."""
        rows = await self.session.execute(
            select(TagRow.id, TagRow.name)
            .join(SubscriptionRow, SubscriptionRow.tag_id == TagRow.id)
            .where(SubscriptionRow.subscriber_id == subscriber_id)
            .order_by(TagRow.name)
        )
        return [Tag(int(r[0]), str(r[1])) for r in rows]

    async def _set(self, user_id: int, **values: object) -> None:
        await self.session.execute(
            update(SubscriberRow).where(SubscriberRow.user_id == user_id).values(**values)
        )


class TagRepository:
    """The tags articles carry."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[Tag]:
        """Every tag."""
        rows = await self.session.execute(select(TagRow.id, TagRow.name).order_by(TagRow.id))
        return [Tag(int(r[0]), str(r[1])) for r in rows]

    async def get(self, tag_id: int) -> Tag | None:
        """The tag with this id."""
        row = await self.session.get(TagRow, tag_id)
        return None if row is None else Tag(row.id, row.name)

    async def carried(self) -> list[Tag]:
        """The tags at least one article carries (those a reader may be shown)."""
        carried = select(ArticleTagRow.tag_id).where(ArticleTagRow.tag_id == TagRow.id).exists()
        rows = await self.session.execute(
            select(TagRow.id, TagRow.name).where(carried).order_by(TagRow.id)
        )
        return [Tag(int(r[0]), str(r[1])) for r in rows]

    async def stories(self, tag_id: int) -> int:
        """How many articles carry the tag."""
        count = await self.session.scalar(
            select(func.count()).select_from(ArticleTagRow).where(ArticleTagRow.tag_id == tag_id)
        )
        return int(count or 0)

    async def unseen_followed(self, subscriber_id: int) -> list[int]:
        """The ids of the tags a subscriber follows that no article carries yet."""
        carried = select(ArticleTagRow.tag_id).where(ArticleTagRow.tag_id == SubscriptionRow.tag_id)
        rows = await self.session.execute(
            select(SubscriptionRow.tag_id).where(
                SubscriptionRow.subscriber_id == subscriber_id, ~carried.exists()
            )
        )
        return [int(r[0]) for r in rows]

    async def drop_unused(self, tag_ids: list[int]) -> None:
        """Delete those of these tags that no article carries and nobody follows."""
        if not tag_ids:
            return
        carried = select(ArticleTagRow.tag_id).where(ArticleTagRow.tag_id == TagRow.id)
        followed = select(SubscriptionRow.tag_id).where(SubscriptionRow.tag_id == TagRow.id)
        await self.session.execute(
            delete(TagRow).where(TagRow.id.in_(tag_ids), ~carried.exists(), ~followed.exists())
        )

    async def add(self, name: str, key: str) -> Tag:
        """The tag with this key, created under `name` when no article carries it yet.

        Ingest finds it by the same key (`bot.services.ingest`: the folded name), so the
        first article carrying it is tagged with this row and reaches its followers.
        """
        await self.session.execute(
            insert_ignoring_conflicts(self.session, TagRow, {"name": name, "key": key})
        )
        row = await self.session.scalar(select(TagRow).where(TagRow.key == key))
        assert row is not None
        return Tag(row.id, row.name)


class FollowQueueRepository:
    """Groups the followed-tag posts waiting for one private chat into one message."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def absorb(
        self, leads: Sequence[tuple[int, int]], limit: int, *, due_by: datetime
    ) -> dict[int, list[int]]:
        """Group each chat's waiting follow posts into the first of them in `leads`.

        `leads` are the (delivery id, destination id) of follow posts about to be
        rendered, all claimed in one batch. Returns each lead's article ids,
        oldest first; an empty list for a lead that another message already
        carries (it is sent as part of that one). The posts taken into a lead
        are marked skipped ("grouped into N") and a group's article ids are kept
        in its lead's payload, so a retry of the grouped message still holds them.

        No article may reach the chat twice, so a row is taken only when nobody
        can be sending it: pending, or claimed in the same batch, and never
        rendered itself (a lead of several articles carries its group in its
        payload). The update checks all of it again as it writes, so a row
        another instance claims meanwhile stays out of the group. A batch costs
        the same few statements whether it holds one message or two hundred.
        """
        found = await self.session.execute(
            select(
                DeliveryRow.id,
                DeliveryRow.article_id,
                DeliveryRow.payload,
                DeliveryRow.last_error,
                DeliveryRow.claimed_by,
            ).where(DeliveryRow.id.in_([delivery_id for delivery_id, _ in leads]))
        )
        rows = {int(row.id): row for row in found}
        claimers = {str(row.claimed_by) for row in rows.values() if row.claimed_by is not None}
        waiting = _waiting([destination_id for _, destination_id in leads], due_by, claimers)
        candidates = await self._candidates(waiting)
        groups: dict[int, list[int]] = {}
        picks: dict[int, int] = {}  # taken row -> the lead that takes it
        rendered: set[int] = set()
        for delivery_id, destination_id in sorted(leads):
            row = rows.get(delivery_id)
            absorbed = row is None or (row.last_error or "").startswith("grouped into")
            if absorbed or row is None or row.article_id is None or delivery_id in picks:
                groups[delivery_id] = []
                continue
            rendered.add(delivery_id)  # no later lead may take it
            groups[delivery_id] = _payload_ids(row.payload) or [int(row.article_id)]
            room = limit - len(groups[delivery_id])
            for other, _ in candidates.get(destination_id, []):
                if room <= 0:
                    break
                if other not in rendered and other not in picks and other != delivery_id:
                    picks[other] = delivery_id
                    room -= 1
        joined, taken = await self._take(picks, waiting)
        for missed in sorted(picks.keys() & groups.keys() - taken):  # a lead after all
            row = rows[missed]
            groups[missed] = _payload_ids(row.payload) or [int(row.article_id or 0)]
        for lead in sorted(joined):
            grouped = groups[lead]
            grouped += [a for a in joined[lead] if a not in grouped]
        carried = [
            {"id": lead, "payload": json.dumps({"articles": groups[lead]})} for lead in joined
        ]
        if carried:
            await self.session.execute(update(DeliveryRow), carried)
        return groups

    async def _candidates(
        self, waiting: tuple[ColumnElement[bool], ...]
    ) -> dict[int, list[tuple[int, int]]]:
        """The follow posts that may join a message, per chat, oldest first."""
        found = await self.session.execute(
            select(DeliveryRow.id, DeliveryRow.destination_id, DeliveryRow.article_id)
            .where(*waiting)
            .order_by(DeliveryRow.id)
        )
        candidates: dict[int, list[tuple[int, int]]] = {}
        for delivery_id, destination_id, article_id in found:
            chat = candidates.setdefault(int(destination_id), [])
            chat.append((int(delivery_id), int(article_id or 0)))
        return candidates

    async def _take(
        self, picks: dict[int, int], waiting: tuple[ColumnElement[bool], ...]
    ) -> tuple[dict[int, list[int]], set[int]]:
        """Mark the picked posts as carried by their leads.

        Returns the article ids each lead gains and the posts actually taken.
        """
        if not picks:
            return {}, set()
        note = case(
            {taken: f"grouped into {lead}" for taken, lead in picks.items()},
            value=DeliveryRow.id,
        )
        result = await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(sorted(picks)), *waiting)
            .values(state=DeliveryState.SKIPPED.value, last_error=note)
            .returning(DeliveryRow.id, DeliveryRow.article_id)
            .execution_options(synchronize_session=False)
        )
        joined: dict[int, list[int]] = {}
        taken: set[int] = set()
        for delivery_id, article_id in sorted((int(i), int(a or 0)) for i, a in result):
            joined.setdefault(picks[delivery_id], []).append(article_id)
            taken.add(delivery_id)
        return joined, taken


def _waiting(
    destination_ids: Sequence[int], due_by: datetime, claimers: set[str]
) -> tuple[ColumnElement[bool], ...]:
    """Follow posts to these chats that may still join a message: not sent, not rendered."""
    return (
        DeliveryRow.destination_id.in_(sorted(set(destination_ids))),
        DeliveryRow.kind == DeliveryKind.FOLLOW.value,
        DeliveryRow.article_id.is_not(None),
        DeliveryRow.next_attempt_at <= due_by,
        DeliveryRow.payload.is_(None),
        or_(
            DeliveryRow.state == DeliveryState.PENDING.value,
            and_(
                DeliveryRow.state == DeliveryState.SENDING.value,
                DeliveryRow.claimed_by.in_(sorted(claimers)),
            ),
        ),
    )


def _payload_ids(payload: str | None) -> list[int]:
    if not payload:
        return []
    try:
        value = json.loads(payload)
    except ValueError:
        return []
    ids = value.get("articles") if isinstance(value, dict) else None
    return [int(i) for i in ids] if isinstance(ids, list) else []


def _private(chat_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        DestinationRow.platform == Platform.TELEGRAM.value,
        DestinationRow.kind == DestinationKind.PRIVATE.value,
        DestinationRow.address == str(chat_id),
        DestinationRow.thread_id == 0,
    )


def _subscriber(row: SubscriberRow) -> Subscriber:
    return Subscriber(
        id=row.id,
        user_id=row.user_id,
        chat_id=row.chat_id,
        language=row.language,
        state=row.state,
        digest=row.digest,
        digest_hour=row.digest_hour,
    )
