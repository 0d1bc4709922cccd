"""Webhook mode, approval mode, followed-tag messages and admin alerts, end to end.

This app receives updates through a webhook (the fake pushes them to
Nashir's HTTP server with the secret header), holds posts to the channel for
approval, and refuses private addresses as sources.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from handlers_kit import (
    ADMIN,
    Harness,
    backends,
    button_data,
    button_texts,
    database,
    draft,
    fresh_fake,
    running_app,
)

from bot.adapters.storage.sources import SourceRepository
from sandbox import wait_until_async

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHANNEL = "@yemen_news"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module", params=backends())
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(request.param, Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(db_url: str) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    port = _free_port()
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(
            db_url,
            server.url,
            fake,
            WEBHOOK=f"http://127.0.0.1:{port}/telegram/hook",
            NASHIR_HTTP_PORT=str(port),
            NASHIR_ALLOW_PRIVATE_URLS="false",
            NASHIR_APPROVAL_DESTINATIONS=CHANNEL,
        ):
            yield harness


def _channel(bot: Harness) -> list[str]:
    return [m.get("caption") or m.get("text") or "" for m in bot.fake.messages(CHANNEL)]


async def test_updates_arrive_through_the_webhook_with_its_secret(bot: Harness) -> None:
    [reply] = await bot.send(4001, "/start")
    assert "أهلاً بك" in reply["text"]
    [call] = bot.fake.calls_to("setWebhook")
    assert call.params["url"].endswith("/telegram/hook")
    assert call.params["secret_token"] == bot.app.webhook_secret
    assert bot.fake.calls_to("getUpdates") == []
    assert {d.status for d in bot.fake.webhook_deliveries} == {200}


async def test_the_webhook_refuses_requests_without_the_right_secret(bot: Harness) -> None:
    url = bot.app.webhook_url
    assert url is not None
    update = {
        "update_id": 999_999,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 4002, "type": "private"},
            "from": {"id": 4002, "is_bot": False, "first_name": "X"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": bot.app.webhook_secret}
        async with session.post(url, data=b"not json", headers=right) as response:
            assert response.status == 400
    await bot.send(4003, "/help")  # later updates are still served
    with pytest.raises(KeyError):
        bot.fake.messages(4002)


async def test_private_and_non_http_sources_are_refused_before_any_fetch(bot: Harness) -> None:
    for url in (
        "http://127.0.0.1:5432/",
        "http://10.1.2.3/rss",
        "http://[::1]/feed",
        "ftp://a.b/c",
    ):
        [reply] = await bot.send(ADMIN, f"/addsource {url}")
        assert reply["text"].startswith("تعذّر ذلك:")
    async with bot.app.db.session() as session:
        assert await SourceRepository(session).all() == []


async def _approval_request(bot: Harness, title: str) -> dict:  # type: ignore[type-arg]
    await wait_until_async(lambda: any(title in m["text"] for m in bot.replies(ADMIN)), timeout=10)
    return next(m for m in reversed(bot.replies(ADMIN)) if title in m["text"])


async def test_approval_holds_a_post_until_an_admin_approves_it(bot: Harness) -> None:
    await bot.store(draft("held", "خبر ينتظر الموافقة"), announce=True)
    request = await _approval_request(bot, "خبر ينتظر الموافقة")
    assert button_texts(request) == ["✅ انشر", "✏️ عدّل العنوان", "❌ تجاهل"]
    await bot.deliver()
    assert not any("خبر ينتظر الموافقة" in text for text in _channel(bot))
    approve = button_data(request)[0]
    refused = await bot.press(4004, request, approve)
    assert refused["text"] == "انتهت صلاحية هذا الزر."
    await bot.press(ADMIN, request, approve)
    await wait_until_async(lambda: "✅ وافق" in bot.replies(ADMIN)[-1]["text"])
    await bot.deliver()
    assert sum("خبر ينتظر الموافقة" in text for text in _channel(bot)) == 1
    late = await bot.press(ADMIN, request, approve)
    assert late["text"] == "لم يعد هذا الخبر بانتظار الموافقة."


async def test_an_admin_can_change_the_headline_before_approving(bot: Harness) -> None:
    await bot.store(
        draft("edit", "عنوان فيه خطأ", summary="نص الخبر كما كتبه المحرر."), announce=True
    )
    request = await _approval_request(bot, "عنوان فيه خطأ")
    await bot.press(ADMIN, request, button_data(request)[1])
    await wait_until_async(lambda: bot.replies(ADMIN)[-1]["text"].startswith("أرسل العنوان الجديد"))
    await bot.send(ADMIN, "عنوان مصحح", count=2)
    corrected = await _approval_request(bot, "عنوان مصحح")
    await bot.press(ADMIN, corrected, button_data(corrected)[0])
    await wait_until_async(lambda: "✅ وافق" in bot.replies(ADMIN)[-1]["text"])
    await bot.deliver()
    assert any("عنوان مصحح" in text for text in _channel(bot))
    assert not any("عنوان فيه خطأ" in text for text in _channel(bot))


async def test_a_dropped_post_never_goes_out_and_breaking_news_skips_approval(bot: Harness) -> None:
    await bot.store(draft("drop", "خبر سيتم تجاهله"), announce=True)
    request = await _approval_request(bot, "خبر سيتم تجاهله")
    await bot.press(ADMIN, request, button_data(request)[2])
    await wait_until_async(lambda: "❌" in bot.replies(ADMIN)[-1]["text"])
    await bot.store(draft("urgent", "عاجل: خبر عاجل جداً", breaking=True), announce=True)
    await bot.deliver()
    assert not any("خبر سيتم تجاهله" in text for text in _channel(bot))
    assert any("خبر عاجل جداً" in text for text in _channel(bot))


async def test_a_huge_headline_still_reaches_the_admins_with_its_link(bot: Harness) -> None:
    words = " ".join(f"كلمة{i}" for i in range(900))  # a headline of some 8,000 characters
    await bot.store(draft("huge", f"عنوان طويل جداً {words}"), announce=True)
    request = await _approval_request(bot, "عنوان طويل جداً")
    assert len(request["text"]) <= 4096
    links = [e.get("url", "") for e in request.get("entities", [])] + [request["text"]]
    assert any("https://news.example/huge" in link for link in links)
    assert button_texts(request) == ["✅ انشر", "✏️ عدّل العنوان", "❌ تجاهل"]
    await bot.press(ADMIN, request, button_data(request)[2])


async def test_a_followed_tag_delivers_one_private_message_once(bot: Harness) -> None:
    await bot.store(draft("seed", "خبر قديم عن تعز", tags=("تعز",)))
    await bot.send(4005, "/follow تعز")
    await bot.store(draft("taiz", "افتتاح طريق في تعز", tags=("تعز", "طرق")), announce=True)
    await bot.deliver()
    await bot.deliver()
    received = [
        m
        for m in bot.replies(4005)
        if "افتتاح طريق في تعز" in (m.get("text") or m.get("caption") or "")
    ]
    assert len(received) == 1
    assert "utm_source=dm" in str(received[0])


async def test_a_tag_followed_before_its_first_story_brings_that_story_once(bot: Harness) -> None:
    [reply] = await bot.send(4007, "/follow #كأس_آسيا")
    assert (
        reply["text"]
        == "✅ تتابع الآن «كأس آسيا». لا يحمل هذا الوسم أي خبر بعد، وسيصلك هنا أول خبر يحمله."
    )
    # The site writes the tag without the hamza: still the same tag.
    await bot.store(draft("cup", "انطلاق بطولة كأس آسيا", tags=("كأس اسيا",)), announce=True)
    await bot.deliver()
    await bot.deliver()
    received = [
        m
        for m in bot.replies(4007)
        if "انطلاق بطولة كأس آسيا" in (m.get("text") or m.get("caption") or "")
    ]
    assert len(received) == 1
    [again] = await bot.send(4008, "/follow كأس آسيا")
    assert again["text"] == "✅ تتابع الآن «كأس آسيا». ستصلك أخباره هنا."


async def test_several_followed_articles_arriving_together_make_one_message(bot: Harness) -> None:
    await bot.store(draft("seed2", "خبر قديم عن مأرب", tags=("مأرب",)))
    await bot.send(4006, "/follow مأرب", language="en")
    before = len(bot.replies(4006))
    await bot.store(draft("marib1", "أمطار غزيرة في مأرب", tags=("مأرب",)), announce=True)
    await bot.store(draft("marib2", "افتتاح مدرسة في مأرب", tags=("مأرب",)), announce=True)
    await bot.deliver()
    new = bot.replies(4006)[before:]
    assert len(new) == 1
    assert new[0]["text"].startswith("📌 New in the tags you follow")
    assert "أمطار غزيرة في مأرب" in new[0]["text"]
    assert "افتتاح مدرسة في مأرب" in new[0]["text"]


async def test_admins_are_alerted_when_a_destination_is_disabled(bot: Harness) -> None:
    bot.fake.fault("kicked", chat_id=CHANNEL, times=None)
    try:
        await bot.store(draft("kick", "عاجل: خبر لن يصل", breaking=True), announce=True)
        await bot.deliver()
        await wait_until_async(lambda: "⛔" in bot.replies(ADMIN)[-1]["text"])
        assert CHANNEL in bot.replies(ADMIN)[-1]["text"]
    finally:
        bot.fake.clear_faults()
