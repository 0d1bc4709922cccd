"""The composition root: settings in, the running parts out.

`build()` only constructs objects (no connection is opened, nothing is read
from the network); `App.start()` migrates the database, registers sources and
destinations, starts Telegram and the scheduler; `App.stop()` undoes it in
reverse. Tests, the demo and `nashir run` all go through here.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version

import tweepy
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from rich.console import Console
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.alerts import AlertingEvents, Alerts
from bot.approval import Approval
from bot.clock import SystemClock
from bot.delivery import DeliveryOptions, DeliveryWorker
from bot.digests import DigestRenderer
from bot.events import Events
from bot.formatting import FormatOptions
from bot.formatting.options import UtmOptions
from bot.hooks import hook_routes
from bot.ingest import IngestOptions, Ingestor
from bot.logs import redact_records
from bot.metrics import PrometheusEvents, metrics_server
from bot.model import Article, Destination, DestinationKind, Platform, SocialLinks, Source
from bot.outbox import Outbox, OutboxOptions
from bot.ports import Clock, Publisher, UnitOfWork
from bot.publishers.aiohttp_request import AiohttpRequest
from bot.publishers.console import ConsolePublisher
from bot.publishers.telegram import TelegramPublisher
from bot.publishers.x import XPublisher
from bot.publishers.x_client import make_x_client
from bot.publishing import ApprovalRule, Publishing, PublishingOptions
from bot.ratelimit import Limits, TelegramLimiter
from bot.rendering import Renderer
from bot.revisions import revise
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.database import Database
from bot.storage.destinations import DestinationRepository
from bot.storage.sources import SourceRepository
from bot.storage.unit_of_work import sql_units
from bot.web import WebServer
from bot.xbudget import BudgetOptions, XBudget

log = logging.getLogger(__name__)

WEBHOOK_PORT = 8080  # where `--webhook` listens when NASHIR_HTTP_PORT is unset


@dataclass
class App:
    """Every long-lived part of a running Nashir, wired together."""

    settings: Settings
    clock: Clock
    db: Database
    fetcher: Fetcher
    ingestor: Ingestor
    outbox: Outbox
    publishing: Publishing
    renderer: Renderer
    worker: DeliveryWorker
    publishers: dict[str, Publisher]
    telegram: Application | None = None  # type: ignore[type-arg]
    x: XPublisher | None = None
    events: Events = field(default_factory=Events)
    web: WebServer | None = None
    metrics_web: WebServer | None = None  # /metrics and /healthz (bot.metrics)
    scheduler: AsyncIOScheduler | None = None
    backfill: int = 0
    polling: bool = True
    x_account: str | None = None
    _x_compared: bool = False
    limiter: TelegramLimiter | None = None
    x_budget: XBudget | None = None
    approval: Approval | None = None
    alerts: Alerts | None = None
    webhook_url: str | None = None
    webhook_secret: str = ""
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _withdraw_secrets: Callable[[], None] | None = None

    async def start(self, *, read_updates: bool = True) -> None:
        """Migrate, register sources and destinations, start Telegram.

        `read_updates=False` leaves long polling to the leader (`scheduler.jobs.on_elected`).
        """
        await self.db.upgrade()
        now = self.clock.now()
        async with self.db.session() as session:
            sources = SourceRepository(session)
            for url in self.settings.sources:
                await sources.ensure(url, now)
            await session.commit()
        await self.ensure_destinations()
        await self.worker.recover()
        if self.metrics_web is not None:
            await self.metrics_web.start()
        if self.web is not None:
            await self.web.start()
        if self.telegram is not None:
            await self.telegram.initialize()
            await self.telegram.start()
            from handlers import on_start

            await on_start(self)
            await self.publishing.replay_asks()  # approval requests a crash kept from the admins
            polls = read_updates and self.polling and self.webhook_url is None
            if polls and self.telegram.updater is not None:
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
        self.outbox.close()
        if self.metrics_web is not None:
            await self.metrics_web.stop()
        await self.db.close()
        if self._withdraw_secrets is not None:
            self._withdraw_secrets()

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

    async def on_changed_article(self, article_id: int) -> None:
        """The site edited a story: edit its posts in place where the platform allows."""
        await revise(self, article_id)

    async def on_new_article(
        self, article: Article, source: Source | None, unit: UnitOfWork
    ) -> None:
        """Queue a newly stored article's posts in the transaction that stores it."""
        await self.publishing.announce(article, unit)

    async def ask_admins(self, article: Article, held: Sequence[Destination]) -> None:
        """Ask the admins to approve posts held for them (once the Telegram side can)."""
        if self.approval is not None and self.approval.ask is not None:
            await self.approval.ask(article, held)

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
    webhook: str | None = None,
) -> App:
    """Construct every part from the settings; nothing is opened yet."""
    withdraw_secrets = redact_records(settings.secrets())  # PTB logs its URL when built
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
            min_gap=settings.min_gap,
            freshness=timedelta(hours=settings.freshness_hours),
            zone=settings.zone,
        ),
    )

    async def ask_admins(article: Article, held: Sequence[Destination]) -> None:
        await app.ask_admins(article, held)

    publishing = Publishing(
        sql_units(db),
        clock,
        PublishingOptions(
            min_gap=settings.min_gap,
            freshness=timedelta(hours=settings.freshness_hours),
            zone=settings.zone,
            approval=ApprovalRule.of(
                settings.approval_destinations, breaking_bypass=settings.approval_breaking_bypass
            ),
        ),
        search=outbox.search,
        ask=ask_admins,
    )
    ingestor = Ingestor(
        db,
        fetcher,
        clock,
        IngestOptions(
            poll_interval=settings.poll_interval,
            complete_from_page=settings.complete_from_page,
            breaking_markers=settings.breaking_markers,
            jitter=settings.poll_jitter,
            max_backoff=settings.poll_backoff_max,
            host_concurrency=settings.host_concurrency,
            max_reads_per_hour=settings.reads_max_per_hour,
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
        publishers[Platform.TELEGRAM.value] = TelegramPublisher(
            telegram_app.bot, paid_broadcast=settings.paid_broadcast
        )
    else:
        publishers[Platform.CONSOLE.value] = ConsolePublisher(console)
    x_publisher = None
    if settings.x_enabled:
        x_publisher = XPublisher(_x_client(settings), images=settings.x_images)
        publishers[Platform.X.value] = x_publisher
    limiter = TelegramLimiter(telegram_limits(settings))
    x_budget = XBudget(db, clock, budget_options(settings))
    worker = DeliveryWorker(
        db,
        publishers,
        DigestRenderer(renderer),
        clock,
        delivery_options(settings),
        limiter=limiter,
        budget=x_budget if x_publisher is not None else None,
    )
    app = App(
        settings=settings,
        clock=clock,
        db=db,
        fetcher=fetcher,
        ingestor=ingestor,
        outbox=outbox,
        publishing=publishing,
        renderer=renderer,
        worker=worker,
        publishers=publishers,
        telegram=telegram_app,
        x=x_publisher,
        backfill=backfill,
        polling=polling,
        limiter=limiter,
        x_budget=x_budget,
        _withdraw_secrets=withdraw_secrets,
    )
    if settings.http_port is not None:
        app.web = WebServer(settings.http_host, settings.http_port)
    if settings.metrics_port is not None:  # -- operations: Prometheus and /healthz
        metrics = PrometheusEvents(CollectorRegistry())
        app.events = metrics
        app.metrics_web = metrics_server(app, metrics)
    ingestor.on_new = app.on_new_article
    ingestor.before_new = app.ensure_destinations
    ingestor.on_changed = app.on_changed_article
    # -- handlers: approval mode, admin alerts, webhook ---------------------------------
    app.approval = Approval(db, clock, publishing)
    app.alerts = Alerts(clock)
    worker.alert = app.alerts.tell
    app.events = AlertingEvents(
        app.events, app.alerts, source_failures=settings.alert_source_failures
    )
    if webhook is not None and telegram_app is not None:
        secret = settings.telegram_webhook_secret
        app.webhook_url = webhook
        app.webhook_secret = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
        if app.web is None:
            app.web = WebServer(settings.http_host, WEBHOOK_PORT)
    if app.web is not None and settings.hook_secret is not None:
        app.web.add(hook_routes(app))  # the CMS announces articles (bot.hooks)
    if telegram_app is not None:
        from handlers import register

        register(telegram_app, app)
    worker.events = x_budget.events = app.events  # delivery reports to whoever watches
    ingestor.events = publishing.events = app.events  # polls, stored articles, queued posts
    return app


def delivery_options(settings: Settings) -> DeliveryOptions:
    """Batching, concurrency and retries of the delivery worker from the settings."""
    return DeliveryOptions(
        batch_size=settings.delivery_batch,
        concurrency=settings.delivery_concurrency,
        max_attempts=settings.max_attempts,
        base_backoff=settings.backoff_base,
        max_backoff=settings.backoff_max,
        claim_lease=timedelta(seconds=settings.claim_lease),
    )


def telegram_limits(settings: Settings) -> Limits:
    """Telegram's rate limits as configured."""
    return Limits(
        per_second=settings.telegram_rate,
        paid_per_second=settings.paid_broadcast_rate,
        paid_broadcast=settings.paid_broadcast,
        private_per_second=settings.private_rate,
        group_per_minute=settings.group_rate,
    )


def budget_options(settings: Settings) -> BudgetOptions:
    """The X budget as configured."""
    return BudgetOptions(
        posts_per_day=settings.x_posts_per_day,
        money_per_month=settings.x_money_per_month,
        price_post=settings.x_price_post,
        price_post_with_link=settings.x_price_post_with_link,
        reserve=settings.x_reserve,
    )


def _telegram_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """A PTB application pointed at the configured Bot API root."""
    from handlers.context import BotContext

    assert settings.telegram_bot_token is not None
    root = settings.telegram_api_url
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        .request(AiohttpRequest(connections=settings.delivery_concurrency + 8))
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
