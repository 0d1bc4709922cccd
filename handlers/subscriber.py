"""Commands for subscribers: /start, /help, /latest, /top, /lang, /digest, /stop.

Each handler parses its arguments, answers usage errors, and calls one
service (`context.services.subscribers`).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.core.formatting.labels import labels_for
from bot.services.subscribers import DIGESTS, LANGUAGES, Reader
from handlers.approval import awaiting_headline
from handlers.context import BotContext, forget_language, language, say
from handlers.i18n import language_of, text
from handlers.preferences import DEFAULT_HOUR, digest_state, zone_label
from handlers.search import run_search
from handlers.tags import answer_follow
from handlers.views import NO_PREVIEW, headline_list, tag_from_payload

LATEST_DEFAULT = 5
LATEST_MAX = 10
TOP_COUNT = 10
TOP_PERIODS = {"today": "today", "اليوم": "today", "week": "week", "الأسبوع": "week"}


def reader(update: Update, context: BotContext, chosen: str | None = None) -> Reader:
    """The user talking, as the subscriber service needs them."""
    assert update.effective_user is not None
    assert update.effective_chat is not None
    default = language_of(update, context.services.language)
    return Reader(update.effective_user.id, update.effective_chat.id, chosen or default)


async def start(update: Update, context: BotContext) -> None:
    """Subscribe, say what the bot does, show the site's channels; `tag_<slug>` follows a tag."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    services = context.services
    _, created = await services.subscribers.subscribe(reader(update, context))
    forget_language(context)
    lang = await language(update, context)
    site = context.services.bot_name or context.bot.first_name  # never the contact URL
    await message.reply_text(
        text(lang, "welcome" if created else "welcome_back", site=site),
        reply_markup=await _channel_buttons(context, lang),
    )
    payload = context.args[0] if context.args else ""
    wanted = tag_from_payload(payload)
    if wanted is not None:
        reader_ = reader(update, context, lang)
        if wanted.isdigit():
            result = await services.subscribers.follow_id(reader_, int(wanted))
        else:
            result = await services.subscribers.follow(reader_, wanted)
        await answer_follow(update, context, result, wanted)


async def _channel_buttons(context: BotContext, lang: str) -> InlineKeyboardMarkup | None:
    options = await context.services.renderer.current_options()
    labels = labels_for("en" if lang == "en" else "ar")
    buttons = [
        InlineKeyboardButton(labels.network(name), url=url)
        for name, url in options.social.items()
        if url.startswith(("https://", "http://"))
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands (admins see theirs too)."""
    if update.effective_message is None:
        return
    lang = await language(update, context)
    reply = text(lang, "help", bot=context.bot.username)
    if update.effective_user and context.services.is_admin(update.effective_user.id):
        reply += text(lang, "help_admin")
    await update.effective_message.reply_text(reply)


async def latest(update: Update, context: BotContext) -> None:
    """The newest headlines as links; `/latest 3` for fewer."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    count = LATEST_DEFAULT
    if context.args:
        raw = context.args[0]
        if len(context.args) > 1 or not raw.isdigit() or not 1 <= int(raw) <= LATEST_MAX:
            await message.reply_text(text(lang, "bad_number", max=LATEST_MAX))
            return
        count = int(raw)
    articles = await context.services.subscribers.latest(count)
    if not articles:
        await message.reply_text(text(lang, "latest_none"))
        return
    await message.reply_text(
        headline_list(text(lang, "latest_title"), articles),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )


async def top(update: Update, context: BotContext) -> None:
    """Most read articles of today (default) or this week."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    args = context.args or []
    period = TOP_PERIODS.get(args[0].lower()) if len(args) == 1 else "today" if not args else None
    if period is None:
        await message.reply_text(text(lang, "top_usage"))
        return
    articles = await context.services.subscribers.top(period, TOP_COUNT)
    if not articles:
        await message.reply_text(text(lang, "top_none"))
        return
    await message.reply_text(
        headline_list(text(lang, f"top_title_{period}"), articles),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )


async def lang_command(update: Update, context: BotContext) -> None:
    """Choose the reply language: /lang ar or /lang en."""
    message = update.effective_message
    if message is None:
        return
    args = [a.lower() for a in context.args or []]
    if len(args) != 1 or args[0] not in LANGUAGES:
        await say(update, context, "lang_usage")
        return
    await context.services.subscribers.set_language(reader(update, context), args[0])
    forget_language(context)
    await message.reply_text(text(args[0], "lang_set"))


async def digest(update: Update, context: BotContext) -> None:
    """Choose the digest: /digest off|daily|weekly [hour]."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    lang = await language(update, context)
    args = [a.lower() for a in context.args or []]
    hour: int | None = None
    valid = 1 <= len(args) <= 2 and args[0] in DIGESTS
    if valid and len(args) == 2:
        valid = args[0] != "off" and args[1].isdigit() and 0 <= int(args[1]) <= 23
        hour = int(args[1]) if valid else None
    zone = context.services.zone
    if not valid:
        current = await context.services.subscribers.get(update.effective_user.id)
        mode, at = (current.digest, current.digest_hour) if current else ("off", DEFAULT_HOUR)
        shown = digest_state(lang, mode, at, zone)
        await message.reply_text(text(lang, "digest_usage", current=shown))
        return
    chosen = await context.services.subscribers.set_digest(reader(update, context), args[0], hour)
    await message.reply_text(
        text(lang, f"digest_{chosen.digest}", hour=chosen.digest_hour, zone=zone_label(zone))
    )


async def stop(update: Update, context: BotContext) -> None:
    """Unsubscribe and delete everything kept about the user."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    lang = await language(update, context)
    forgotten = await context.services.subscribers.stop(update.effective_user.id)
    if context.user_data is not None:
        context.user_data.clear()
    await message.reply_text(text(lang, "stopped" if forgotten else "stop_none"))


async def unknown(update: Update, context: BotContext) -> None:
    """Any command the bot does not know (and admin commands from non-admins)."""
    await say(update, context, "unknown")


async def not_a_command(update: Update, context: BotContext) -> None:
    """Words in private are a search (or the headline an admin was asked for); else a hint."""
    if await awaiting_headline(update, context):
        return
    message = update.effective_message
    if message is not None and message.text:
        await run_search(update, context, message.text)
        return
    await say(update, context, "search_words_only")


async def in_group(update: Update, context: BotContext) -> None:
    """Commands addressed to this bot in a group: it talks in private only."""
    message = update.effective_message
    first = (message.text or "").split(maxsplit=1)[0] if message and message.text else ""
    if not first.lower().endswith(f"@{context.bot.username}".lower()):
        return
    await say(update, context, "private_only", link=f"https://t.me/{context.bot.username}")
