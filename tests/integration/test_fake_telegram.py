"""The fake Bot API, driven through the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import telegram
from aiohttp import web
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.core.text.telegram_html import Entity
from bot.core.text.telegram_text import TelegramTextError, fix_formatted_text
from sandbox import FakeTelegram, ServerThread, wait_until_async

USER = 7001


def raw_call(base_url: str, token: str, method: str, payload: dict[str, Any]) -> tuple[int, Any]:
    """POST a JSON body the way other Bot API clients do (PTB sends form data)."""
    response = httpx.post(f"{base_url}{token}/{method}", json=payload, timeout=5)
    return response.status_code, response.json()


# --------------------------------------------------------------------------- wire format


async def test_get_me_describes_the_bot(tg_bot: telegram.Bot, fake_telegram: FakeTelegram) -> None:
    me = await tg_bot.get_me()
    assert me.id == fake_telegram.bot_id
    assert me.is_bot
    assert me.username == fake_telegram.bot_username


async def test_unknown_token_is_unauthorized(telegram_base_url: str) -> None:
    bot = telegram.Bot("999:wrong", base_url=telegram_base_url)
    try:
        with pytest.raises(InvalidToken):
            await bot.initialize()
    finally:
        await bot.shutdown()
    status, body = raw_call(telegram_base_url, "999:wrong", "getMe", {})
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


def test_unknown_method_is_not_found_and_names_are_case_insensitive(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    status, body = raw_call(telegram_base_url, fake_telegram.token, "sendTelepathy", {})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = raw_call(telegram_base_url, fake_telegram.token, "GETME", {})
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["id"] == fake_telegram.bot_id
    assert fake_telegram.calls[-1].method == "getMe"


def test_json_bodies_are_accepted_as_well_as_form_data(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    fake_telegram.add_user(USER)
    status, body = raw_call(
        telegram_base_url,
        fake_telegram.token,
        "sendMessage",
        {"chat_id": str(USER), "text": "hi", "disable_notification": True},
    )
    assert status == 200
    assert body["result"]["text"] == "hi"
    assert fake_telegram.calls[-1].params["chat_id"] == USER


async def test_form_fields_are_recorded_with_their_api_types(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("اقرأ", url="https://example.com/a")]]
    )
    message = await tg_bot.send_message(
        USER,
        "خبر",
        disable_notification=True,
        reply_markup=keyboard,
        link_preview_options=telegram.LinkPreviewOptions(is_disabled=True),
    )
    assert message.reply_markup == keyboard
    params = fake_telegram.calls_to("sendMessage")[0].params
    assert params["chat_id"] == USER
    assert params["disable_notification"] is True
    assert params["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.com/a"
    assert params["link_preview_options"] == {"is_disabled": True}


# ------------------------------------------------------------------------------ messages


async def test_html_message_is_stored_as_visible_text_with_entities(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@yemen_news")
    sent = await tg_bot.send_message(
        "@yemen_news",
        '<b>عاجل</b>: <a href="https://example.com/x">التفاصيل</a>',
        parse_mode="HTML",
    )
    assert sent.text == "عاجل: التفاصيل"
    assert sent.chat.id == channel
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("text_link", 6, 8),
    ]
    assert sent.entities[1].url == "https://example.com/x"
    [stored] = fake_telegram.messages(channel)
    assert stored["text"] == "عاجل: التفاصيل"
    assert stored["message_id"] == sent.message_id
    assert fake_telegram.sent_count == 1
    assert fake_telegram.delivered(channel) == 1


async def test_bad_markup_is_a_bad_request_in_telegrams_words(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    with pytest.raises(BadRequest, match=r'(?i)can.t find end tag corresponding to start tag "b"'):
        await tg_bot.send_message(USER, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "div" at byte offset 0'):
        await tg_bot.send_message(USER, "<div>x</div>", parse_mode="HTML")
    assert fake_telegram.calls[-1].status == 400
    assert fake_telegram.messages(USER) == []


async def test_length_limit_counts_visible_characters(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    fits = "<b>" + "ب" * 4096 + "</b>"
    await tg_bot.send_message(USER, fits, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await tg_bot.send_message(USER, "ب" * 4097)


async def test_empty_or_blank_text_is_refused(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await tg_bot.send_message(USER, "  <b> </b>\n", parse_mode="HTML")


async def test_unknown_chat_is_not_found(tg_bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await tg_bot.send_message(-100999, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await tg_bot.send_message("@nobody_here", "x")


async def test_photo_by_url_or_upload_with_caption_limit(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@pics")
    by_url = await tg_bot.send_photo(
        channel, "https://example.com/p.jpg", caption="<i>صورة</i>", parse_mode="HTML"
    )
    assert by_url.caption == "صورة"
    assert by_url.caption_entities[0].type == "italic"
    assert len(by_url.photo) == 3
    uploaded = await tg_bot.send_photo(channel, b"\x89PNG fake image bytes", caption="رفع")
    assert uploaded.photo[-1].file_size
    reused = await tg_bot.send_photo(channel, uploaded.photo[-1].file_id)
    assert reused.photo
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await tg_bot.send_photo(channel, "https://example.com/p.jpg", caption="x" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await tg_bot.send_photo(channel, "not-a-file-id")


async def test_edits_apply_and_identical_edits_are_not_modified(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@edits")
    sent = await tg_bot.send_message(channel, "قديم")
    edited = await tg_bot.edit_message_text(
        "<b>جديد</b>", channel, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "جديد"
    assert edited.edit_date is not None
    assert fake_telegram.messages(channel)[0]["text"] == "جديد"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await tg_bot.edit_message_text("<b>جديد</b>", channel, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await tg_bot.edit_message_text("x", channel, 999)

    photo = await tg_bot.send_photo(channel, "https://example.com/p.jpg", caption="أ")
    recaptioned = await tg_bot.edit_message_caption(channel, photo.message_id, caption="ب")
    assert isinstance(recaptioned, telegram.Message)
    assert recaptioned.caption == "ب"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await tg_bot.edit_message_caption(channel, photo.message_id, caption="ب")


async def test_reply_markup_can_be_edited(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("1", callback_data="a")]]
    )
    sent = await tg_bot.send_message(USER, "x", reply_markup=keyboard)
    other = telegram.InlineKeyboardMarkup([[telegram.InlineKeyboardButton("2", callback_data="b")]])
    edited = await tg_bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=other)
    assert isinstance(edited, telegram.Message)
    assert edited.reply_markup == other
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await tg_bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=other)


async def test_deleted_messages_disappear(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@deletes")
    first = await tg_bot.send_message(channel, "1")
    await tg_bot.send_message(channel, "2")
    assert await tg_bot.delete_message(channel, first.message_id) is True
    assert [m["text"] for m in fake_telegram.messages(channel)] == ["2"]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await tg_bot.delete_message(channel, first.message_id)
    assert fake_telegram.delivered(channel) == 2


async def test_forum_topics_are_addressed_by_thread_id(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    group = fake_telegram.add_group(title="نقاش", is_forum=True)
    topic = fake_telegram.add_topic(group, "سياسة")
    sent = await tg_bot.send_message(group, "في الموضوع", message_thread_id=topic)
    assert sent.message_thread_id == topic
    assert sent.is_topic_message
    assert fake_telegram.calls_to("sendMessage")[0].params["message_thread_id"] == topic
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await tg_bot.send_message(group, "x", message_thread_id=99999)


async def test_same_text_twice_in_a_chat_is_reported_as_duplicate(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@dups")
    fake_telegram.add_user(USER)
    await tg_bot.send_message(channel, "مرة")
    await tg_bot.send_message(USER, "مرة")
    assert fake_telegram.duplicates() == []
    await tg_bot.send_message(channel, "مرة")
    assert fake_telegram.duplicates() == [(channel, "مرة")]


async def test_get_chat_and_chat_action(tg_bot: telegram.Bot, fake_telegram: FakeTelegram) -> None:
    channel = fake_telegram.add_channel("@info", title="أخبار")
    chat = await tg_bot.get_chat("@info")
    assert (chat.id, chat.title, chat.username, chat.type) == (channel, "أخبار", "info", "channel")
    assert await tg_bot.send_chat_action(channel, "typing") is True
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await tg_bot.send_chat_action(channel, "dancing")


async def test_commands_are_stored_per_scope_and_language(tg_bot: telegram.Bot) -> None:
    default = [telegram.BotCommand("start", "ابدأ")]
    english = [telegram.BotCommand("start", "Start"), telegram.BotCommand("help", "Help")]
    admins = telegram.BotCommandScopeAllChatAdministrators()
    await tg_bot.set_my_commands(default)
    await tg_bot.set_my_commands(english, language_code="en")
    await tg_bot.set_my_commands(english[1:], scope=admins)
    assert await tg_bot.get_my_commands() == tuple(default)
    assert await tg_bot.get_my_commands(language_code="en") == tuple(english)
    assert await tg_bot.get_my_commands(scope=admins) == tuple(english[1:])
    await tg_bot.delete_my_commands(language_code="en")
    assert await tg_bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest):
        await tg_bot.set_my_commands([telegram.BotCommand("Bad-Name", "x")])


# -------------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("kind", "error", "text"),
    [
        ("blocked", Forbidden, "bot was blocked by the user"),
        ("deactivated", Forbidden, "user is deactivated"),
        ("chat_not_found", BadRequest, "chat not found"),
        ("parse_error", BadRequest, "can't parse entities"),
        ("too_long", BadRequest, "message is too long"),
        ("server_error", NetworkError, "Internal Server Error"),
    ],
)
async def test_faults_raise_the_matching_ptb_error_once(
    tg_bot: telegram.Bot,
    fake_telegram: FakeTelegram,
    kind: Any,
    error: type[Exception],
    text: str,
) -> None:
    fake_telegram.add_user(USER)
    fault = fake_telegram.fault(kind, method="sendMessage", chat_id=USER)
    with pytest.raises(error, match=rf"(?i){text}"):
        await tg_bot.send_message(USER, "x")
    assert fault.hits == 1
    await tg_bot.send_message(USER, "x")
    assert fake_telegram.delivered(USER) == 1


async def test_faults_target_one_chat_and_can_last(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@gone")
    fake_telegram.add_user(USER)
    fake_telegram.fault("kicked", chat_id="@gone", times=None)
    for _ in range(3):
        with pytest.raises(Forbidden, match="bot was kicked from the channel chat"):
            await tg_bot.send_message(channel, "x")
    await tg_bot.send_message(USER, "still fine")
    fake_telegram.clear_faults()
    await tg_bot.send_message(channel, "back")


async def test_bad_gateway_is_an_html_page_ptb_reports_as_network_error(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    fake_telegram.fault("server_error", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await tg_bot.send_message(USER, "x")


async def test_migrated_group_answers_with_the_new_id(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    group = fake_telegram.add_group(-4001, supergroup=False)
    fake_telegram.fault("migrate", chat_id=group)
    with pytest.raises(ChatMigrated) as raised:
        await tg_bot.send_message(group, "x")
    new_id = raised.value.new_chat_id
    assert new_id != group
    sent = await tg_bot.send_message(new_id, "x")
    assert sent.chat.type == "supergroup"
    with pytest.raises(ChatMigrated):
        await tg_bot.send_message(group, "still old")


async def test_timeout_fault_times_out_the_client_but_delivers_later(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    fake_telegram.add_user(USER)
    fake_telegram.fault("timeout", method="sendMessage", delay=0.6)
    request = HTTPXRequest(read_timeout=0.2)
    async with telegram.Bot(
        fake_telegram.token, base_url=telegram_base_url, request=request
    ) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "ambiguous")
    await fake_telegram.wait_for_async("sendMessage", timeout=3)
    assert [m["text"] for m in fake_telegram.messages(USER)] == ["ambiguous"]


async def test_flood_fault_gives_retry_after_and_counts_early_retries(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    fake_telegram.fault("flood", chat_id=USER, retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await tg_bot.send_message(USER, "x")
    assert raised.value.retry_after == dtm.timedelta(seconds=7)
    assert fake_telegram.calls[-1].description == "Too Many Requests: retry after 7"
    with pytest.raises(RetryAfter):
        await tg_bot.send_message(USER, "too soon")
    assert fake_telegram.count_429 == 2
    assert fake_telegram.early_retries == 1


# ---------------------------------------------------------------------------- flood limits


async def test_private_chat_gets_one_message_per_second(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.add_user(USER)
    fake_telegram.limits()
    await tg_bot.send_message(USER, "1")
    with pytest.raises(RetryAfter) as raised:
        await tg_bot.send_message(USER, "2")
    assert raised.value.retry_after == dtm.timedelta(seconds=1)
    with pytest.raises(RetryAfter):
        await tg_bot.send_message(USER, "2 again")
    assert (fake_telegram.count_429, fake_telegram.early_retries) == (2, 1)
    await asyncio.sleep(1.05)
    await tg_bot.send_message(USER, "2 on time")
    assert fake_telegram.early_retries == 1


async def test_groups_get_twenty_per_minute_and_scale_multiplies_rates(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@busy")
    fake_telegram.limits(scale=1.0, global_per_second=1000)
    for index in range(20):
        await tg_bot.send_message(channel, f"n{index}")
    with pytest.raises(RetryAfter) as raised:
        await tg_bot.send_message(channel, "21st")
    retry_after = raised.value.retry_after
    assert isinstance(retry_after, dtm.timedelta)
    assert dtm.timedelta(seconds=58) <= retry_after <= dtm.timedelta(seconds=60)

    fake_telegram.reset()
    fake_telegram.limits(scale=2.0, global_per_second=1000)
    for index in range(40):
        await tg_bot.send_message(channel, f"m{index}")
    with pytest.raises(RetryAfter):
        await tg_bot.send_message(channel, "41st")


async def test_overall_limit_is_thirty_per_second(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    users = [fake_telegram.add_user(USER + n) for n in range(31)]
    fake_telegram.limits()
    started = time.monotonic()
    for user in users[:30]:
        await tg_bot.send_message(user, "broadcast")
    if time.monotonic() - started < 0.9:
        with pytest.raises(RetryAfter):
            await tg_bot.send_message(users[30], "broadcast")
        assert fake_telegram.count_429 == 1
    assert fake_telegram.delivered() == 30


# --------------------------------------------------------------------------------- updates


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(tg_bot.get_updates(timeout=10))
    await wait_until_async(lambda: fake_telegram.waiting_polls == 1)
    fake_telegram.user_sends(USER, "/start")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 3
    [update] = updates
    assert update.message is not None
    assert update.message.text == "/start"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "ar"
    command = update.message.entities[0]
    assert (command.type, command.offset, command.length) == ("bot_command", 0, 6)
    assert await tg_bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_long_poll_times_out_empty(tg_bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await tg_bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_a_second_poller_terminates_the_first(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    first = asyncio.create_task(tg_bot.get_updates(timeout=5))
    await wait_until_async(lambda: fake_telegram.waiting_polls == 1)
    async with telegram.Bot(fake_telegram.token, base_url=telegram_base_url) as other:
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()
    assert fake_telegram.count_409 == 1  # what benchmarks of several instances report


async def test_injected_updates_cover_commands_buttons_stickers_and_inline(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    addressed = fake_telegram.user_sends(USER, f"/lang@{fake_telegram.bot_username} en")
    entity = addressed["message"]["entities"][0]
    assert entity["length"] == len(f"/lang@{fake_telegram.bot_username}")
    fake_telegram.user_sends(USER, "", sticker=True)
    fake_telegram.user_sends(USER, "تعليق", photo=True)
    fake_telegram.user_sends(USER, "/lang@x ar", edited=True)
    group = fake_telegram.add_group(-100555)
    fake_telegram.user_sends(USER, "/start", chat_id=group, chat_type="supergroup")
    sent = await tg_bot.send_message(
        USER,
        "اختر",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("عربي", callback_data="lang:ar")]]
        ),
    )
    fake_telegram.user_presses(USER, sent.message_id, "lang:ar")
    fake_telegram.user_inline_query(USER, "عدن")

    updates = await tg_bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    command, sticker, photo, edited, in_group, press, inline = updates
    assert command.message is not None
    assert command.message.text is not None
    assert command.message.text.startswith("/lang@")
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert photo.message is not None
    assert photo.message.caption == "تعليق"
    assert edited.edited_message is not None
    assert edited.edited_message.message_id == photo.message.message_id
    assert in_group.message is not None
    assert in_group.message.chat.id == group
    assert press.callback_query is not None
    assert press.callback_query.data == "lang:ar"
    assert inline.inline_query is not None
    assert inline.inline_query.query == "عدن"

    assert await tg_bot.answer_callback_query(press.callback_query.id, "تم") is True
    assert fake_telegram.callback_answers[press.callback_query.id]["text"] == "تم"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await tg_bot.answer_callback_query(press.callback_query.id)
    result = telegram.InlineQueryResultArticle(
        "1", "عدن", telegram.InputTextMessageContent("خبر من عدن")
    )
    assert await tg_bot.answer_inline_query(inline.inline_query.id, [result]) is True
    stored = fake_telegram.inline_answers[inline.inline_query.id]
    assert stored["results"][0]["title"] == "عدن"


async def test_application_polling_runs_a_command_handler(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("أهلاً")

    application: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(fake_telegram.token).base_url(telegram_base_url).build()
    )
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=1))
        fake_telegram.user_sends(USER, "/start")
        reply = await fake_telegram.wait_for_async(
            lambda call: call.method == "sendMessage" and call.ok, timeout=5
        )
        await application.updater.stop()
        await application.stop()
    assert reply.params["chat_id"] == USER
    assert [m["text"] for m in fake_telegram.messages(USER)] == ["أهلاً"]


async def test_webhook_receives_updates_with_the_secret_header(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    with ServerThread(receiver) as server:
        assert await tg_bot.set_webhook(f"{server.url}/hook", secret_token="s3cret") is True
        info = await tg_bot.get_webhook_info()
        assert info.url == f"{server.url}/hook"
        with pytest.raises(Conflict, match="webhook is active"):
            await tg_bot.get_updates()
        update = fake_telegram.user_sends(USER, "/start")
        await wait_until_async(lambda: bool(fake_telegram.webhook_deliveries), timeout=5)
        assert received == [("s3cret", update)]
        [delivery] = fake_telegram.webhook_deliveries
        assert (delivery.update_id, delivery.status) == (update["update_id"], 200)
        assert (await tg_bot.get_webhook_info()).pending_update_count == 0
        assert await tg_bot.delete_webhook() is True
    assert await tg_bot.get_updates(timeout=0) == ()


async def test_webhook_failures_are_recorded_and_retried(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    statuses = [500, 200]

    async def flaky(request: web.Request) -> web.Response:
        return web.Response(status=statuses.pop(0))

    receiver = web.Application()
    receiver.router.add_post("/hook", flaky)
    with ServerThread(receiver) as server:
        await tg_bot.set_webhook(f"{server.url}/hook")
        update = fake_telegram.user_sends(USER, "/start")
        await wait_until_async(lambda: len(fake_telegram.webhook_deliveries) == 2, timeout=5)
        info = await tg_bot.get_webhook_info()
    assert [d.status for d in fake_telegram.webhook_deliveries] == [500, 200]
    assert {d.update_id for d in fake_telegram.webhook_deliveries} == {update["update_id"]}
    assert info.last_error_message is not None
    assert info.pending_update_count == 0


async def test_setting_a_webhook_terminates_a_waiting_poll(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    poll = asyncio.create_task(tg_bot.get_updates(timeout=5))
    await wait_until_async(lambda: fake_telegram.waiting_polls == 1)
    async with telegram.Bot(fake_telegram.token, base_url=telegram_base_url) as other:
        await other.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await poll


# ---------------------------------------------------------------------------- inspection


async def test_calls_are_recorded_and_reset_keeps_chats(
    tg_bot: telegram.Bot, fake_telegram: FakeTelegram
) -> None:
    channel = fake_telegram.add_channel("@log")
    before = time.monotonic()
    await tg_bot.send_message(channel, "x")
    with pytest.raises(BadRequest):
        await tg_bot.send_message(channel, "")
    calls = fake_telegram.calls_to("sendMessage")
    assert [c.status for c in calls] == [200, 400]
    assert all(c.time >= before for c in calls)
    assert calls[0].result["text"] == "x"
    assert calls[1].description == "Bad Request: message text is empty"
    before_reset = fake_telegram.user_sends(USER, "hi")["update_id"]
    fake_telegram.reset()
    assert fake_telegram.user_sends(USER, "hi")["update_id"] > before_reset
    assert fake_telegram.calls == []
    assert fake_telegram.messages(channel) == []
    assert fake_telegram.sent_count == 0
    await tg_bot.send_message("@log", "still known")


def test_wait_for_blocks_until_a_matching_call(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    fake_telegram.add_user(USER)
    with pytest.raises(TimeoutError):
        fake_telegram.wait_for("sendMessage", timeout=0.1)
    raw_call(telegram_base_url, fake_telegram.token, "sendMessage", {"chat_id": USER, "text": "y"})
    call = fake_telegram.wait_for(lambda c: c.params.get("text") == "y", timeout=1)
    assert call.method == "sendMessage"


# ------------------------------------------------------------------- tdlib's parse_html cases


def test_fake_stores_what_tdlib_parses_and_fixes_for_each_of_its_cases(
    fake_telegram: FakeTelegram, telegram_base_url: str
) -> None:
    """Each of tdlib's parse_html cases, sent to a lenient fake, as the Bot API answers it.

    The expectation is built from tdlib's own data (text and entities), passed
    through fix_formatted_text; the fake's answer comes from Nashir's parser.
    """
    cases = json.loads(
        (Path(__file__).parents[1] / "data" / "tdlib" / "parse_html_cases.json").read_text()
    )["cases"]
    fake_telegram.strict_html = False
    fake_telegram.limits(enabled=False)
    mismatches = []
    for number, case in enumerate(cases):
        chat = fake_telegram.add_user(USER + 1 + number)
        payload = {"chat_id": chat, "text": case["html"], "parse_mode": "HTML"}
        status, body = raw_call(telegram_base_url, fake_telegram.token, "sendMessage", payload)
        if "error" in case:
            expected: Any = (400, f"Bad Request: can't parse entities: {case['error']}")
        else:
            raw = [
                Entity(**{k: v for k, v in e.items() if k != "date_flags"})
                for e in case["entities"]
            ]
            try:
                text, entities = fix_formatted_text(case["text"], raw)
            except TelegramTextError:
                expected = (400, "Bad Request: message text is empty")
            else:
                expected = (200, text, [e.type for e in entities])
        if status == 200:
            message = body["result"]
            explicit = [e["type"] for e in message.get("entities", []) if e["type"] != "url"]
            answer: Any = (200, message["text"], explicit)
        else:
            answer = (status, body["description"])
        if answer != expected:
            mismatches.append((case["html"], answer, expected))
    assert mismatches == []
