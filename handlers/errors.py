"""The one error handler: log once with the update, apologise briefly, alert on repeats.

A user who blocked the bot (Forbidden on our reply) is not an error: the
subscriber is marked blocked and nothing else happens. Any other exception
is logged with `exc_info`; the user gets a short apology, never a traceback;
the admins are alerted when failures repeat (`REPEATS` within `WINDOW`).
"""

from __future__ import annotations

import logging
import time
from collections import deque

from telegram import Update
from telegram.error import Forbidden, TelegramError

from handlers.context import BotContext, language
from handlers.i18n import text

log = logging.getLogger(__name__)

REPEATS = 3
WINDOW = 600.0
RECENT_KEY = "recent_errors"


async def on_error(update: object, context: BotContext) -> None:
    """Handle whatever a handler raised."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None and chat.type == "private":
        log.info("chat %s refuses the bot (%s): marked blocked", chat.id, error.message)
        await context.services.subscribers.blocked(chat.id, error.message)
        return
    log.error(
        "handler failed on update %s",
        update.to_dict() if isinstance(update, Update) else update,
        exc_info=error,
    )
    await _apologise(update, context)
    await _alert_if_repeated(context, error)


async def _apologise(update: object, context: BotContext) -> None:
    if not isinstance(update, Update):
        return
    try:
        lang = await language(update, context)
    except Exception:  # the database may be what failed
        lang = context.services.language
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text(lang, "sorry"), show_alert=True)
        elif (
            update.effective_message is not None
            and update.effective_chat is not None
            and update.effective_chat.type == "private"
        ):
            await update.effective_message.reply_text(text(lang, "sorry"))
    except TelegramError as exc:
        log.info("could not apologise: %s", exc)


async def _alert_if_repeated(context: BotContext, error: BaseException | None) -> None:
    now = time.monotonic()
    recent: deque[float] = context.bot_data.setdefault(RECENT_KEY, deque(maxlen=REPEATS))
    recent.append(now)
    if len(recent) < REPEATS or now - recent[0] > WINDOW:
        return
    await context.services.alerts(
        f"⚠️ {REPEATS} handler failures in {int(WINDOW // 60)} minutes; last: "
        f"{type(error).__name__}: {error}",
        key="handler-errors",
    )
