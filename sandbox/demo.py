"""`nashir demo`: the real bot, run for half a minute against local stand-ins.

A bundled demo site publishes a dozen Arabic stories over time, a fake Bot
API and a fake X API (the ones the tests use) receive the posts, and SQLite
lives in a temporary folder. Everything between them is the production code
path of `nashir run`: the scheduler polls, ingest stores, the outbox queues,
the delivery worker sends through python-telegram-bot and tweepy over HTTP.
The demo exits 0 only if every article reached every destination exactly
once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.adapters.logs import configure_logging
from bot.adapters.settings import load_settings
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.outbox import OutboxRepository
from bot.app import build
from bot.core.text.telegram_html import parse_html
from bot.runner import serve, stop_on_signals
from sandbox import FakeTelegram, FakeX, ServerThread, wait_until_async
from sandbox.demo_site import DemoSite

DEMO_TOKEN = "700000001:DEMO-token-for-the-local-fake-bot-api"
DEMO_CHANNEL = "nashir_demo"
FIRST_BATCH = 4
PUBLISH_EVERY = 1.5
READER_ID = 424242


@dataclass
class Seen:
    """What the demo has shown so far, to print each post once."""

    telegram: int = 0
    x: int = 0
    per_destination: Counter[str] = field(default_factory=Counter)
    texts: Counter[tuple[str, str]] = field(default_factory=Counter)
    posts: dict[str, list[dict[str, object]]] = field(
        default_factory=lambda: {"telegram": [], "x": []}
    )


async def run_demo(
    *, seconds: float = 30.0, debug: bool = False, save_posts: Path | None = None
) -> int:
    """Run the demo; 0 when every article was posted exactly once everywhere.

    `save_posts` receives the posts as the fakes stored them (JSON), which
    `docs/render_posts.py` draws the README's pictures from.
    """
    console = Console()
    site = DemoSite(channel=DEMO_CHANNEL, x_handle=DEMO_CHANNEL)
    telegram = FakeTelegram(token=DEMO_TOKEN, bot_username="nashir_demo_bot")
    channel_id = telegram.add_channel(f"@{DEMO_CHANNEL}", title="ناشر — تجربة")
    telegram.add_user(READER_ID, "قارئ", "ar")
    x = FakeX(username=DEMO_CHANNEL)
    with (
        tempfile.TemporaryDirectory(prefix="nashir-demo-") as tmp,
        ServerThread(site.app()) as site_server,
        ServerThread(telegram.app()) as telegram_server,
        ServerThread(x.app()) as x_server,
    ):
        log_file = Path(tempfile.gettempdir()) / "nashir-demo.log"
        for _ in range(FIRST_BATCH):
            site.publish_next()
        settings = load_settings(
            {
                "NASHIR_DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'nashir.db'}",
                "NASHIR_SOURCES": f"{site_server.url}/rss.xml",
                "NASHIR_POLL_INTERVAL": "2",
                "NASHIR_MIN_GAP": "1",
                "NASHIR_DELIVER_INTERVAL": "0.5",
                "NASHIR_ALLOW_PRIVATE_URLS": "true",
                "NASHIR_DIGEST_TIMES": "off",  # the demo counts new-article posts only
                "NASHIR_TRENDING_TOP": "0",
                "NASHIR_LOG_LEVEL": "DEBUG" if debug else "INFO",
                "TELEGRAM_BOT_TOKEN": DEMO_TOKEN,
                "TELEGRAM_API_URL": telegram_server.url,
                "X_CONSUMER_KEY": "demo-consumer-key",
                "X_CONSUMER_SECRET": "demo-consumer-secret",
                "X_ACCESS_TOKEN": "demo-access-token",
                "X_ACCESS_TOKEN_SECRET": "demo-access-secret",
                "X_API_URL": x_server.url,
            },
            env_file=None,
        )
        with log_file.open("w", encoding="utf-8") as log_stream:
            configure_logging(
                level=settings.log_level, secrets=settings.secrets(), stream=log_stream
            )
            console.print(
                Panel(
                    f"Demo site [bold]{site_server.url}[/bold] · fake Bot API {telegram_server.url}"
                    f" · fake X API {x_server.url}\nPosting to Telegram @{DEMO_CHANNEL} and X"
                    f" @{DEMO_CHANNEL} for up to {seconds:.0f} s. Log: {log_file}",
                    title="Nashir demo",
                    expand=False,
                )
            )
            app = build(settings, backfill=FIRST_BATCH)
            stop = asyncio.Event()
            stop_on_signals(stop)
            runner = asyncio.create_task(serve(app, stop))
            seen = Seen()
            try:
                await _drive(site, telegram, x, channel_id, seen, console, seconds, runner)
                await _reader_asks(telegram, console)
                _show_new(telegram, x, channel_id, seen, console)
            finally:
                stop.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
            async with app.db.session() as session:
                stored = await ArticleRepository(session).count()
                states = await OutboxRepository(session).counts()
            await app.db.close()
            if save_posts is not None:
                kept = {"channel": DEMO_CHANNEL, "title": "ناشر — تجربة", **seen.posts}
                document = json.dumps(kept, ensure_ascii=False, indent=1)
                await asyncio.to_thread(save_posts.write_text, document, "utf-8")
            return _summary(console, site.total, stored, states, seen)


async def _drive(
    site: DemoSite,
    telegram: FakeTelegram,
    x: FakeX,
    channel_id: int,
    seen: Seen,
    console: Console,
    seconds: float,
    runner: asyncio.Task[None],
) -> None:
    """Publish stories over time and show each post as it lands."""
    started = time.monotonic()
    next_publish = started + PUBLISH_EVERY
    while time.monotonic() - started < seconds:
        if runner.done():
            runner.result()
            return
        now = time.monotonic()
        if now >= next_publish and site.publish_next():
            next_publish = now + PUBLISH_EVERY
        site.tick()
        _show_new(telegram, x, channel_id, seen, console)
        if site.remaining == 0 and min(seen.telegram, seen.x) >= site.total:
            return
        await asyncio.sleep(0.25)


async def _reader_asks(telegram: FakeTelegram, console: Console) -> None:
    """A reader talks to the bot: the handlers answer through the same fake."""
    before = len(telegram.messages(READER_ID))
    telegram.user_sends(READER_ID, "/latest 3")
    with contextlib.suppress(TimeoutError):
        await wait_until_async(lambda: len(telegram.messages(READER_ID)) > before, timeout=5)
    replies = telegram.messages(READER_ID)[before:]
    for reply in replies:
        visible, _ = parse_html(reply.get("text", ""), strict=False)
        console.print(
            Panel(Text(visible), title="reader: /latest 3 → bot", expand=False, title_align="left")
        )


def _show_new(
    telegram: FakeTelegram, x: FakeX, channel_id: int, seen: Seen, console: Console
) -> None:
    posts = telegram.messages(channel_id)
    for message in posts[seen.telegram :]:
        body = message.get("caption") or message.get("text") or ""
        visible, _ = parse_html(body, strict=False)
        kind = "photo" if message.get("photo") else "text"
        console.print(
            Panel(
                Text(visible),
                title=f"Telegram @{DEMO_CHANNEL} · {kind}",
                title_align="left",
                border_style="cyan",
                expand=False,
            )
        )
        seen.per_destination["telegram"] += 1
        seen.texts[("telegram", visible)] += 1
        seen.posts["telegram"].append(message)
    seen.telegram = len(posts)
    tweets = x.tweets
    for tweet in tweets[seen.x :]:
        console.print(
            Panel(
                Text(tweet["text"]),
                title=f"X @{DEMO_CHANNEL}",
                title_align="left",
                border_style="magenta",
                expand=False,
            )
        )
        seen.per_destination["x"] += 1
        seen.texts[("x", tweet["text"])] += 1
        seen.posts["x"].append(tweet)
    seen.x = len(tweets)


def _summary(
    console: Console, published: int, stored: int, states: dict[str, int], seen: Seen
) -> int:
    doubled = [title for title, count in seen.texts.items() if count > 1]
    table = Table(title="Nashir demo: summary")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles on the demo site", str(published))
    table.add_row("articles stored", str(stored))
    table.add_row("posted to Telegram channel", str(seen.per_destination["telegram"]))
    table.add_row("posted to X", str(seen.per_destination["x"]))
    table.add_row("deliveries failed", str(states.get("failed", 0)))
    table.add_row(
        "deliveries still queued", str(states.get("pending", 0) + states.get("sending", 0))
    )
    table.add_row("posts doubled", str(len(doubled)))
    console.print(table)
    ok = (
        stored == published
        and seen.per_destination["telegram"] == published
        and seen.per_destination["x"] == published
        and not doubled
    )
    if ok:
        console.print("[green]Every article was posted exactly once to each destination.[/green]")
        return 0
    console.print("[red]Not every article was posted exactly once; see the log.[/red]")
    logging.getLogger(__name__).error("demo incomplete: %s", states)
    return 1
