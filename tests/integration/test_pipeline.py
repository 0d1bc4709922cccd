"""The whole pipeline over real HTTP: demo site → ingest → outbox → PTB and tweepy → fakes."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from rich.console import Console

from bot.adapters.settings import load_settings
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.destinations import DestinationRepository
from bot.app import App, build
from bot.core.model import ArticleDraft, DestinationKind
from sandbox import FakeTelegram, FakeX, ServerThread
from sandbox.demo_site import DemoSite

TOKEN = "123456789:TEST-token_for_the_fake"


@pytest.fixture
def site() -> DemoSite:
    return DemoSite(channel="yemen_news", x_handle="YemenNewsX")


@pytest.fixture
def site_server(site: DemoSite) -> Iterator[ServerThread]:
    with ServerThread(site.app()) as server:
        yield server


@pytest.fixture
def channel(fake_telegram: FakeTelegram) -> int:
    return fake_telegram.add_channel("@yemen_news", title="أخبار اليمن")


AppFactory = Callable[..., App]


@pytest.fixture
async def make_app(
    database_url: str,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
) -> AsyncIterator[AppFactory]:
    built: list[App] = []

    def factory(
        *,
        telegram: bool = True,
        x: bool = True,
        backfill: int = 0,
        console: Console | None = None,
        **env: str,
    ) -> App:
        values = {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_SOURCES": f"{site_server.url}/rss.xml",
            "NASHIR_ALLOW_PRIVATE_URLS": "true",
            "NASHIR_MIN_GAP": "0",
            "TELEGRAM_API_URL": telegram_server.url,
            "X_API_URL": x_server.url,
        }
        if telegram:
            values["TELEGRAM_BOT_TOKEN"] = TOKEN
        if x:
            values.update(
                X_CONSUMER_KEY="pipeline-consumer-key",
                X_CONSUMER_SECRET="pipeline-consumer-secret",
                X_ACCESS_TOKEN="pipeline-access-token",
                X_ACCESS_TOKEN_SECRET="pipeline-access-secret",
            )
        values.update(env)
        app = build(
            load_settings(values, env_file=None), backfill=backfill, polling=False, console=console
        )
        built.append(app)
        return app

    yield factory
    for app in built:
        await app.stop()


async def _poll_all(app: App) -> None:
    for source in await app.sources():
        await app.jobs.poll_source(source.id)


async def _deliver_all(app: App) -> None:
    for _ in range(20):
        if await app.jobs.deliver() == 0:
            return


def _channel_posts(fake: FakeTelegram, channel: int) -> list[dict[str, Any]]:
    return fake.messages(channel)


async def test_first_poll_stores_what_the_site_holds_without_posting(
    make_app: AppFactory,
    site: DemoSite,
    fake_telegram: FakeTelegram,
    fake_x: FakeX,
    channel: int,
) -> None:
    site.publish_next()
    site.publish_next()
    app = make_app()
    await app.start()
    await _poll_all(app)
    await _deliver_all(app)
    async with app.db.session() as session:
        assert await ArticleRepository(session).count() == 2
    assert _channel_posts(fake_telegram, channel) == []
    assert fake_x.tweets == []


async def test_a_new_article_reaches_the_sites_channel_and_x_exactly_once(
    make_app: AppFactory,
    site: DemoSite,
    fake_telegram: FakeTelegram,
    fake_x: FakeX,
    channel: int,
) -> None:
    site.publish_next()
    app = make_app()
    await app.start()
    await _poll_all(app)
    site.publish_next()
    await _poll_all(app)
    await _deliver_all(app)
    await _poll_all(app)
    await _deliver_all(app)

    posts = _channel_posts(fake_telegram, channel)
    assert len(posts) == 1
    assert len(fake_x.tweets) == 1
    async with app.db.session() as session:
        destinations = await DestinationRepository(session).all()
    kinds = {(d.kind, d.address) for d in destinations}
    assert (DestinationKind.CHANNEL, "@yemen_news") in kinds
    assert (DestinationKind.X_ACCOUNT, "me") in kinds


async def test_backfill_posts_the_newest_items_of_the_first_poll(
    make_app: AppFactory,
    site: DemoSite,
    fake_telegram: FakeTelegram,
    channel: int,
) -> None:
    for _ in range(4):
        site.publish_next()
    app = make_app(backfill=2, x=False)
    await app.start()
    await _poll_all(app)
    await _deliver_all(app)
    assert len(_channel_posts(fake_telegram, channel)) == 2


async def test_configured_channels_win_over_the_sites_link(
    make_app: AppFactory,
    site: DemoSite,
    fake_telegram: FakeTelegram,
    channel: int,
) -> None:
    other = fake_telegram.add_channel("@newsroom_desk")
    app = make_app(x=False, TELEGRAM_CHANNELS="@newsroom_desk")
    await app.start()
    await _poll_all(app)
    site.publish_next()
    await _poll_all(app)
    await _deliver_all(app)
    assert len(fake_telegram.messages(other)) == 1
    assert _channel_posts(fake_telegram, channel) == []


async def test_without_a_token_posts_go_to_the_console(
    make_app: AppFactory,
    site: DemoSite,
    fake_telegram: FakeTelegram,
) -> None:
    out = io.StringIO()
    app = make_app(telegram=False, x=False, console=Console(file=out, width=100))
    await app.start()
    await _poll_all(app)
    site.publish_next()
    await _poll_all(app)
    await _deliver_all(app)
    assert fake_telegram.calls_to("sendMessage") == []
    assert fake_telegram.calls_to("sendPhoto") == []
    assert site.published()[0].title[:20] in out.getvalue()


async def test_a_warning_when_the_x_keys_post_as_another_account_than_the_site_shows(
    make_app: AppFactory,
    site: DemoSite,
    fake_x: FakeX,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the fixture's site advertises x.com/YemenNewsX; the keys post as someone else
    fake_x.username = "SomeoneElse"
    app = make_app(telegram=False)
    await app.start()
    site.publish_next()
    await _poll_all(app)
    site.publish_next()
    await _poll_all(app)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "the X keys post as @SomeoneElse but the site advertises @YemenNewsX" in warnings


async def test_a_headline_changed_at_the_source_is_edited_in_place(
    make_app: AppFactory, site: DemoSite, fake_telegram: FakeTelegram, channel: int
) -> None:
    app = make_app(x=False)
    await app.start()
    await _poll_all(app)
    site.publish_next()
    await _poll_all(app)
    await _deliver_all(app)
    [posted] = _channel_posts(fake_telegram, channel)
    async with app.db.session() as session:
        [article] = await ArticleRepository(session).latest(1)

    await app.ingestor.store(
        ArticleDraft(url=article.url, title="عنوان جديد بعد التصحيح", guid=article.guid),
        source=None,
        announce=False,
    )

    [edited] = _channel_posts(fake_telegram, channel)
    assert edited["message_id"] == posted["message_id"]
    body = edited.get("caption") or edited.get("text") or ""
    assert "عنوان جديد بعد التصحيح" in body
