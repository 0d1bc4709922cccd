"""/settings and /privacy: what Telegram clients show as "Settings" and "Privacy policy".

/settings shows the reader's language, digest and followed tags, each as a
button: one tap changes the language or the digest, or stops following a
tag, and the same message is redrawn with the new state. /privacy says what
is kept about the reader and that /stop deletes it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.adapters.storage.subscribers import Tag
from bot.services.subscribers import DIGESTS, LANGUAGES, Outcome, Reader
from handlers.context import BotContext, forget_language, language, say
from handlers.i18n import text

MAX_TAG_BUTTONS = 20
DEFAULT_HOUR = 21
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}


def zone_label(zone: ZoneInfo, now: datetime | None = None) -> str:
    """The zone as readers can place it: its IANA name and UTC offset ("Asia/Aden, UTC+3")."""
    offset = (now or datetime.now(zone)).astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    shown = f"{hours}:{rest:02d}" if rest else str(hours)
    return f"{zone.key}, UTC{sign}{shown}"


def digest_state(lang: str, mode: str, hour: int, zone: ZoneInfo) -> str:
    """The digest as the reader reads it: daily at 21:00 (Asia/Aden, UTC+3), or off."""
    return text(lang, f"digest_current_{mode}", hour=hour, zone=zone_label(zone))


async def settings(update: Update, context: BotContext) -> None:
    """The reader's settings, each one tap away."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    if context.args:
        await say(update, context, "extra_args", command="/settings")
        return
    lang = await language(update, context)
    reply, markup = await _view(context, update.effective_user.id, lang)
    await message.reply_text(reply, reply_markup=markup)


async def privacy(update: Update, context: BotContext) -> None:
    """What the bot keeps about the reader, and how /stop deletes it."""
    await say(update, context, "privacy")


async def settings_button(update: Update, context: BotContext, what: str, value: str) -> None:
    """A /settings button: change one thing, say so in a toast, redraw the message."""
    query = update.callback_query
    assert query is not None
    user = query.from_user
    chat = update.effective_chat
    lang = await language(update, context)
    reader = Reader(user.id, chat.id if chat else user.id, lang)
    subscribers = context.services.subscribers
    if what == "l" and value in LANGUAGES:
        await subscribers.set_language(reader, value)
        forget_language(context)
        lang = value
        toast = text(lang, "lang_set")
    elif what == "d" and value in DIGESTS:
        current = await subscribers.get(user.id)
        hour = current.digest_hour if current is not None else DEFAULT_HOUR
        chosen = await subscribers.set_digest(reader, value, None if value == "off" else hour)
        toast = text(lang, f"digest_{chosen.digest}", hour=chosen.digest_hour, zone=_zone(context))
    elif what == "u" and value.isdigit():
        result = await subscribers.unfollow_id(user.id, int(value))
        if result.tag is None:
            await query.answer(text(lang, "expired"), show_alert=True)
            return
        key = "unfollowed" if result.outcome is Outcome.DONE else "not_following"
        toast = text(lang, key, tag=result.tag.name)
    else:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    await query.answer(toast)
    reply, markup = await _view(context, user.id, lang)
    try:
        await query.edit_message_text(reply, reply_markup=markup)
    except BadRequest as exc:  # a second tap on what is already chosen changes nothing
        if "not modified" not in exc.message:
            raise


async def _view(context: BotContext, user_id: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    subscribers = context.services.subscribers
    current = await subscribers.get(user_id)
    mode, hour = (current.digest, current.digest_hour) if current else ("off", DEFAULT_HOUR)
    followed = await subscribers.following(user_id)
    reply = text(
        lang,
        "settings",
        lang_name=LANGUAGE_NAMES[lang],
        digest=digest_state(lang, mode, hour, context.services.zone),
        tags=text(lang, "settings_tags" if followed else "settings_no_tags", count=len(followed)),
    )
    return reply, _keyboard(context, lang, mode, followed)


def _keyboard(
    context: BotContext, lang: str, mode: str, followed: list[Tag]
) -> InlineKeyboardMarkup:
    sign = context.services.sign

    def chosen(label: str, on: bool) -> str:
        return f"✓ {label}" if on else label

    rows = [
        [
            InlineKeyboardButton(
                chosen(LANGUAGE_NAMES[code], code == lang), callback_data=sign(f"st:l:{code}")
            )
            for code in LANGUAGES
        ],
        [
            InlineKeyboardButton(
                chosen(text(lang, f"settings_digest_{digest}"), digest == mode),
                callback_data=sign(f"st:d:{digest}"),
            )
            for digest in DIGESTS
        ],
    ]
    buttons = [
        InlineKeyboardButton(f"✖️ {tag.name}"[:60], callback_data=sign(f"st:u:{tag.id}"))
        for tag in followed[:MAX_TAG_BUTTONS]
    ]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows)


def _zone(context: BotContext) -> str:
    return zone_label(context.services.zone)
