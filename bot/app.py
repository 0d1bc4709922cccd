"""The composition root: settings in, the running parts out.

`build()` only constructs objects (no connection is opened, nothing is read
from the network); `App.start()` migrates the database, registers sources and
destinations, starts Telegram and the scheduler; `App.stop()` undoes it in
reverse. Tests, the demo and `nashir run` all go through here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version

import tweepy
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import SecretStr
from rich.console import Console
from telegram.ext import Application, ApplicationBuilder

from bot.clock import SystemClock
from bot.delivery import DeliveryOptions, DeliveryWorker
from bot.events import Events
from bot.formatting import FormatOptions
from bot.formatting.options import UtmOptions
from bot.ingest import IngestOptions, Ingestor
from bot.model import Article, DestinationKind, Platform, SocialLinks, Source
from bot.outbox import Outbox, OutboxOptions
from bot.ports import Clock, Publisher
from bot.publishers.console import ConsolePublisher
from bot.publishers.telegram import TelegramPublisher
from bot.publishers.x import XPublisher
from bot.publishers.x_client import make_x_client
from bot.rendering import Renderer
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.database import Database
from bot.storage.repositories import DestinationRepository, SourceRepository
from bot.web import WebServer

log = logging.getLogger(__name__)


@dataclass
class App:
    """Every long-lived part of a running Nashir, wired together."""

    settings: Settings
    clock: Clock
    db: Database
    fetcher: Fetcher
    ingestor: Ingestor
    outbox: Outbox
    renderer: Renderer
    worker: DeliveryWorker
    publishers: dict[str, Publisher]
    telegram: Application | None = None  # type: ignore[type-arg]
    x: XPublisher | None = None
    events: Events = field(default_factory=Events)
    web: WebServer | None = None
    scheduler: AsyncIOScheduler | None = None
    backfill: int = 0
    polling: bool = True
    x_account: str | None = None
    _x_compared: bool = False
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        """Migrate, register sources and destinations, start Telegram."""
        await self.db.upgrade()
        now = self.clock.now()
        async with self.db.session() as session:
            sources = SourceRepository(session)
            for url in self.settings.sources:
                await sources.ensure(url, now)
            await session.commit()
        await self.ensure_destinations()
        await self.worker.recover()
        if self.web is not None:
            await self.web.start()
        if self.telegram is not None:
            await self.telegram.initialize()
            await self.telegram.start()
            if self.polling and self.telegram.updater is not None:
                await self.telegram.updater.start_polling(drop_pending_updates=False)
        if self.x is not None:
            await self._check_x_account()

    async def stop(self) -> None:
        """Stop Telegram, close connections."""
        if self.telegram is not None:
            if self.telegram.updater is not None and self.telegram.updater.running:
                await self.telegram.updater.stop()
            if self.telegram.running:
                await self.telegram.stop()
            await self.telegram.shutdown()
        if self.web is not None:
            await self.web.stop()
        await self.fetcher.aclose()
        await self.db.close()

    async def sources(self) -> list[Source]:
        """Every registered source."""
        async with self.db.session() as session:
            return await SourceRepository(session).all()

    async def ensure_destinations(self) -> None:
        """Register where posts go: the configured channels, else the site's own; X; console.

        The site's Telegram channel is known once a page advertising it has
        been read, so this runs again before each new article is queued.
        """
        now = self.clock.now()
        social = await self.ingestor.site_social()
        self._compare_x_account(social)
        async with self.db.session() as session:
            destinations = DestinationRepository(session)
            if self.telegram is not None:
                for address in self._channel_addresses(social):
                    chat, _, thread = address.partition(":")
                    kind = DestinationKind.TOPIC if thread else DestinationKind.CHANNEL
                    await destinations.ensure(
                        Platform.TELEGRAM,
                        kind,
                        chat,
                        now,
                        thread_id=int(thread) if thread.isdigit() else None,
                    )
            else:
                await destinations.ensure(Platform.CONSOLE, DestinationKind.CONSOLE, "console", now)
            if self.x is not None:
                await destinations.ensure(Platform.X, DestinationKind.X_ACCOUNT, "me", now)
            await session.commit()

    def _channel_addresses(self, social: SocialLinks) -> list[str]:
        if self.settings.telegram_channels:
            return list(self.settings.telegram_channels)
        name = telegram_channel_from_link(social.telegram)
        return [name] if name else []

    async def on_new_article(self, article: Article, source: Source | None) -> None:
        """Queue a newly stored article for every destination."""
        await self.ensure_destinations()
        await self.outbox.queue_new(article)

    async def _check_x_account(self) -> None:
        """Read the account behind the X keys once, at start-up."""
        assert self.x is not None
        try:
            self.x_account = await self.x.account()
        except Exception as exc:  # start-up must not fail on a check
            log.warning("could not read the X account behind the keys: %s", exc)
            return
        log.info("posting to X as @%s", self.x_account)
        self._compare_x_account(await self.ingestor.site_social())

    def _compare_x_account(self, social: SocialLinks) -> None:
        """Warn once when the keys post as another account than the site advertises."""
        advertised = x_handle_from_link(social.x)
        if self._x_compared or not (self.x_account and advertised):
            return
        self._x_compared = True
        if self.x_account.lower() != advertised.lower():
            log.warning(
                "the X keys post as @%s but the site advertises @%s", self.x_account, advertised
            )


def telegram_channel_from_link(link: str | None) -> str | None:
    """`https://t.me/name` → `@name` (None for invite links and other shapes)."""
    if not link:
        return None
    path = link.split("://", 1)[-1]
    host, _, rest = path.partition("/")
    if host.lower().removeprefix("www.") not in ("t.me", "telegram.me"):
        return None
    name = rest.split("/", 1)[0].split("?", 1)[0]
    if name.startswith(("+", "joinchat")) or not name:
        return None
    return "@" + name.removeprefix("s/").lstrip("@")


def x_handle_from_link(link: str | None) -> str | None:
    """`https://x.com/name` or twitter.com → `name`."""
    if not link:
        return None
    path = link.split("://", 1)[-1]
    host, _, rest = path.partition("/")
    if host.lower().removeprefix("www.").removeprefix("mobile.") not in ("x.com", "twitter.com"):
        return None
    name = rest.split("/", 1)[0].split("?", 1)[0].lstrip("@")
    return name or None


def format_options(settings: Settings) -> FormatOptions:
    """Formatting options from the settings."""
    utm = UtmOptions(enabled=settings.utm)
    return FormatOptions(
        language=settings.language, telegram_utm=utm, x_utm=utm, read_more_button=True
    )


def social_overrides(settings: Settings) -> SocialLinks:
    """Links set in the settings win over the ones found on the site."""
    return SocialLinks(
        youtube=settings.social_youtube,
        x=settings.social_x,
        telegram=settings.social_telegram,
        facebook=settings.social_facebook,
        google_news=settings.social_google_news,
    )


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    console: Console | None = None,
    backfill: int = 0,
    polling: bool = True,
) -> App:
    """Construct every part from the settings; nothing is opened yet."""
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    fetcher = Fetcher.create(
        version=version("nashir"),
        homepage=settings.contact_url or "news distribution bot",
        read_timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.allow_private_urls,
    )
    outbox = Outbox(
        db,
        clock,
        OutboxOptions(
            min_gap=settings.min_gap, freshness=timedelta(hours=settings.freshness_hours)
        ),
    )
    ingestor = Ingestor(
        db,
        fetcher,
        clock,
        IngestOptions(
            poll_interval=settings.poll_interval,
            complete_from_page=settings.complete_from_page,
            breaking_markers=settings.breaking_markers,
        ),
    )
    renderer = Renderer(
        db,
        format_options(settings),
        social=ingestor.site_social,
        overrides=social_overrides(settings),
    )
    publishers: dict[str, Publisher] = {}
    telegram_app = None
    if settings.telegram_bot_token is not None:
        telegram_app = _telegram_application(settings)
        publishers[Platform.TELEGRAM.value] = TelegramPublisher(telegram_app.bot)
    else:
        publishers[Platform.CONSOLE.value] = ConsolePublisher(console)
    x_publisher = None
    if settings.x_enabled:
        x_publisher = XPublisher(_x_client(settings))
        publishers[Platform.X.value] = x_publisher
    worker = DeliveryWorker(
        db,
        publishers,
        renderer,
        clock,
        DeliveryOptions(max_attempts=settings.max_attempts),
    )
    app = App(
        settings=settings,
        clock=clock,
        db=db,
        fetcher=fetcher,
        ingestor=ingestor,
        outbox=outbox,
        renderer=renderer,
        worker=worker,
        publishers=publishers,
        telegram=telegram_app,
        x=x_publisher,
        backfill=backfill,
        polling=polling,
    )
    if settings.http_port is not None:
        app.web = WebServer(settings.http_host, settings.http_port)
    ingestor.on_new = app.on_new_article
    if telegram_app is not None:
        from handlers import register

        register(telegram_app, app)
    return app


def _telegram_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """A PTB application pointed at the configured Bot API root."""
    assert settings.telegram_bot_token is not None
    root = settings.telegram_api_url
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )


def _x_client(settings: Settings) -> tweepy.Client:
    """A tweepy client for the configured X API root and keys."""

    def secret(value: SecretStr | None) -> str:
        return value.get_secret_value() if value is not None else ""

    return make_x_client(
        settings.x_api_url,
        secret(settings.x_consumer_key),
        secret(settings.x_consumer_secret),
        secret(settings.x_access_token),
        secret(settings.x_access_token_secret),
    )
