"""A running Nashir for handler tests: one app per test module, driven through the fake Bot API.

Updates go in with `FakeTelegram.user_sends` / `user_presses` /
`user_inline_query` (fetched by PTB's long polling, or pushed to the webhook);
replies are read back from the fake. No handler function is ever called
directly. Tests in one module share the app, so each uses its own user ids.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.settings import load_settings
from bot.app import App, build
from bot.core.model import ArticleDraft
from sandbox import FakeTelegram, ServerThread, wait_until_async

TOKEN = "123456789:TEST-token_for_the_fake"
ADMIN = 900001
PG_ENV = "NASHIR_TEST_DATABASE_URL"


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when a server URL is configured."""
    return ["sqlite", "postgres"] if os.environ.get(PG_ENV) else ["sqlite"]


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh database (a PostgreSQL one is dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'nashir.db'}"
        return
    import asyncpg

    plain = os.environ[PG_ENV].replace("postgresql+asyncpg://", "postgresql://")
    name = f"nashir_{uuid.uuid4().hex[:12]}"

    def run(sql: str) -> None:
        async def go() -> None:
            conn = await asyncpg.connect(plain)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(go())

    import threading

    def in_thread(sql: str) -> None:  # the test loop is running: use another thread's loop
        thread = threading.Thread(target=run, args=(sql,))
        thread.start()
        thread.join()

    in_thread(f'CREATE DATABASE "{name}"')
    try:
        yield f"{plain.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    finally:
        in_thread(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Harness:
    """The app, the fake Bot API and helpers to talk to the bot like a user."""

    app: App
    fake: FakeTelegram

    def replies(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat, as the user sees them."""
        return self.fake.messages(chat_id)

    async def send(
        self, user_id: int, text: str, *, language: str | None = "ar", count: int = 1, **kw: Any
    ) -> list[dict[str, Any]]:
        """Send a message as a user in private; return the `count` new bot messages."""
        chat = kw.get("chat_id") or user_id
        before = len(self._messages(chat))
        self.fake.user_sends(user_id, text, language_code=language, **kw)
        await wait_until_async(lambda: len(self._messages(chat)) >= before + count, timeout=10)
        return self._messages(chat)[before:]

    async def ignored(self, user_id: int, text: str = "", **kw: Any) -> None:
        """Send something that must get no reply, then prove it was processed and ignored.

        Updates are handled in order, so once a /help sent after it is
        answered, the first one has been seen.
        """
        before = len(self._messages(user_id))
        chat = kw.get("chat_id")
        chat_before = len(self._messages(chat)) if chat else 0
        self.fake.user_sends(user_id, text, **kw)
        await self.send(user_id, "/help")
        assert len(self._messages(user_id)) == before + 1
        if chat:
            assert len(self._messages(chat)) == chat_before

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Press a button with this callback data; return the callback answer."""
        update = self.fake.user_presses(
            user_id, message["message_id"], data, chat_id=message["chat"]["id"]
        )
        query_id = update["callback_query"]["id"]
        await wait_until_async(lambda: query_id in self.fake.callback_answers, timeout=10)
        return self.fake.callback_answers[query_id]

    async def inline(self, user_id: int, query: str) -> dict[str, Any]:
        """Type `@bot query`; return the answerInlineQuery parameters."""
        update = self.fake.user_inline_query(user_id, query)
        query_id = update["inline_query"]["id"]
        await wait_until_async(lambda: query_id in self.fake.inline_answers, timeout=10)
        return self.fake.inline_answers[query_id]

    async def store(self, draft: ArticleDraft, *, announce: bool = False) -> int:
        """Store an article as ingest would; returns its id."""
        article = await self.app.ingestor.store(draft, source=None, announce=announce)
        assert article is not None
        return article.id

    async def deliver(self) -> None:
        """Run the delivery worker until nothing is due."""
        for _ in range(20):
            report = await self.app.worker.run_once()
            if not (report.sent or report.retried or report.failed or report.skipped):
                return

    def _messages(self, chat: int) -> list[dict[str, Any]]:
        try:
            return self.fake.messages(chat)
        except KeyError:
            return []


def button_data(message: dict[str, Any]) -> list[str]:
    """The callback data of every inline button of a message, row by row."""
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in keyboard for b in row if "callback_data" in b]


def button_texts(message: dict[str, Any]) -> list[str]:
    """The label of every inline button of a message."""
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in keyboard for b in row]


def draft(
    slug: str,
    title: str,
    *,
    tags: tuple[str, ...] = (),
    summary: str | None = None,
    reads: int | None = None,
    breaking: bool = False,
) -> ArticleDraft:
    """An article as a source would hand it over (complete, so no page is fetched)."""
    return ArticleDraft(
        url=f"https://news.example/{slug}",
        title=title,
        body=(summary or title, "فقرة ثانية من نص الخبر."),
        summary=summary,
        published_at=datetime.now(UTC),
        tags=tags,
        reads=reads,
        section="عاجل" if breaking else "محليات",
    )


async def running_app(
    url: str, telegram_url: str, fake: FakeTelegram, **env: str
) -> AsyncIterator[Harness]:
    """Build and start an app against the fake; stop it afterwards."""
    values = {
        "NASHIR_DATABASE_URL": url,
        "NASHIR_ALLOW_PRIVATE_URLS": "true",
        "NASHIR_COMPLETE_FROM_PAGE": "false",
        "NASHIR_MIN_GAP": "0",
        "NASHIR_ADMIN_IDS": str(ADMIN),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "TELEGRAM_CHANNELS": "@yemen_news",
        # Flood control is off in the fake unless a test turns it on, so replies need not
        # be spaced either; tests of the limits pass Telegram's rates back in `env`.
        "NASHIR_PRIVATE_RATE": "1000",
        "NASHIR_GROUP_RATE": "60000",
        **env,
    }
    webhook = values.pop("WEBHOOK", None)
    app = build(load_settings(values, env_file=None), webhook=webhook)
    await app.start()
    try:
        yield Harness(app, fake)
    finally:
        await app.stop()


def fresh_fake() -> FakeTelegram:
    """A fake Bot API with the site's channel and an admin who started the bot."""
    fake = FakeTelegram(token=TOKEN)
    fake.add_channel("@yemen_news", title="أخبار اليمن")
    fake.add_user(ADMIN, "Admin", "ar")
    return fake


def serve(fake: FakeTelegram) -> ServerThread:
    """The fake's server thread (a context manager)."""
    return fake.server()
