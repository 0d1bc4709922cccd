"""Subscriber commands end to end: updates through the fake Bot API, replies read back from it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from handlers_kit import (
    ADMIN,
    Harness,
    backends,
    button_texts,
    database,
    draft,
    fresh_fake,
    running_app,
)

from bot.adapters.storage.subscribers import SubscriberRepository

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module", params=backends())
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(request.param, Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(db_url: str) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(
            db_url,
            server.url,
            fake,
            NASHIR_SOCIAL_TELEGRAM="https://t.me/yemen_news",
            NASHIR_SOCIAL_X="https://x.com/YemenNewsX",
        ):
            for number in range(1, 7):
                await harness.store(
                    draft(f"a{number}", f"خبر رقم {number} عن الكهرباء", reads=number * 100)
                )
            yield harness


async def test_start_subscribes_and_shows_the_sites_channels_as_buttons(bot: Harness) -> None:
    [reply] = await bot.send(1001, "/start")
    assert "أهلاً بك" in reply["text"]
    assert button_texts(reply) == ["إكس", "تيليجرام"]
    async with bot.app.db.session() as session:
        subscriber = await SubscriberRepository(session).get(1001)
    assert subscriber is not None
    assert subscriber.state == "active"
    [again] = await bot.send(1001, "/start")
    assert "أهلاً بعودتك" in again["text"]


async def test_an_english_client_is_answered_in_english(bot: Harness) -> None:
    [reply] = await bot.send(1002, "/start", language="en")
    assert reply["text"].startswith("Welcome")
    assert button_texts(reply) == ["X", "Telegram"]
    [help_reply] = await bot.send(1002, "/help", language="en")
    assert "/search words" in help_reply["text"]


async def test_a_client_in_another_language_gets_arabic(bot: Harness) -> None:
    [reply] = await bot.send(1003, "/help", language="fr")
    assert reply["text"].startswith("الأوامر")


async def test_lang_switches_the_reply_language_both_ways(bot: Harness) -> None:
    [reply] = await bot.send(1004, "/lang en")
    assert reply["text"] == "Replies will be in English."
    [latest] = await bot.send(1004, "/latest 1")
    assert "Latest news" in latest["text"]
    [back] = await bot.send(1004, "/lang ar", language="en")
    assert back["text"] == "ستصلك الردود بالعربية."
    [usage] = await bot.send(1004, "/lang fr")
    assert usage["text"] == "الاستخدام: /lang ar أو /lang en"
    [extra] = await bot.send(1004, "/lang ar en")
    assert extra["text"] == usage["text"]


async def test_help_shows_admin_commands_to_admins_only(bot: Harness) -> None:
    [mine] = await bot.send(ADMIN, "/help")
    assert "/broadcast" in mine["text"]
    [theirs] = await bot.send(1005, "/help")
    assert "/broadcast" not in theirs["text"]
    assert "/search" in theirs["text"]


async def test_latest_lists_the_newest_headlines_and_refuses_bad_counts(bot: Harness) -> None:
    [three] = await bot.send(1006, "/latest 3")
    assert three["text"].count("\n") == 3
    assert "خبر رقم 6" in three["text"]
    for bad in ("/latest 0", "/latest 11", "/latest abc", "/latest 3 4"):
        [reply] = await bot.send(1006, bad)
        assert reply["text"] == "اكتب عدداً بين 1 و10، مثل: /latest 5"
    [english] = await bot.send(1006, "/latest -1", language="en")
    assert english["text"].startswith("Give a number from 1 to 10")


async def test_top_ranks_by_reads_for_today_and_week(bot: Harness) -> None:
    [today] = await bot.send(1007, "/top")
    lines = today["text"].splitlines()
    assert lines[0] == "🔥 الأكثر قراءة اليوم"
    assert "خبر رقم 6" in lines[1]
    assert "خبر رقم 5" in lines[2]
    [week] = await bot.send(1007, "/top week", language="en")
    assert week["text"].startswith("🔥 Most read this week")
    [bad] = await bot.send(1007, "/top month")
    assert bad["text"] == "الاستخدام: /top today أو /top week"


async def test_digest_is_chosen_with_its_hour_and_bad_values_get_the_usage(bot: Harness) -> None:
    [daily] = await bot.send(1008, "/digest daily 7")
    assert daily["text"] == "سيصلك ملخص يومي الساعة 7:00 (Asia/Aden, UTC+3)."
    [weekly] = await bot.send(1008, "/digest weekly")
    assert weekly["text"] == "سيصلك ملخص أسبوعي الساعة 7:00 (Asia/Aden, UTC+3)."
    [english] = await bot.send(1015, "/digest weekly 6", language="en")
    assert english["text"] == "You'll get a weekly digest at 6:00 (Asia/Aden, UTC+3)."
    for bad in (
        "/digest",
        "/digest daily 24",
        "/digest hourly",
        "/digest off 7",
        "/digest daily 7 8",
    ):
        [reply] = await bot.send(1008, bad)
        assert reply["text"].startswith("الاستخدام: /digest off")
        assert "أسبوعي الساعة 7:00 (Asia/Aden, UTC+3)" in reply["text"]
    [off] = await bot.send(1008, "/digest off")
    assert off["text"] == "تم إيقاف الملخص."
    async with bot.app.db.session() as session:
        subscriber = await SubscriberRepository(session).get(1008)
    assert subscriber is not None
    assert (subscriber.digest, subscriber.digest_hour) == ("off", 7)


async def test_stop_unsubscribes_and_deletes_the_subscribers_data(bot: Harness) -> None:
    await bot.send(1009, "/start")
    await bot.send(1009, "/digest daily 9")
    [reply] = await bot.send(1009, "/stop")
    assert reply["text"].startswith("تم إلغاء اشتراكك وحذف بياناتك")
    async with bot.app.db.session() as session:
        assert await SubscriberRepository(session).get(1009) is None
        assert await SubscriberRepository(session).by_chat(1009) is None
    [again] = await bot.send(1009, "/stop")
    assert again["text"] == "لست مشتركاً، ولا نحتفظ بأي بيانات عنك."


async def test_unknown_commands_stickers_and_photos_get_a_hint(bot: Harness) -> None:
    [unknown] = await bot.send(1010, "/frobnicate now")
    assert unknown["text"] == "لا أعرف هذا الأمر. أرسل /help لقائمة الأوامر."
    hint = "أرسل كلمات لأبحث عنها في الأخبار، أو /help لقائمة الأوامر."
    [sticker] = await bot.send(1010, "😀", sticker=True)
    [photo] = await bot.send(1010, "صورة", photo=True)
    assert {sticker["text"], photo["text"]} == {hint}


async def test_words_in_the_private_chat_are_a_search(bot: Harness) -> None:
    [nothing] = await bot.send(1017, "مرحبا")
    assert nothing["text"] == "لم أجد أخباراً عن «مرحبا»."
    [huge] = await bot.send(1017, "ا" * 10_000)
    assert huge["text"] == "النص طويل جداً (الحد 200 حرف)."
    [ask] = await bot.send(1018, "/search", language="en")
    assert ask["text"] == "🔎 What are you looking for? Send the words in your next message."
    [answer] = await bot.send(1018, "  مرحبا  ", language="en")
    assert answer["text"] == "Nothing found for “مرحبا”."


async def test_edited_messages_are_ignored(bot: Harness) -> None:
    await bot.send(1011, "/start")
    await bot.ignored(1011, "/stop", edited=True)
    async with bot.app.db.session() as session:
        assert await SubscriberRepository(session).get(1011) is not None


async def test_commands_in_groups_point_to_the_private_chat_and_channel_posts_are_ignored(
    bot: Harness,
) -> None:
    group = -1009000000001
    [reply] = await bot.send(1012, "/latest@nashir_test_bot", chat_id=group, chat_type="supergroup")
    assert reply["text"].startswith("أعمل في المحادثة الخاصة فقط")
    assert "https://t.me/nashir_test_bot" in reply["text"]
    await bot.ignored(1012, "/latest", chat_id=group, chat_type="supergroup")
    await bot.ignored(1012, "/start", chat_id=-1009000000002, chat_type="channel")
    async with bot.app.db.session() as session:
        assert await SubscriberRepository(session).get(1012) is None


async def test_a_user_who_blocked_the_bot_is_marked_blocked_and_nothing_crashes(
    bot: Harness,
) -> None:
    await bot.send(1013, "/start")
    bot.fake.fault("blocked", chat_id=1013, method="sendMessage")
    bot.fake.user_sends(1013, "/latest")
    await bot.send(1013, "/help")  # one user's updates are handled in order
    async with bot.app.db.session() as session:
        subscriber = await SubscriberRepository(session).get(1013)
        _active, blocked = await SubscriberRepository(session).counts()
    assert subscriber is not None
    assert subscriber.state == "blocked"
    assert blocked >= 1
    [back] = await bot.send(1013, "/start")
    assert "أهلاً بعودتك" in back["text"]
