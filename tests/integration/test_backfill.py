"""`nashir backfill`: every source fetched once, what it holds stored, a summary printed."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.logs import NOISY, RedactingFilter
from bot.sandbox import ServerThread
from bot.sandbox.demo_site import DemoSite
from bot.storage.articles import ArticleRepository
from bot.storage.database import Database
from bot.storage.outbox import OutboxRepository
from bot.storage.sources import SourceRepository


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
    assert nashir(env, "backfill") == 0
    err = capsys.readouterr().err
    articles, states, primed = counts(database_url)
    assert articles == 3
    assert states == {}
    assert primed == [True, False]  # the missing feed stays unprimed, to be tried again
    assert "2 sources polled, 1 failed; 3 new articles stored; 0 posts queued" in err
    assert "/rss.xml" in err
    assert "error: HTTP 404" in err


def test_backfill_post_n_queues_the_newest_items_for_the_next_run(
    env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nashir(env, "backfill", "--post", "2") == 0
    err = capsys.readouterr().err
    articles, states, _ = counts(database_url)
    assert articles == 3
    assert states == {"pending": 2}  # two articles, to the console destination
    assert "3 new articles stored; 2 posts queued (`nashir run` sends them)" in err


def test_a_second_backfill_finds_nothing_new(
    env: Path, database_url: str, site: DemoSite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert nashir(env, "backfill") == 0
    capsys.readouterr()
    assert nashir(env, "backfill") == 0
    assert "0 new articles stored" in capsys.readouterr().err
    assert counts(database_url)[0] == 3


def test_backfill_fails_when_no_source_can_be_read(
    env: Path, monkeypatch: pytest.MonkeyPatch, site_server: ServerThread
) -> None:
    monkeypatch.setenv("NASHIR_SOURCES", f"{site_server.url}/gone.xml")
    assert nashir(env, "backfill") == 1
