"""Inline mode: `@bot words` in any chat offers matching articles to share."""

from __future__ import annotations

import html

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.core.model import Article
from bot.services.search import MAX_QUERY_CHARS
from handlers.context import BotContext

RESULTS = 10
CACHE_SECONDS = 60


async def inline_query(update: Update, context: BotContext) -> None:
    """Answer with up to ten articles; an empty query offers the latest ones."""
    query = update.inline_query
    if query is None:
        return
    words = query.query.strip()[:MAX_QUERY_CHARS]
    offset = int(query.offset) if query.offset.isdigit() else 0
    services = context.services
    if words:
        page = await services.search.search(words, limit=RESULTS, offset=offset)
        articles, more = page.articles, offset + len(page.articles) < page.total
    else:
        articles, more = (await services.subscribers.latest(RESULTS) if offset == 0 else []), False
    await query.answer(
        [_result(article) for article in articles],
        cache_time=CACHE_SECONDS,
        next_offset=str(offset + RESULTS) if more else "",
    )


def _result(article: Article) -> InlineQueryResultArticle:
    link = html.escape(article.url, quote=True)
    summary = (article.summary or article.body or "")[:200]
    return InlineQueryResultArticle(
        id=str(article.id),
        title=article.title[:200],
        description=summary[:120] or None,
        url=article.url,
        input_message_content=InputTextMessageContent(
            f"<b>{html.escape(article.title)}</b>\n{html.escape(summary)}\n"
            f'<a href="{link}">{link}</a>',
            parse_mode=ParseMode.HTML,
        ),
    )
