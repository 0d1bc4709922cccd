"""The bot behaves like the Telegram bots people know: /settings, /privacy, menus, its name.

End to end through the fake Bot API, as the other handler tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from handlers_kit import (
    ADMIN,
    Harness,
    button_data,
    button_texts,
    database,
    draft,
    fresh_fake,
    running_app,
)

from sandbox import wait_until_async

pytestmark = pytest.mark.asyncio(loop_scope="module")

STRANGER_ADMIN = 900777  # never started the bot: Telegram refuses a menu for their chat
ZONE = "Asia/Aden, UTC+3"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database("sqlite", Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(db_url: str) -> AsyncIterator[Harness]:
    fake = fresh_fake()
    env = {
        "NASHIR_ADMIN_IDS": f"{STRANGER_ADMIN},{ADMIN}",
        "NASHIR_CONTACT_URL": "https://operator.example/about-the-bot",
    }
    with pytest.MonkeyPatch.context() as patch, fake.server() as server:
        patch.setenv("PTB_TIMEDELTA", "true")
        async for harness in running_app(db_url, server.url, fake, **env):
            await harness.store(draft("yemen", "خبر عن اليمن", tags=("اليمن", "الاقتصاد")))
            yield harness


async def _press_and_redraw(bot: Harness, user: int, message: dict[str, Any], label: str) -> str:
    """Press the button labelled `label`; return the toast once the message is redrawn."""
    edits = len(bot.fake.calls_to("editMessageText"))
    data = button_data(message)[button_texts(message).index(label)]
    answer = await bot.press(user, message, data)
    await wait_until_async(lambda: len(bot.fake.calls_to("editMessageText")) > edits, timeout=10)
    return str(answer["text"])


def _current(bot: Harness, user: int, message: dict[str, Any]) -> dict[str, Any]:
    [now] = [m for m in bot.replies(user) if m["message_id"] == message["message_id"]]
    return now


async def test_settings_change_language_digest_and_tags_with_one_tap_each(bot: Harness) -> None:
    await bot.send(6001, "/follow اليمن")
    [shown] = await bot.send(6001, "/settings")
    assert shown["text"] == (
        "⚙️ إعداداتك — اضغط زراً لتغييره:\n"
        "اللغة: العربية\n"
        "الملخص: متوقف\n"
        "الوسوم: تتابع وسماً واحداً (اضغط وسماً لإلغاء متابعته)"
    )
    assert button_texts(shown) == [
        "✓ العربية",
        "English",
        "✓ بلا ملخص",
        "يومي",
        "أسبوعي",
        "✖️ اليمن",
    ]
    toast = await _press_and_redraw(bot, 6001, shown, "يومي")
    assert toast == f"سيصلك ملخص يومي الساعة 21:00 ({ZONE})."
    shown = _current(bot, 6001, shown)
    assert f"الملخص: يومي الساعة 21:00 ({ZONE})" in shown["text"]
    assert "✓ يومي" in button_texts(shown)

    toast = await _press_and_redraw(bot, 6001, shown, "✖️ اليمن")
    assert toast == "تم إلغاء متابعة «اليمن»."
    shown = _current(bot, 6001, shown)
    assert shown["text"].endswith("الوسوم: لا تتابع أي وسم بعد؛ أرسل /follow لتختار.")
    assert not any("اليمن" in label for label in button_texts(shown))

    toast = await _press_and_redraw(bot, 6001, shown, "English")
    assert toast == "Replies will be in English."
    shown = _current(bot, 6001, shown)
    assert shown["text"].startswith(
        "⚙️ Your settings — tap a button to change it:\nLanguage: English"
    )
    assert f"Digest: daily at 21:00 ({ZONE})" in shown["text"]
    [help_reply] = await bot.send(6001, "/help")
    assert help_reply["text"].startswith("Commands:")


async def test_a_second_tap_on_the_chosen_option_changes_nothing_and_breaks_nothing(
    bot: Harness,
) -> None:
    [shown] = await bot.send(6002, "/settings")
    data = button_data(shown)[button_texts(shown).index("✓ العربية")]
    answer = await bot.press(6002, shown, data)
    assert answer["text"] == "ستصلك الردود بالعربية."
    [after] = await bot.send(6002, "/privacy")
    assert "عذراً" not in after["text"]


async def test_privacy_says_what_is_kept_and_that_stop_deletes_it(bot: Harness) -> None:
    [arabic] = await bot.send(6003, "/privacy")
    assert arabic["text"].startswith("🔒 ما يحفظه البوت عنك:")
    assert "الوسوم التي تتابعها" in arabic["text"]
    assert arabic["text"].endswith("أرسل /stop لإلغاء اشتراكك وحذف كل ما سبق فوراً.")
    [english] = await bot.send(6004, "/privacy", language="en")
    assert english["text"].startswith("🔒 What the bot keeps about you:")
    assert "Send /stop to unsubscribe and delete all of the above at once." in english["text"]


async def test_menus_are_for_private_chats_and_one_refused_admin_spares_the_others(
    bot: Harness,
) -> None:
    private = {"type": "all_private_chats"}
    assert "settings" in {c["command"] for c in bot.fake.commands(private, "en")}
    assert bot.fake.commands() == []
    assert bot.fake.commands({"type": "chat", "chat_id": STRANGER_ADMIN}) == []
    admin = {c["command"] for c in bot.fake.commands({"type": "chat", "chat_id": ADMIN}, "ar")}
    assert {"stats", "settings", "privacy"} <= admin


async def test_the_welcome_names_the_bot_from_telegram_never_the_contact_url(
    bot: Harness,
) -> None:
    [welcome] = await bot.send(6005, "/start")
    assert welcome["text"].startswith("أهلاً بك في نشرة Nashir 📰")
    assert "operator.example" not in welcome["text"]


async def test_nashir_bot_name_names_the_bot_in_the_welcome(tmp_path: Path) -> None:
    fake = fresh_fake()
    with database("sqlite", tmp_path) as url, fake.server() as server:
        async for other in running_app(url, server.url, fake, NASHIR_BOT_NAME="أخبار مرصد"):
            [welcome] = await other.send(6006, "/start", language="en")
            assert welcome["text"].startswith("Welcome to the أخبار مرصد news bot 📰")
