"""`nashir backfill`: every source fetched once, what it holds stored, a summary printed."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.logs import NOISY
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.sources import SourceRepository
from bot.cli import main
from bot.core.redaction import RedactingFilter
from sandbox import ServerThread
from sandbox.demo_site import DemoSite


@pytest.fixture
def site() -> DemoSite:
    site = DemoSite(channel="yemen_news", x_handle="YemenNewsX")
    for _ in range(3):
        site.publish_next()
    return site


@pytest.fixture
def site_server(site: DemoSite) -> Iterator[ServerThread]:
    with ServerThread(site.app()) as server:
        yield server


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """`main()` configures logging for the process; give the next tests theirs back."""
    root = logging.getLogger()
    loggers = [root, *(logging.getLogger(name) for name in NOISY)]
    levels = [logger.level for logger in loggers]
    yield
    for handler in list(root.handlers):
        if any(isinstance(f, RedactingFilter) for f in handler.filters):
            root.removeHandler(handler)  # the one `configure_logging` installed
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, site_server: ServerThread
) -> Path:
    for name in ("TELEGRAM_BOT_TOKEN", "X_CONSUMER_KEY", "NASHIR_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NASHIR_DATABASE_URL", database_url)
    monkeypatch.setenv("NASHIR_SOURCES", f"{site_server.url}/rss.xml,{site_server.url}/gone.xml")
    monkeypatch.setenv("NASHIR_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("NASHIR_LOG_LEVEL", "WARNING")
    return tmp_path


def nashir(env: Path, *args: str) -> int:
    return main(["--env-file", os.devnull, *args])


def counts(database_url: str) -> tuple[int, dict[str, int], list[bool]]:
    async def read() -> tuple[int, dict[str, int], list[bool]]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                articles = await ArticleRepository(session).count()
                states = await OutboxRepository(session).counts()
                primed = [source.primed for source in await SourceRepository(session).all()]
        finally:
            await db.close()
        return articles, states, primed

    return asyncio.run(read())


def test_backfill_stores_what_each_source_holds_and_posts_nothing(
    env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nashir(env, "backfill") == 1  # one source failed: the exit says so
    err = capsys.readouterr().err
    articles, states, primed = counts(database_url)
    assert articles == 3
    assert states == {}
    assert primed == [True, False]  # the missing feed stays unprimed, to be tried again
    assert "2 sources polled, 1 failed; 3 new articles stored; 0 posts queued" in err
    assert "/rss.xml" in err
    assert "error: HTTP 404" in err
    failed = err[err.index("Failed sources") :]
    assert "/gone.xml" in failed
    assert "HTTP 404" in failed
    assert "/rss.xml" not in failed


def test_backfill_post_n_queues_the_newest_items_for_the_next_run(
    env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nashir(env, "backfill", "--post", "2") == 1
    err = capsys.readouterr().err
    articles, states, _ = counts(database_url)
    assert articles == 3
    assert states == {"pending": 2}  # two articles, to the console destination
    assert "3 new articles stored; 2 posts queued (`nashir run` sends them)" in err


def test_a_second_backfill_finds_nothing_new(
    env: Path, database_url: str, site: DemoSite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nashir(env, "backfill") == 1
    capsys.readouterr()
    assert nashir(env, "backfill") == 1
    assert "0 new articles stored" in capsys.readouterr().err
    assert counts(database_url)[0] == 3


def test_backfill_fails_when_no_source_can_be_read(
    env: Path, monkeypatch: pytest.MonkeyPatch, site_server: ServerThread
) -> None:
    monkeypatch.setenv("NASHIR_SOURCES", f"{site_server.url}/gone.xml")
    assert nashir(env, "backfill") == 1


def test_every_source_read_exits_0(
    env: Path, monkeypatch: pytest.MonkeyPatch, site_server: ServerThread
) -> None:
    monkeypatch.setenv("NASHIR_SOURCES", f"{site_server.url}/rss.xml")
    assert nashir(env, "backfill") == 0


def test_log_lines_go_through_the_progress_bars_console(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from io import StringIO

    from rich.console import Console

    from bot.adapters.logs import configure_logging
    from bot.adapters.settings import load_settings
    from bot.backfill import run_backfill

    settings = load_settings(env_file=None)
    configure_logging(level="WARNING", secrets=settings.secrets())
    screen = StringIO()
    console = Console(file=screen, force_terminal=True, width=200, color_system=None)
    assert asyncio.run(run_backfill(settings, post=0, console=console)) == 1
    shown = screen.getvalue()
    # The poll's warning was drawn by the same console as the bar, not written past it.
    assert "/gone.xml failed (1 in a row): HTTP 404" in shown
    assert "failed (1 in a row)" not in capsys.readouterr().err
    assert shown.index("/gone.xml failed") < shown.index("Failed sources")
    root = logging.getLogger()
    assert not any(type(handler).__name__ == "ConsoleHandler" for handler in root.handlers)
