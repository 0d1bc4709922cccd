"""The outbox: shared by several workers without doubles, fanout in pages, edits, removals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence

import pytest
from delivery_kit import (
    add_article,
    counts,
    deliveries,
    drain_until_settled,
    make_app,
    publish,
    subscribe,
)
from sqlalchemy import event, update

from bot.adapters.storage.posted_copies import SqlRemovals
from bot.adapters.storage.subscribers import SubscriberRepository, TagRepository
from bot.adapters.storage.tables import ArticleRow
from bot.app import App
from bot.core.model import Delivery, DeliveryKind, DeliveryState, Destination
from bot.core.ports import Rendered
from bot.services.fanout import article_to_subscribers, broadcast, fanout
from bot.services.removal import delete_everywhere
from sandbox import FakeTelegram, FakeX, ServerThread, wait_until_async

Factory = Callable[..., App]


@pytest.fixture
async def app_factory(
    database_url: str, telegram_server: ServerThread, x_server: ServerThread
) -> AsyncIterator[Factory]:
    built: list[App] = []

    def factory(*, x: bool = False, **env: str) -> App:
        app = make_app(database_url, telegram_server.url, x_server.url if x else None, **env)
        built.append(app)
        return app

    yield factory
    for app in built:
        await app.stop()


async def test_two_instances_share_the_outbox_without_doubles(
    app_factory: Factory, fake_telegram: FakeTelegram, database_url: str
) -> None:
    users = list(range(720000, 720200))
    for user in users:
        fake_telegram.add_user(user)
    settings = {
        "NASHIR_DELIVERY_BATCH": "20",
        "NASHIR_DELIVERY_CONCURRENCY": "4",
        "NASHIR_TELEGRAM_RATE": "1000",
    }
    first, second = app_factory(**settings), app_factory(**settings)
    await first.start()
    await second.start()
    await subscribe(first, users)
    await broadcast(first.db, first.clock, "خبر للجميع")

    reports = await asyncio.gather(first.worker.drain(), second.worker.drain())

    assert sum(r.sent for r in reports) == len(users)
    assert fake_telegram.duplicates() == []
    assert all(fake_telegram.delivered(user) == 1 for user in users)
    assert await counts(first) == {"sent": len(users)}
    if "postgresql" in database_url:  # SKIP LOCKED lets both claim at once
        assert all(r.sent > 0 for r in reports)


async def test_a_followed_post_being_sent_is_never_grouped_into_another_message(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    reader = 730001
    fake_telegram.add_user(reader)
    first, second = app_factory(), app_factory()
    await first.start()
    await second.start()
    await subscribe(first, [reader])
    tagged = await add_article(first, "خبر سابق عن الطقس", tags=("الطقس",))
    async with first.db.session() as session:
        [tag] = await TagRepository(session).all()
        subscriber = await SubscriberRepository(session).get(reader)
        assert subscriber is not None
        await SubscriberRepository(session).follow(subscriber.id, tag.id)
        await session.commit()
    assert tagged.tags == ("الطقس",)

    async def follow(title: str) -> None:
        article = await add_article(first, title, tags=("الطقس",))
        assert await first.publishing.followers(article) == 1

    await follow("خبر أول للمتابع")
    # The first instance sends it, and the Bot API takes a second to answer...
    held = fake_telegram.fault("timeout", method="sendMessage", chat_id=reader, delay=1.0)
    sending = asyncio.create_task(first.worker.run_once())
    await wait_until_async(lambda: held.hits == 1, timeout=5)
    # ...while a second article for the same reader goes out from the other instance.
    await follow("خبر ثان للمتابع")
    await second.worker.run_once()
    await sending

    texts = [m["text"] for m in fake_telegram.messages(reader)]
    assert sum("خبر أول للمتابع" in text for text in texts) == 1
    assert sum("خبر ثان للمتابع" in text for text in texts) == 1
    assert fake_telegram.duplicates() == []


async def test_followed_tag_messages_of_a_batch_are_rendered_together_with_a_few_queries(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    readers = list(range(740000, 740060))
    for reader in readers:
        fake_telegram.add_user(reader)
    app = app_factory(NASHIR_DELIVERY_BATCH="200", NASHIR_TELEGRAM_RATE="1000")
    await app.start()
    await subscribe(app, readers)
    first = await add_article(app, "خبر أول عن الطقس للمتابعين", tags=("الطقس",))
    async with app.db.session() as session:
        [tag] = await TagRepository(session).all()
        repository = SubscriberRepository(session)
        for reader in readers:
            subscriber = await repository.get(reader)
            assert subscriber is not None
            await repository.follow(subscriber.id, tag.id)
        await session.commit()
    second = await add_article(app, "خبر ثان عن الطقس للمتابعين", tags=("الطقس",))
    assert [await app.publishing.followers(a) for a in (first, second)] == [60, 60]

    statements: list[str] = []
    batches: list[tuple[int, int]] = []
    rendering = app.worker.render

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    class Counting:
        async def render_batch(
            self, items: Sequence[tuple[Delivery, Destination]]
        ) -> list[Rendered]:
            before = len(statements)
            result = await rendering.render_batch(items)
            batches.append((len(items), len(statements) - before))
            return result

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", count)
    app.worker.render = Counting()
    report = await app.worker.drain()
    event.remove(app.db.engine.sync_engine, "before_cursor_execute", count)

    # 120 posts for 60 readers: one message each, both stories in it...
    assert report.sent == 60
    assert fake_telegram.duplicates() == []
    for reader in readers:
        [message] = fake_telegram.messages(reader)
        assert "خبر أول عن الطقس" in message["text"]
        assert "خبر ثان عن الطقس" in message["text"]
    # ...rendered as one batch in a handful of statements, not several per message.
    assert [items for items, _ in batches] == [120]
    assert batches[0][1] <= 15, statements


async def test_fanout_streams_recipients_in_pages_and_never_queues_twice(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    app = app_factory()
    await app.start()
    users = list(range(730000, 730120))
    await subscribe(app, users)
    article = await add_article(app)

    first = await fanout(
        app.db,
        app.clock,
        key=f"new:{article.id}",
        kind=DeliveryKind.NEW,
        article_id=article.id,
        page=40,
    )
    again = await article_to_subscribers(app.db, app.clock, article.id)

    assert (first, again) == (120, 0)
    assert await counts(app) == {"pending": 120}


async def test_edited_headline_is_edited_in_place_and_unchanged_posts_are_left_alone(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@news")
    app = app_factory(TELEGRAM_CHANNELS="@news")
    await app.start()
    article = await publish(app, title="عنوان أول للخبر")
    await drain_until_settled(app)

    unchanged = await app.revisions.revise(article.id)
    async with app.db.session() as session:
        await session.execute(
            update(ArticleRow).where(ArticleRow.id == article.id).values(title="عنوان مصحح للخبر")
        )
        await session.commit()
    changed = await app.revisions.revise(article.id)
    repeated = await app.revisions.revise(article.id)

    assert (unchanged.edited, unchanged.unchanged) == (0, 1)
    assert changed.edited == 1
    assert (repeated.edited, repeated.unchanged) == (0, 1)
    [message] = fake_telegram.messages(channel)
    assert "عنوان مصحح للخبر" in message["text"]
    assert "edit_date" in message
    assert len(fake_telegram.calls_to("editMessageText")) == 1


async def test_photo_post_is_edited_through_its_caption(
    app_factory: Factory, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@news")
    app = app_factory(TELEGRAM_CHANNELS="@news")
    await app.start()
    article = await publish(app, image="https://news.example/photo.jpg", title="صورة أولى")
    await drain_until_settled(app)
    async with app.db.session() as session:
        await session.execute(
            update(ArticleRow).where(ArticleRow.id == article.id).values(title="صورة مصححة")
        )
        await session.commit()

    report = await app.revisions.revise(article.id)

    assert report.edited == 1
    [message] = fake_telegram.messages(channel)
    assert "صورة مصححة" in message["caption"]
    assert len(fake_telegram.calls_to("editMessageCaption")) == 1


async def test_removal_deletes_every_copy_and_cancels_what_is_queued(
    app_factory: Factory, fake_telegram: FakeTelegram, fake_x: FakeX
) -> None:
    channel = fake_telegram.add_channel("@news")
    late = fake_telegram.add_channel("@late")
    app = app_factory(x=True, TELEGRAM_CHANNELS="@news")
    await app.start()
    article = await publish(app)
    await drain_until_settled(app)
    app.settings = app.settings.model_copy(update={"telegram_channels": ("@news", "@late")})
    await app.ensure_destinations()
    await app.publishing.announce(article)  # queued for @late, not yet sent

    report = await delete_everywhere(SqlRemovals(app.db), app.clock, app.publishers, article.id)
    again = await delete_everywhere(SqlRemovals(app.db), app.clock, app.publishers, article.id)
    await drain_until_settled(app)

    assert (report.deleted, report.cancelled, report.failed) == (2, 1, 0)
    assert (again.deleted, again.failed) == (0, 0)
    assert fake_telegram.messages(channel) == []
    assert fake_telegram.messages(late) == []
    assert fake_x.tweets == []
    assert len(fake_x.deleted) == 1
    rows = await deliveries(app, article.id)
    assert sorted(r.state for r in rows) == sorted(
        [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.SKIPPED]
    )
