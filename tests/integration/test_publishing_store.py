"""Publishing over the real unit of work (`bot.storage.unit_of_work`) on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.adapters.storage.approvals import HOLD
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.subscribers import SubscriberRepository
from bot.adapters.storage.tables import TagRow
from bot.adapters.storage.unit_of_work import sql_units
from bot.core.clock import ManualClock
from bot.core.model import Article, ArticleDraft, Destination, DestinationKind, Platform
from bot.services.publishing import ApprovalRule, Publishing, PublishingOptions

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GAP = 120.0


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.close()


def _search(pattern: str, text: str) -> bool:
    return pattern in text


def _publishing(db: Database, clock: ManualClock, *held: str, page: int = 1000) -> Publishing:
    options = PublishingOptions(min_gap=GAP, approval=ApprovalRule.of(held), page=page)
    return Publishing(sql_units(db), clock, options, search=_search)


async def _article(
    db: Database, number: int, clock: ManualClock, tags: tuple[str, ...] = ()
) -> Article:
    draft = ArticleDraft(
        url=f"https://news.example/{number}",
        title=f"خبر رقم {number}",
        published_at=clock.now(),
        tags=tags,
    )
    async with db.session() as session:
        article = await ArticleRepository(session).add(
            draft,
            canonical_url=draft.url,
            title_key=f"key-{number}",
            tag_keys=[(tag, tag) for tag in tags],
            now=clock.now(),
            source_id=None,
            breaking=False,
        )
        await session.commit()
    return article


async def _channel(db: Database, address: str, clock: ManualClock) -> int:
    async with db.session() as session:
        destination = await DestinationRepository(session).ensure(
            Platform.TELEGRAM, DestinationKind.CHANNEL, address, clock.now()
        )
        await session.commit()
    return destination.id


async def _rows(db: Database, article_id: int) -> dict[tuple[str, int], datetime]:
    async with db.session() as session:
        found = await OutboxRepository(session).for_article(article_id)
    return {
        (row.kind.value, row.destination_id): row.next_attempt_at.astimezone(UTC)
        for row in found
        if row.next_attempt_at is not None
    }


async def test_a_post_held_for_approval_does_not_switch_spacing_off(db: Database) -> None:
    clock = ManualClock(START)
    channel = await _channel(db, "@desk", clock)
    publishing = _publishing(db, clock, "@desk")
    held, first, second = [await _article(db, n, clock) for n in (1, 2, 3)]

    assert await publishing.announce(held) == 0  # held, not queued
    assert (await _rows(db, held.id))[("new", channel)] >= HOLD
    destinations = await _channels(db)
    assert await publishing.trending(first, destinations) == 1
    assert await publishing.trending(second, destinations) == 1

    assert (await _rows(db, first.id))[("trending", channel)] == START
    assert (await _rows(db, second.id))[("trending", channel)] == START + timedelta(seconds=GAP)
    assert await publishing.approve(held.id) == 1
    assert (await _rows(db, held.id))[("new", channel)] == START


async def _channels(db: Database) -> list[Destination]:
    async with db.session() as session:
        return await DestinationRepository(session).active([DestinationKind.CHANNEL])


async def test_followers_come_in_pages_once_each_and_only_while_active(db: Database) -> None:
    clock = ManualClock(START)
    tagged = await _article(db, 1, clock, tags=("الطقس", "صنعاء"))
    async with db.session() as session:
        tag_ids = list((await session.execute(select(TagRow.id).order_by(TagRow.id))).scalars())
        subscribers = SubscriberRepository(session)
        for user in range(500, 525):
            subscriber, _ = await subscribers.add_or_reactivate(user, user, "ar", clock.now())
            for tag_id in tag_ids:  # following both tags still means one message
                await subscribers.follow(subscriber.id, tag_id)
        await subscribers.mark_blocked(524, "blocked the bot")
        await session.commit()

    publishing = _publishing(db, clock, page=7)
    assert await publishing.followers(tagged) == 24
    assert await publishing.followers(tagged) == 0
    rows = await _rows(db, tagged.id)
    assert len({destination for key, destination in rows if key == "follow"}) == 24


async def test_nothing_written_in_a_unit_that_never_commits_remains(db: Database) -> None:
    clock = ManualClock(START)
    await _channel(db, "@desk", clock)
    article = await _article(db, 1, clock)
    units = sql_units(db)
    publishing = _publishing(db, clock)

    async with units() as unit:
        assert await publishing.announce(article, unit) == 1
    assert await _rows(db, article.id) == {}  # rolled back with the session

    async with units() as unit:
        assert await publishing.announce(article, unit) == 1
        await unit.commit()
    assert list(await _rows(db, article.id)) == [("new", 1)]
