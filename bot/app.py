"""The composition root: settings in, the running parts out.

`build()` only constructs objects (no connection is opened, nothing is read
from the network); `App.start()` migrates the database, registers sources and
destinations, starts Telegram and the scheduler; `App.stop()` undoes it in
reverse. Tests, the demo and `nashir run` all go through here.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version

import tweepy
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from rich.console import Console
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.adapters.publishers.aiohttp_request import AiohttpRequest
from bot.adapters.publishers.console import ConsolePublisher
from bot.adapters.publishers.telegram import TelegramPublisher
from bot.adapters.publishers.x import XPublisher, image_fetcher
from bot.adapters.publishers.x_client import make_x_client
from bot.adapters.settings import Settings
from bot.adapters.sources.fetch import Fetcher
from bot.adapters.storage.admin_store import SqlAdminStore
from bot.adapters.storage.database import Database
from bot.adapters.storage.delivery_queue import SqlDeliveryQueue
from bot.adapters.storage.destinations import DestinationRepository
from bot.adapters.storage.digest_reads import SqlDigestReads
from bot.adapters.storage.held_posts import SqlHeldPosts
from bot.adapters.storage.ingest_store import SqlIngestStore, read_site_social
from bot.adapters.storage.pause_flag import SqlPauseFlag
from bot.adapters.storage.posted_copies import SqlPostedCopies, SqlRemovals
from bot.adapters.storage.reader_store import sql_reader_units
from bot.adapters.storage.render_reads import SqlRenderReads
from bot.adapters.storage.search_index import SqlSearchIndex
from bot.adapters.storage.settle_store import SqlSettleStore
from bot.adapters.storage.source_setting import register_setting_sources
from bot.adapters.storage.sources import SourceRepository
from bot.adapters.storage.trending_store import SqlTrendingStore
from bot.adapters.storage.unit_of_work import sql_units
from bot.adapters.storage.x_ledger import SqlXLedger
from bot.adapters.web import WebServer
from bot.core.clock import SystemClock
from bot.core.events import Events
from bot.core.formatting.telegram import warn_about_dropped_links
from bot.core.model import Article, DestinationKind, Platform, SocialLinks, Source
from bot.core.ports import Clock, Publisher, UnitOfWork
from bot.core.ratelimit import TelegramLimiter
from bot.core.redaction import redact_records, register_secret
from bot.entrypoints.hooks import hook_routes
from bot.entrypoints.metrics import PrometheusEvents, metrics_server
from bot.options import (
    budget_options,
    delivery_options,
    digest_options,
    format_options,
    ingest_options,
    quiet_watch_options,
    social_overrides,
    telegram_limits,
    trending_options,
)
from bot.services.admin_service import AdminOptions, AdminService
from bot.services.alerts import AlertingEvents, Alerts
from bot.services.approval import Approval
from bot.services.control import is_paused, set_paused
from bot.services.delivery import DeliveryWorker
from bot.services.digests import DigestRenderer, Digests
from bot.services.ingest import Ingestor
from bot.services.outbox import Outbox, OutboxOptions
from bot.services.publishing import ApprovalRule, Publishing, PublishingOptions
from bot.services.removal import delete_everywhere
from bot.services.rendering import Renderer
from bot.services.revisions import Revisions
from bot.services.search import Search
from bot.services.subscribers import Subscribers
from bot.services.trending import Trending
from bot.services.xbudget import XBudget
from handlers.context import Services, button_key, sign_button
from handlers.notify import AdminNotifier, admin_chats
from scheduler.jobs import Jobs
from scheduler.leader import LeaderLock
from scheduler.setup import NashirScheduler, ScheduleOptions, SchedulerPolls, new_scheduler

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
    digests: Digests
    trending: Trending
    revisions: Revisions
    admin: AdminService
    scheduler: NashirScheduler  # jobs are added by `bot.runner.serve`, which starts it
    jobs: Jobs
    schedule: ScheduleOptions
    telegram: Application | None = None  # type: ignore[type-arg]
    x: XPublisher | None = None
    events: Events = field(default_factory=Events)
    web: WebServer | None = None
    metrics_web: WebServer | None = None  # /metrics and /healthz (bot.entrypoints.metrics)
    backfill: int = 0
    polling: bool = True
    x_account: str | None = None
    _x_compared: bool = False
    limiter: TelegramLimiter | None = None
    x_budget: XBudget | None = None
    approval: Approval | None = None
    alerts: Alerts | None = None
    webhook_url: str | None = None  # set in webhook mode: updates come to `web`, not polling
    webhook_secret: str = ""
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _warned_links: set[str] = field(default_factory=set)  # social links Telegram would drop
    _withdraw_secrets: Callable[[], None] | None = None

    async def start(self, *, read_updates: bool = True) -> None:
        """Migrate, register sources and destinations, start Telegram.

        `read_updates=False` leaves long polling to the leader (`scheduler.jobs.on_elected`).
        """
        await self.db.upgrade()
        await register_setting_sources(self.db, self.settings.sources, self.clock.now())
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

            await on_start(
                self.telegram,
                admin_ids=self.settings.admin_ids,
                language=self.settings.language,
                webhook=(self.webhook_url, self.webhook_secret) if self.webhook_url else None,
            )
            await self.publishing.replay_asks()  # approval requests a crash kept from the admins
            polls = read_updates and self.polling and self.webhook_url is None
            if polls and self.telegram.updater is not None:
                await self.telegram.updater.start_polling(drop_pending_updates=False)
        if self.x is not None:
            await self._check_x_account()

    async def stop(self) -> None:
        """Stop Telegram, close connections: every step runs, even after one that failed.

        A start that failed half way (a port in use) leaves some parts never
        started; the database must still be closed after them.
        """
        steps: list[Callable[[], Awaitable[None]]] = [self._stop_telegram]
        if self.web is not None:
            steps.append(self.web.stop)
        steps.append(self.fetcher.aclose)
        if self.metrics_web is not None:
            steps.append(self.metrics_web.stop)
        self.outbox.close()
        for step in [*steps, self.db.close]:
            try:
                await step()
            except Exception as exc:
                log.warning("while stopping: %s", exc)
        if self._withdraw_secrets is not None:
            self._withdraw_secrets()

    async def _stop_telegram(self) -> None:
        if self.telegram is None:
            return
        if self.telegram.updater is not None and self.telegram.updater.running:
            await self.telegram.updater.stop()
        if self.telegram.running:
            await self.telegram.stop()
        await self.telegram.shutdown()

    @property
    def scheduler_running(self) -> bool:
        """Whether the scheduler runs (what /healthz reports)."""
        return bool(self.scheduler.running)

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
        if self.telegram is not None:  # the footer's links, as the renderer merges them
            shown = social_overrides(self.settings).merged(social)
            warn_about_dropped_links(shown, log, seen=self._warned_links)
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
        await self.revisions.revise(article_id)

    async def on_new_article(
        self, article: Article, source: Source | None, unit: UnitOfWork
    ) -> None:
        """Queue a newly stored article's posts in the transaction that stores it."""
        await self.publishing.announce(article, unit)

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


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    console: Console | None = None,
    backfill: int = 0,
    polling: bool = True,
    webhook: str | None = None,
) -> App:
    """Construct every part from the settings; nothing is opened yet, nothing assigned later.

    Each part receives what it needs when it is made. The few calls that must
    reach the finished app (a new article is announced through
    `App.on_new_article`, the scheduler's health) go through closures over
    `app`, which run only after `build` has returned.
    """
    withdraw_secrets = redact_records(settings.secrets())  # PTB logs its URL when built
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    limiter = TelegramLimiter(telegram_limits(settings))
    telegram_app = _telegram_application(settings, limiter) if settings.telegram_bot_token else None
    callback_key = button_key(
        settings.telegram_bot_token.get_secret_value()
        if settings.telegram_bot_token is not None
        else secrets.token_hex(16)
    )
    renderer = Renderer(
        SqlRenderReads(db),
        format_options(settings),
        social=lambda: read_site_social(db),
        overrides=social_overrides(settings),
        clock=clock,
    )
    notifier = _admin_notifier(settings, telegram_app, renderer, callback_key)
    alerts = Alerts(clock, send=notifier.send if notifier is not None else None)
    metrics = PrometheusEvents(CollectorRegistry()) if settings.metrics_port is not None else None
    events = AlertingEvents(
        metrics or Events(), alerts, source_failures=settings.alert_source_failures
    )
    fetcher = Fetcher.create(
        version=version("nashir"),
        homepage=settings.contact_url or "news distribution bot",
        read_timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        allow_private=settings.allow_private_urls,
    )
    outbox = Outbox(
        SqlSettleStore(db),
        clock,
        OutboxOptions(
            min_gap=settings.min_gap,
            freshness=timedelta(hours=settings.freshness_hours),
            zone=settings.zone,
        ),
    )
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
        events=events,
        ask=notifier.ask if notifier is not None else None,
    )
    approval = Approval(
        SqlHeldPosts(db), clock, publishing, ask=notifier.ask if notifier is not None else None
    )

    async def announce(article: Article, source: Source | None, unit: UnitOfWork) -> None:
        await app.on_new_article(article, source, unit)

    async def register_destinations() -> None:
        await app.ensure_destinations()

    async def changed(article_id: int) -> None:
        await app.on_changed_article(article_id)

    ingestor = Ingestor(
        SqlIngestStore(db),
        fetcher,
        clock,
        ingest_options(settings),
        on_new=announce,
        before_new=register_destinations,
        on_changed=changed,
        events=events,
    )
    publishers: dict[str, Publisher] = {}
    if telegram_app is not None:
        publishers[Platform.TELEGRAM.value] = TelegramPublisher(
            telegram_app.bot, paid_broadcast=settings.paid_broadcast
        )
    else:
        publishers[Platform.CONSOLE.value] = ConsolePublisher(console)
    x_publisher = None
    if settings.x_enabled:
        x_publisher = XPublisher(
            _x_client(settings),
            fetch_image=image_fetcher(fetcher) if settings.x_images else None,
        )
        publishers[Platform.X.value] = x_publisher
    x_budget = XBudget(SqlXLedger(db), clock, budget_options(settings), events=events)
    worker = DeliveryWorker(
        SqlDeliveryQueue(db),
        publishers,
        DigestRenderer(renderer),
        clock,
        delivery_options(settings),
        limiter=limiter,
        budget=x_budget if x_publisher is not None else None,
        alert=alerts.tell,
        events=events,
    )
    digests = Digests(SqlDigestReads(db), clock, publishing, digest_options(settings))
    trending = Trending(
        SqlTrendingStore(db), clock, ingestor, publishing, trending_options(settings)
    )
    webhook_url = webhook if telegram_app is not None else None
    leader = LeaderLock(
        db, on_elected=lambda: jobs.on_elected(), on_deposed=lambda: jobs.on_deposed()
    )
    jobs = Jobs(
        db,
        clock,
        ingestor=ingestor,
        worker=worker,
        outbox=outbox,
        digests=digests,
        trending=trending,
        quiet=quiet_watch_options(settings),
        alert=alerts.tell,
        leader=leader,
        telegram=telegram_app,
        read_updates=polling and webhook_url is None,
        backfill=backfill,
    )
    schedule = ScheduleOptions.from_settings(settings)
    scheduler = new_scheduler(schedule, db)
    revisions = Revisions(SqlPostedCopies(db), publishers, renderer, limiter)

    async def ensure_destinations() -> None:
        await app.ensure_destinations()

    admin = AdminService(
        SqlAdminStore(db),
        clock,
        fetcher=fetcher,
        ingestor=ingestor,
        publishing=publishing,
        renderer=renderer,
        publishers=publishers,
        budget=x_budget if x_publisher is not None else None,
        polls=SchedulerPolls(scheduler, jobs, schedule),
        ensure_destinations=ensure_destinations,
        revise=revisions.revise,
        delete_article=functools.partial(delete_everywhere, SqlRemovals(db), clock, publishers),
        is_paused=functools.partial(is_paused, SqlPauseFlag(db)),
        set_paused=functools.partial(set_paused, SqlPauseFlag(db)),
        options=AdminOptions(zone=settings.zone, allow_private_urls=settings.allow_private_urls),
    )
    webhook_secret = ""
    if webhook_url is not None:
        configured = settings.telegram_webhook_secret
        webhook_secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
        # A secret made now is hidden before PTB logs setWebhook with it (--debug).
        withdraw_secrets = _both(withdraw_secrets, register_secret(webhook_secret))
    web = _public_server(settings, webhook=webhook_url is not None)
    metrics_web = (
        metrics_server(
            settings.metrics_host,
            settings.metrics_port,
            metrics,
            db,
            clock,
            budget=lambda: worker.budget,
            scheduler_running=lambda: bool(scheduler.running),
            max_poll_age=settings.health_poll_age,
        )
        if metrics is not None and settings.metrics_port is not None
        else None
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
        digests=digests,
        trending=trending,
        revisions=revisions,
        admin=admin,
        scheduler=scheduler,
        jobs=jobs,
        schedule=schedule,
        telegram=telegram_app,
        x=x_publisher,
        events=events,
        web=web,
        metrics_web=metrics_web,
        backfill=backfill,
        polling=polling,
        limiter=limiter,
        x_budget=x_budget,
        approval=approval,
        alerts=alerts,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        _withdraw_secrets=withdraw_secrets,
    )
    if web is not None and settings.hook_secret is not None:
        web.add(
            hook_routes(settings.hook_secret, db, clock, ingestor)
        )  # bot.entrypoints.hooks: the CMS
    if telegram_app is not None:
        from handlers import register

        register(
            telegram_app,
            handler_services(settings, app, approval, alerts, callback_key),
            webhook=(webhook_url, webhook_secret) if webhook_url is not None else None,
            web=web,
        )
    return app


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    """One call that withdraws two sets of redacted secrets."""

    def withdraw() -> None:
        first()
        second()

    return withdraw


def _public_server(settings: Settings, *, webhook: bool) -> WebServer | None:
    """The public HTTP server (CMS hook, Telegram webhook), when anything needs it."""
    if settings.http_port is not None:
        return WebServer(settings.http_host, settings.http_port)
    if webhook:
        return WebServer(settings.http_host, WEBHOOK_PORT)
    return None


def _admin_notifier(
    settings: Settings,
    telegram_app: Application | None,  # type: ignore[type-arg]
    renderer: Renderer,
    callback_key: bytes,
) -> AdminNotifier | None:
    """How alerts and approval requests reach the admins (None without Telegram)."""
    if telegram_app is None:
        return None
    return AdminNotifier(
        telegram_app,
        chats=admin_chats(settings.admin_chat_id, settings.admin_ids),
        language=settings.language,
        renderer=renderer,
        sign=functools.partial(sign_button, callback_key),
    )


def handler_services(
    settings: Settings, app: App, approval: Approval, alerts: Alerts, callback_key: bytes
) -> Services:
    """What the Telegram handlers call, and the few settings they read."""
    return Services(
        subscribers=Subscribers(sql_reader_units(app.db), app.clock),
        search=Search(SqlSearchIndex(app.db)),
        admin=app.admin,
        renderer=app.renderer,
        approval=approval,
        alerts=alerts,
        callback_key=callback_key,
        language=settings.language,
        zone=settings.zone,
        admin_chat_id=settings.admin_chat_id,
        bot_name=settings.bot_name or None,
        admin_ids=frozenset(settings.admin_ids),
    )


def _telegram_application(settings: Settings, limiter: TelegramLimiter) -> Application:  # type: ignore[type-arg]
    """A PTB application pointed at the configured Bot API root; replies share `limiter`."""
    from handlers.context import BotContext
    from handlers.replies import ReplyLimiter, UserLanes

    assert settings.telegram_bot_token is not None
    root = settings.telegram_api_url
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        .request(AiohttpRequest(connections=settings.delivery_concurrency + 8))
        .rate_limiter(ReplyLimiter(limiter))
        .concurrent_updates(UserLanes())
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
