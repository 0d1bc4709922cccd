"""The admins' ✅ ✏️ ❌ on a post waiting for approval, and the new headline they send."""

from __future__ import annotations

import dataclasses
import logging

from telegram import ForceReply, Update

from bot.services.approval import Approval
from handlers.context import BotContext, language
from handlers.i18n import text

log = logging.getLogger(__name__)

HEADLINE_KEY = "headline_for"
MAX_HEADLINE = 300


def _approval(context: BotContext) -> Approval | None:
    return context.services.approval


async def approval_button(
    update: Update, context: BotContext, action: str, article_id: int
) -> None:
    """✅ sends the held posts, ❌ drops them, ✏️ asks for a new headline."""
    query = update.callback_query
    assert query is not None
    lang = await language(update, context)
    approval = _approval(context)
    if approval is None or not await approval.waiting(article_id):
        await query.answer(text(lang, "approval_gone"), show_alert=True)
        return
    admin = query.from_user.mention_html() if query.from_user else "?"
    services = context.services
    if action == "ok":
        count = await approval.approve(article_id)
        await services.admin.audit(query.from_user.id, "approve", str(article_id), True)
        await query.answer()
        await query.edit_message_reply_markup(None)
        if query.message is not None:
            await context.bot.send_message(
                query.message.chat.id,
                text(lang, "approved", admin=admin, count=count),
                parse_mode="HTML",
            )
        return
    if action == "no":
        await approval.drop(article_id, query.from_user.id)
        await services.admin.audit(query.from_user.id, "drop", str(article_id), True)
        await query.answer()
        await query.edit_message_reply_markup(None)
        if query.message is not None:
            await context.bot.send_message(
                query.message.chat.id, text(lang, "dropped", admin=admin), parse_mode="HTML"
            )
        return
    if context.user_data is not None:
        context.user_data[HEADLINE_KEY] = article_id
    await query.answer()
    await context.bot.send_message(
        query.from_user.id,
        text(lang, "send_headline", id=article_id),
        reply_markup=ForceReply(selective=True),
    )


async def awaiting_headline(update: Update, context: BotContext) -> bool:
    """If this admin was asked for a headline, take this text as it; True when handled."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or context.user_data is None:
        return False
    article_id = context.user_data.get(HEADLINE_KEY)
    if not isinstance(article_id, int) or not context.services.is_admin(user.id):
        return False
    headline = (message.text or "").strip()
    if not headline or headline.startswith("/"):
        return False
    context.user_data.pop(HEADLINE_KEY, None)
    lang = await language(update, context)
    if len(headline) > MAX_HEADLINE:
        await message.reply_text(text(lang, "too_long", max=MAX_HEADLINE))
        return True
    approval = _approval(context)
    if approval is None or not await approval.set_headline(article_id, headline):
        await message.reply_text(text(lang, "approval_gone"))
        return True
    await context.services.admin.audit(user.id, "headline", f"{article_id}: {headline}", True)
    await message.reply_text(text(lang, "headline_set"))
    article = await context.services.admin.article(str(article_id))
    destinations = await approval.held_destinations(article_id)
    if approval.ask is not None:
        await approval.ask(dataclasses.replace(article, title=headline), destinations)
    return True
