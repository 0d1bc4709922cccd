"""`/post` goes the way a new article goes: held for approval where asked, and to followers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from handlers_kit import ADMIN, Harness, button_data, draft, fresh_fake, running_app

from sandbox import ServerThread, wait_until_async
from sandbox.demo_site import DemoSite

CHANNEL = "@yemen_news"
READER = 4711


@pytest.fixture
def site() -> Iterator[tuple[DemoSite, str]]:
    demo = DemoSite(channel="yemen_news")
    demo.publish_next()
    with ServerThread(demo.app()) as server:
        yield demo, server.url


@pytest_asyncio.fixture
async def bot(database_url: str) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    fake.add_user(READER, "Reader", "ar")
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(
            database_url, server.url, fake, NASHIR_APPROVAL_DESTINATIONS=CHANNEL
        ):
            yield harness


def _shown(message: dict[str, Any]) -> str:
    return str(message.get("caption") or message.get("text") or "")


async def test_post_now_waits_for_approval_on_the_channel_and_reaches_followers_at_once(
    bot: Harness, site: tuple[DemoSite, str]
) -> None:
    demo, url = site
    [article] = demo.published()
    tag = article.tags[0]
    await bot.store(draft("earlier", "خبر سابق بالوسم نفسه", tags=(tag,)))  # the tag exists
    await bot.send(READER, "/start")
    await bot.send(READER, f"/follow {tag}")

    await bot.send(ADMIN, f"/post {url}{article.path}", count=2)

    await wait_until_async(
        lambda: any(article.title in m["text"] for m in bot.replies(ADMIN)), timeout=10
    )
    request = next(m for m in bot.replies(ADMIN) if article.title in m["text"] and button_data(m))
    await bot.deliver()
    assert not any(article.title in _shown(m) for m in bot.fake.messages(CHANNEL))
    assert sum(article.title in _shown(m) for m in bot.replies(READER)) == 1

    await bot.press(ADMIN, request, button_data(request)[0])
    await wait_until_async(lambda: "✅" in bot.replies(ADMIN)[-1]["text"], timeout=10)
    await bot.deliver()
    assert sum(article.title in _shown(m) for m in bot.fake.messages(CHANNEL)) == 1
    assert sum(article.title in _shown(m) for m in bot.replies(READER)) == 1
