"""X's rules through tweepy against the fake X API: budget, rate limits, duplicates, images."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from delivery_kit import counts, deliveries, drain, drain_until_settled, make_app, publish

from bot.adapters.storage.outbox import OutboxRepository
from bot.app import App
from bot.core.clock import ManualClock
from bot.core.model import DeliveryKind, DeliveryState
from sandbox import FakeTelegram, FakeX, ServerThread
from sandbox.demo_site import DEMO_JPEG as JPEG

Factory = Callable[..., App]


@pytest.fixture
async def app_factory(
    database_url: str, telegram_server: ServerThread, x_server: ServerThread
) -> AsyncIterator[Factory]:
    built: list[App] = []

    def factory(*, clock: Any = None, **env: str) -> App:
        app = make_app(database_url, telegram_server.url, x_server.url, clock=clock, **env)
        built.append(app)
        return app

    yield factory
    for app in built:
        await app.stop()


@pytest.fixture
def image_server() -> Iterator[ServerThread]:
    async def image(request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    application = web.Application()
    application.router.add_get("/photo.jpg", image)
    with ServerThread(application) as server:
        yield server


async def test_budget_keeps_a_reserve_for_breaking_news_and_skips_the_rest(
    app_factory: Factory, fake_x: FakeX, fake_telegram: FakeTelegram
) -> None:
    app = app_factory(NASHIR_X_POSTS_PER_DAY="4", NASHIR_X_RESERVE="0.5")
    await app.start()
    assert app.x_budget is not None

    ordinary = [await publish(app) for _ in range(3)]
    await drain_until_settled(app)
    breaking = [await publish(app, breaking=True) for _ in range(3)]
    await drain_until_settled(app)

    assert len(fake_x.tweets) == 4  # two ordinary, then the reserve went to breaking news
    status = await app.x_budget.status()
    assert status.posts_left_today == 0
    assert status.posts_last_24h == 4
    skipped = [
        d
        for a in ordinary + breaking
        for d in await deliveries(app, a.id)
        if d.state is DeliveryState.SKIPPED
    ]
    reasons = sorted(d.last_error or "" for d in skipped)
    assert len(skipped) == 2
    assert any("kept for breaking" in r for r in reasons)
    assert any("used up" in r for r in reasons)
    assert (await counts(app)).get("pending", 0) == 0  # nothing queued forever


async def test_money_budget_prices_posts_with_a_link_higher(
    app_factory: Factory, fake_x: FakeX
) -> None:
    app = app_factory(
        NASHIR_X_MONEY_PER_MONTH="1.0",
        NASHIR_X_PRICE_POST="0.01",
        NASHIR_X_PRICE_POST_WITH_LINK="0.4",
        NASHIR_X_RESERVE="0",
    )
    await app.start()
    assert app.x_budget is not None
    for _ in range(3):
        await publish(app, breaking=True)
    await drain_until_settled(app)

    assert len(fake_x.tweets) == 2  # 0.4 + 0.4; a third would pass 1.0
    status = await app.x_budget.status()
    assert status.spent_month == pytest.approx(0.8)
    assert status.money_left_month == pytest.approx(0.2)


async def test_x_rate_limit_waits_until_the_reset(app_factory: Factory, fake_x: FakeX) -> None:
    fake_x.fault("flood", endpoint="POST /2/tweets", reset_after=2)
    app = app_factory()
    await app.start()
    await publish(app)

    await drain_until_settled(app)

    posts = [c for c in fake_x.calls if c.method == "POST /2/tweets"]
    assert [c.status for c in posts] == [429, 201]
    assert posts[1].time - posts[0].time >= 1.0  # reset is a whole epoch second
    assert fake_x.early_retries == 0
    assert len(fake_x.tweets) == 1


async def test_the_24_hour_cap_skips_x_posts_until_reset_instead_of_looping(
    app_factory: Factory, fake_x: FakeX
) -> None:
    clock = ManualClock()
    fake_x.limits(daily_limit=1)
    app = app_factory(clock=clock)
    await app.start()
    assert app.x_budget is not None
    for _ in range(3):
        await publish(app)
        await drain(app)

    posts = [c for c in fake_x.calls if c.method == "POST /2/tweets"]
    assert [c.status for c in posts] == [201, 429]  # the third is not even tried
    assert len(fake_x.tweets) == 1
    status = await app.x_budget.status()
    assert status.capped_until is not None
    assert (await counts(app)).get("pending", 0) == 0


async def test_duplicate_content_is_skipped(app_factory: Factory, fake_x: FakeX) -> None:
    app = app_factory()
    await app.start()
    article = await publish(app)
    await drain_until_settled(app)
    async with app.db.session() as session:  # the same post queued again under another key
        await OutboxRepository(session).enqueue(
            key=f"again:{article.id}",
            destination_id=(await deliveries(app, article.id))[0].destination_id,
            kind=DeliveryKind.NEW,
            due=app.clock.now(),
            now=app.clock.now(),
            article_id=article.id,
        )
        await session.commit()
    await drain_until_settled(app)

    assert len(fake_x.tweets) == 1
    again = [d for d in await deliveries(app, article.id) if d.state is DeliveryState.SKIPPED]
    assert len(again) == 1
    assert "duplicate" in (again[0].last_error or "")


async def test_article_image_is_uploaded_through_the_media_endpoint(
    app_factory: Factory, fake_x: FakeX, image_server: ServerThread
) -> None:
    # The image server listens on loopback, which only this setting lets the fetcher reach.
    app = app_factory(NASHIR_X_IMAGES="true", NASHIR_ALLOW_PRIVATE_URLS="true")
    await app.start()
    await publish(app, image=f"{image_server.url}/photo.jpg")
    await drain_until_settled(app)

    [tweet] = fake_x.tweets
    [media_id] = tweet["media_ids"]
    assert fake_x.media[media_id]["mime"] == "image/jpeg"


async def test_an_image_on_a_private_address_is_not_fetched_and_the_post_goes_without_it(
    app_factory: Factory,
    fake_x: FakeX,
    image_server: ServerThread,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = app_factory(NASHIR_X_IMAGES="true", NASHIR_ALLOW_PRIVATE_URLS="false")
    await app.start()
    await publish(app, image=f"{image_server.url}/photo.jpg")
    await drain_until_settled(app)

    [tweet] = fake_x.tweets
    assert not tweet.get("media_ids")
    assert fake_x.media == {}
    assert any(
        "private" in r.getMessage() for r in caplog.records if r.name == "bot.adapters.publishers.x"
    )
