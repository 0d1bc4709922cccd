"""A site gone quiet in its publishing hours alerts the admins once; nights do not count."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from bot.adapters.settings import load_settings
from bot.app import build
from bot.core.clock import ManualClock
from bot.core.model import ArticleDraft


async def test_the_admins_hear_once_when_the_site_goes_quiet(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 7, 0, tzinfo=UTC))  # 10:00 in Aden
    settings = load_settings(
        {
            "NASHIR_DATABASE_URL": database_url,
            "NASHIR_COMPLETE_FROM_PAGE": "false",
            "NASHIR_QUIET_SITE_HOURS": "3",
            "NASHIR_PUBLISHING_HOURS": "07:00-23:00",
        },
        env_file=None,
    )
    app = build(settings, clock=clock, console=Console(file=io.StringIO()), polling=False)
    told: list[str] = []

    async def alert(text: str) -> None:
        told.append(text)

    assert app.alerts is not None
    monkeypatch.setattr(app.alerts, "send", alert)  # no Telegram here: catch what is sent
    await app.start()
    try:
        await app.ingestor.store(
            ArticleDraft(url="https://news.example/a/1", title="خبر"), source=None, announce=False
        )
        clock.advance(2 * 3600)
        assert "2.0 publishing hours ago" in await app.jobs.site_watch()
        clock.advance(3600)
        assert "admins alerted" in await app.jobs.site_watch()
        clock.advance(900)
        await app.jobs.site_watch()
        assert len(told) == 1
        assert "No new article for 3.0 publishing hours" in told[0]

        clock.set(datetime(2026, 3, 1, 19, 0, tzinfo=UTC))  # 22:00 in Aden: a late story
        await app.ingestor.store(
            ArticleDraft(url="https://news.example/a/2", title="خبر آخر"),
            source=None,
            announce=False,
        )
        clock.set(datetime(2026, 3, 1, 20, 30, tzinfo=UTC))  # 23:30: outside the hours
        assert await app.jobs.site_watch() == "outside publishing hours"
        clock.set(datetime(2026, 3, 2, 5, 0, tzinfo=UTC))  # 08:00: the night did not count
        assert "2.0 publishing hours ago" in await app.jobs.site_watch()
        assert len(told) == 1
        clock.advance(timedelta(hours=1, minutes=30).total_seconds())
        await app.jobs.site_watch()
        assert len(told) == 2
    finally:
        await app.stop()


def test_the_poll_benchmark_reports_a_304_poll_against_a_200_poll() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "bench" / "poll.py"
    spec = importlib.util.spec_from_file_location("bench_poll", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lines = module.run(rounds=3)
    assert any("304 not-modified poll" in line for line in lines)
    assert any("200 poll" in line for line in lines)
