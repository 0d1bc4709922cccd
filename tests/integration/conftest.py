"""Fixtures that serve the fake Bot API and fake X API on local ports.

Each test gets fresh fakes on their own servers; the real python-telegram-bot
and tweepy talk to them over HTTP.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import telegram
import tweepy
from rich.console import Console

from bot.adapters.logs import NOISY
from bot.adapters.publishers.x_client import make_x_client
from bot.adapters.settings import load_settings
from bot.app import App, build
from bot.core.clock import ManualClock
from sandbox import FakeTelegram, FakeX, ServerThread

X_KEYS = ("consumer-key", "consumer-secret", "access-token", "access-secret")


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations; otherwise every RetryAfter warns (an error here)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def fake_telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def telegram_server(fake_telegram: FakeTelegram) -> Iterator[ServerThread]:
    with fake_telegram.server() as server:
        yield server


@pytest.fixture
def telegram_base_url(telegram_server: ServerThread) -> str:
    """What PTB takes as ``base_url``: the token and method are appended to it."""
    return f"{telegram_server.url}/bot"


@pytest.fixture
async def tg_bot(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(fake_telegram.token, base_url=telegram_base_url)
    async with bot:
        yield bot


@pytest.fixture
def fake_x() -> FakeX:
    return FakeX(username="YemenNewsX")


@pytest.fixture
def x_server(fake_x: FakeX) -> Iterator[ServerThread]:
    with fake_x.server() as server:
        yield server


@pytest.fixture
def x_client(x_server: ServerThread) -> tweepy.Client:
    return make_x_client(x_server.url, *X_KEYS, timeout=5.0)


AppFactory = Callable[..., App]


@pytest.fixture
def app_defaults() -> dict[str, str]:
    """Settings a test module wants for every app it builds (override per module)."""
    return {}


@pytest.fixture
async def make_app(database_url: str, app_defaults: dict[str, str]) -> AsyncIterator[AppFactory]:
    """Build apps on a controlled clock, with no Telegram or X; stopped after the test."""
    built: list[App] = []

    def factory(clock: ManualClock, output: io.StringIO | None = None, **env: str) -> App:
        values = {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_COMPLETE_FROM_PAGE": "false",
            "NASHIR_ALLOW_PRIVATE_URLS": "true",
            **app_defaults,
            **env,
        }
        app = build(
            load_settings(values, env_file=None),
            clock=clock,
            console=Console(file=output or io.StringIO(), width=200),
            polling=False,
        )
        built.append(app)
        return app

    yield factory
    for app in built:
        await app.stop()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """`nashir`'s `main` configures logging for a whole process; give the next tests theirs back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in NOISY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)
