"""/search with paging buttons; words sent in the private chat are searched too.

The query is kept in `user_data` under a short token and the buttons carry
only that token and an offset (callback data is limited to 64 bytes, and an
Arabic query would not fit); a button whose token is gone has expired.
"""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.services.search import MAX_QUERY_CHARS
from handlers.context import BotContext, language, say
from handlers.i18n import text
from handlers.views import NO_PREVIEW, headline_list

PAGE = 5
KEPT_SEARCHES = 10
SEARCHES_KEY = "searches"


async def search(update: Update, context: BotContext) -> None:
    """Search titles and summaries: /search words; bare /search asks for the words."""
    query = " ".join(context.args or [])
    if not query:
        await say(update, context, "search_ask")  # the next message is searched (free text)
        return
    await run_search(update, context, query)


async def run_search(update: Update, context: BotContext, query: str) -> None:
    """Answer with the first page of results for `query`."""
    message = update.effective_message
    if message is None:
        return
    query = " ".join(query.split())
    if len(query) > MAX_QUERY_CHARS:
        await say(update, context, "too_long", max=MAX_QUERY_CHARS)
        return
    token = _remember(context, query)
    reply, markup = await _page(update, context, token, query, 0)
    await message.reply_text(
        reply, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
    )


async def page_button(update: Update, context: BotContext, token: str, offset: int) -> None:
    """A paging button was pressed: show that page in the same message."""
    query = update.callback_query
    assert query is not None
    searches = (context.user_data or {}).get(SEARCHES_KEY, {})
    wanted = searches.get(token) if isinstance(searches, dict) else None
    if wanted is None or offset < 0:
        await query.answer(text(await language(update, context), "search_expired"), show_alert=True)
        return
    reply, markup = await _page(update, context, token, wanted, offset)
    await query.answer()
    await query.edit_message_text(
        reply, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
    )


async def _page(
    update: Update, context: BotContext, token: str, query: str, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = await language(update, context)
    found = await context.services.search.search(query, limit=PAGE, offset=offset)
    shown = query[:60]
    if not found.articles:
        return text(lang, "search_none", query=shown), None
    title = text(
        lang,
        "search_title",
        query=shown,
        first=offset + 1,
        last=offset + len(found.articles),
        total=found.total,
    )
    buttons = []
    sign = context.services.sign
    if offset > 0:
        buttons.append(
            InlineKeyboardButton(
                text(lang, "previous"), callback_data=sign(f"s:{token}:{max(offset - PAGE, 0)}")
            )
        )
    if offset + PAGE < found.total:
        buttons.append(
            InlineKeyboardButton(
                text(lang, "next"), callback_data=sign(f"s:{token}:{offset + PAGE}")
            )
        )
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    return headline_list(title, found.articles, start=offset), markup


def _remember(context: BotContext, query: str) -> str:
    token = secrets.token_urlsafe(6)
    if context.user_data is None:
        return token
    searches = context.user_data.setdefault(SEARCHES_KEY, {})
    searches[token] = query
    while len(searches) > KEPT_SEARCHES:
        searches.pop(next(iter(searches)))
    return token
