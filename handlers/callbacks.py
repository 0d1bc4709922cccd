"""Every inline button press comes through here: verified, then routed.

Callback data is signed (`Services.sign`), so data a client forged is
recognised and answered as an expired button, as is a button whose state is
gone (a search or broadcast no longer in memory). Admin buttons (approval,
broadcast) check the presser's user id like admin commands do.
"""

from __future__ import annotations

import logging

from telegram import Update

from handlers.admin import broadcast_button
from handlers.approval import approval_button
from handlers.context import BotContext, language
from handlers.i18n import text
from handlers.preferences import settings_button
from handlers.search import page_button
from handlers.tags import follow_button, unfollow_button

log = logging.getLogger(__name__)

ADMIN_PREFIXES = ("ap", "bc")


async def button(update: Update, context: BotContext) -> None:
    """Route a verified button press; answer anything else as expired."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    data = services.verify(query.data)
    parts = data.split(":") if data else []
    if not parts:
        log.warning("callback data refused from user %s: %r", query.from_user.id, query.data)
        await _expired(update, context)
        return
    if parts[0] in ADMIN_PREFIXES and not services.is_admin(query.from_user.id):
        await services.admin.audit(query.from_user.id, f"button:{parts[0]}", data, False)
        await _expired(update, context)
        return
    if parts[0] == "f" and len(parts) == 2 and parts[1].isdigit():
        await follow_button(update, context, int(parts[1]))
    elif parts[0] == "u" and len(parts) == 2 and parts[1].isdigit():
        await unfollow_button(update, context, int(parts[1]))
    elif parts[0] == "st" and len(parts) == 3:
        await settings_button(update, context, parts[1], parts[2])
    elif parts[0] == "s" and len(parts) == 3 and parts[2].isdigit():
        await page_button(update, context, parts[1], int(parts[2]))
    elif (
        parts[0] == "ap"
        and len(parts) == 3
        and parts[1] in ("ok", "ed", "no")
        and parts[2].isdigit()
    ):
        await approval_button(update, context, parts[1], int(parts[2]))
    elif parts[0] == "bc" and len(parts) == 3 and parts[1] in ("ok", "no"):
        await broadcast_button(update, context, parts[1], parts[2])
    else:
        await _expired(update, context)


async def _expired(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(
        text(await language(update, context), "expired"), show_alert=True
    )
