"""Digests at their local time, once a day whatever restarts; quiet hours; followed tags."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.scheduling import RulesRepository
from bot.adapters.storage.tables import DeliveryRow, SubscriberRow, SubscriptionRow, TagRow
from bot.app import App
from bot.core.clock import ManualClock
from bot.core.filters import parse_rules
from bot.core.model import (
    Article,
    ArticleDraft,
    Delivery,
    DeliveryKind,
    DeliveryState,
    DestinationKind,
    Platform,
    Post,
)

# 21:00 in Aden (UTC+3) is 18:00 UTC
NINE_PM = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
Factory = Callable[..., App]


@pytest.fixture
def app_defaults() -> dict[str, str]:
    return {"NASHIR_MIN_GAP": "60", "NASHIR_TIMEZONE": "Asia/Aden"}


async def store(
    app: App, n: int, *, reads: int, tags: tuple[str, ...] = (), **fields: object
) -> Article:
    article = await app.ingestor.store(
        ArticleDraft(
            url=f"https://news.example/article/{n}",
            title=f"خبر رقم {n} عن موضوع {n * 13}",
            published_at=app.clock.now() - timedelta(hours=2),
            reads=reads,
            tags=tags,
            **fields,  # type: ignore[arg-type]
        ),
        source=None,
        announce=False,
    )
    assert article is not None
    return article


async def rows(app: App, kind: DeliveryKind) -> list[DeliveryRow]:
    async with app.db.session() as session:
        found = await session.execute(
            select(DeliveryRow).where(DeliveryRow.kind == kind.value).order_by(DeliveryRow.id)
        )
        return list(found.scalars())


async def x_destination(app: App) -> None:
    async with app.db.session() as session:
        await DestinationRepository(session).ensure(
            Platform.X, DestinationKind.X_ACCOUNT, "me", app.clock.now()
        )
        await session.commit()


async def test_the_digest_goes_out_at_the_local_time_once_a_day_even_across_a_restart(
    make_app: Factory,
) -> None:
    clock = ManualClock(NINE_PM - timedelta(minutes=1))
    output = io.StringIO()
    app = make_app(clock, output)
    await app.start()
    for n, reads in enumerate([500, 9000, 3000, 100]):
        await store(app, n, reads=reads)
    assert await app.jobs.channel_digest() == "no digest due"

    clock.set(NINE_PM)
    assert await app.jobs.channel_digest() == "digest:2026-03-01: queued 1"
    assert await app.jobs.deliver() == 1
    assert "الأكثر قراءة اليوم" in output.getvalue()

    # the bot restarts at that very minute: a new app on the same store catches up
    clock.set(NINE_PM + timedelta(seconds=30))
    await app.stop()
    again = make_app(clock)
    await again.start()
    await again.jobs.catch_up()
    assert await again.jobs.channel_digest() == "digest:2026-03-01: already queued"
    assert len(await rows(again, DeliveryKind.DIGEST)) == 1

    clock.set(NINE_PM + timedelta(days=1))  # the next day gets its own
    await store(again, 10, reads=50)
    assert await again.jobs.channel_digest() == "digest:2026-03-02: queued 1"


async def test_a_digest_missed_by_downtime_is_caught_up_once_within_the_grace(
    make_app: Factory,
) -> None:
    clock = ManualClock(NINE_PM + timedelta(minutes=40))
    app = make_app(clock)
    await app.start()
    await store(app, 1, reads=10)
    await app.jobs.catch_up()
    await app.jobs.catch_up()
    assert len(await rows(app, DeliveryKind.DIGEST)) == 1

    late = make_app(ManualClock(NINE_PM + timedelta(days=1, hours=3)))
    await late.start()
    await late.jobs.catch_up()  # three hours late: skipped, not sent stale
    assert len(await rows(late, DeliveryKind.DIGEST)) == 1


async def test_x_gets_the_top_three_of_the_digest_as_three_posts(make_app: Factory) -> None:
    clock = ManualClock(NINE_PM)
    app = make_app(clock, NASHIR_DIGEST_SIZE="5")
    await app.start()
    await x_destination(app)
    ids = [(await store(app, n, reads=1000 - n * 100)).id for n in range(5)]
    await app.jobs.channel_digest()
    async with app.db.session() as session:
        destinations = {d.id: d for d in await DestinationRepository(session).all()}
    digest = await rows(app, DeliveryKind.DIGEST)
    to_x = [row for row in digest if destinations[row.destination_id].platform is Platform.X]
    assert [row.key for row in to_x] == [f"digest:2026-03-01:x{i}" for i in (1, 2, 3)]
    channel = next(row for row in digest if row not in to_x)
    assert json.loads(channel.payload or "")["articles"] == ids

    x = destinations[to_x[0].destination_id]
    [post] = await app.worker.render.render_batch(
        [
            (
                Delivery(
                    to_x[1].id,
                    x.id,
                    DeliveryKind.DIGEST,
                    DeliveryState.PENDING,
                    payload=to_x[1].payload,
                ),
                x,
            )
        ]
    )
    assert isinstance(post, Post)
    assert "٢/٣" in post.text


async def test_quiet_hours_hold_posts_until_morning_but_not_breaking_news(
    make_app: Factory,
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 20, 30, tzinfo=UTC))  # 23:30 in Aden
    app = make_app(clock)
    await app.start()
    async with app.db.session() as session:
        (console,) = await DestinationRepository(session).all()
        rules = parse_rules({"quiet_hours": "23:00-07:00"})
        await RulesRepository(session).set(console.id, rules.to_json())
        await session.commit()
    quiet = await app.ingestor.store(
        ArticleDraft(url="https://news.example/a/1", title="خبر هادئ", published_at=clock.now()),
        source=None,
        announce=True,
    )
    urgent = await app.ingestor.store(
        ArticleDraft(
            url="https://news.example/a/2",
            title="عاجل: خبر",
            section="عاجل",
            published_at=clock.now(),
        ),
        source=None,
        announce=True,
    )
    assert quiet is not None
    assert urgent is not None
    due = {row.article_id: row.next_attempt_at for row in await rows(app, DeliveryKind.NEW)}
    seven_am = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert due[quiet.id].replace(tzinfo=UTC) == seven_am
    assert due[urgent.id].replace(tzinfo=UTC) == clock.now()
    assert await app.jobs.deliver() == 1  # only the breaking story goes out tonight
    clock.set(seven_am)
    assert await app.jobs.deliver() == 1


async def add_subscriber(app: App, chat_id: int, tags: list[str], **fields: object) -> None:
    async with app.db.session() as session:
        subscriber = SubscriberRow(
            user_id=chat_id, chat_id=chat_id, created_at=app.clock.now(), **fields
        )
        session.add(subscriber)
        await session.flush()
        for name in tags:
            tag_id = await session.scalar(select(TagRow.id).where(TagRow.name == name))
            session.add(SubscriptionRow(subscriber_id=subscriber.id, tag_id=tag_id))
        await DestinationRepository(session).ensure(
            Platform.TELEGRAM, DestinationKind.PRIVATE, str(chat_id), app.clock.now()
        )
        await session.commit()


async def test_followers_of_a_tag_get_the_article_once_in_private(make_app: Factory) -> None:
    clock = ManualClock(NINE_PM)
    app = make_app(clock)
    await app.start()
    await store(app, 1, reads=1, tags=("عدن", "اقتصاد"))
    await add_subscriber(app, 501, ["عدن", "اقتصاد"])
    await add_subscriber(app, 502, ["اقتصاد"])
    await add_subscriber(app, 503, [])
    article = await app.ingestor.store(
        ArticleDraft(
            url="https://news.example/a/9",
            title="ميناء عدن يستأنف العمل",
            tags=("عدن", "اقتصاد"),
            published_at=clock.now(),
        ),
        source=None,
        announce=True,
    )
    assert article is not None
    assert await app.publishing.followers(article) == 0  # already queued on arrival
    follow = await rows(app, DeliveryKind.FOLLOW)
    assert len(follow) == 2
    assert {row.key for row in follow} == {f"follow:{article.id}"}


async def test_subscribers_get_their_daily_digest_of_followed_tags_at_their_hour(
    make_app: Factory,
) -> None:
    clock = ManualClock(NINE_PM)
    app = make_app(clock)
    await app.start()
    sport = await store(app, 1, reads=900, tags=("رياضة",))
    await store(app, 2, reads=5000, tags=("سياسة",))
    await add_subscriber(app, 601, ["رياضة"], digest="daily", digest_hour=21)
    await add_subscriber(app, 602, ["رياضة"], digest="daily", digest_hour=8)
    await add_subscriber(app, 603, ["رياضة"], digest="off", digest_hour=21)
    assert "queued 1" in await app.jobs.personal_digests()
    await app.jobs.personal_digests()  # a second run in the same hour adds nothing
    (row,) = await rows(app, DeliveryKind.DIGEST)
    assert row.key == "pdigest:2026-03-01"
    assert json.loads(row.payload or "")["articles"] == [sport.id]
