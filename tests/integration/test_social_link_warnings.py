"""Social links Telegram would drop are named at start-up, once, with the setting to fix."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from ops_kit import primed, running, settings_for

from sandbox import FakeTelegram, ServerThread
from sandbox.demo_site import DemoSite


@pytest.fixture
def site_server() -> Iterator[ServerThread]:
    with ServerThread(DemoSite(channel="yemen_news").app()) as server:
        yield server


async def test_a_social_link_telegram_drops_is_warned_about_once_naming_its_setting(
    database_url: str,
    site_server: ServerThread,
    telegram_server: ServerThread,
    x_server: ServerThread,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.add_channel("@yemen_news", title="أخبار اليمن")
    env = settings_for(
        database_url,
        site_server,
        telegram_server,
        x_server,
        NASHIR_SOCIAL_FACEBOOK="http://localhost/nashir-page",
        NASHIR_SOCIAL_YOUTUBE="https://www.youtube.com/@news",
    )
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        async with running(env) as app:
            await primed(app)
            await app.ensure_destinations()  # checked again: no second warning
    warnings = [
        r.getMessage() for r in caplog.records if "not one Telegram keeps" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "http://localhost/nashir-page" in warnings[0]
    assert "NASHIR_SOCIAL_FACEBOOK" in warnings[0]
    assert not any("youtube" in warning for warning in warnings)
