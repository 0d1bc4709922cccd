"""Tags: /tags with follow buttons, /follow, /unfollow, /following.

Tag names are matched forgivingly (`bot.core.tag_match`). A tag no story carries
yet is followed all the same (its first story will come), and the closest
known tags come back as follow buttons. Bare /follow offers the popular tags
as buttons, bare /unfollow the reader's own.
"""

from __future__ import annotations

from telegram import Update

from bot.services.subscribers import MAX_UNSEEN, FollowResult, Outcome, Reader
from handlers.context import BotContext, language, say
from handlers.i18n import language_of, text
from handlers.views import follow_keyboard, unfollow_keyboard

POPULAR = 10
MAX_TAG_CHARS = 100


def _reader(update: Update, context: BotContext) -> Reader:
    assert update.effective_user is not None
    assert update.effective_chat is not None
    default = language_of(update, context.services.language)
    return Reader(update.effective_user.id, update.effective_chat.id, default)


async def answer_follow(
    update: Update, context: BotContext, result: FollowResult, asked: str, *, unfollow: bool = False
) -> None:
    """Tell the user what following (or unfollowing) did, with suggestions if needed."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    if result.outcome is Outcome.TOO_MANY:
        await message.reply_text(text(lang, "too_many_unseen", max=MAX_UNSEEN))
        return
    if result.outcome is Outcome.UNKNOWN:
        reply = text(lang, "unknown_tag", tag=asked[:MAX_TAG_CHARS])
        if result.suggestions and not unfollow:
            await message.reply_text(
                f"{reply}\n{text(lang, 'suggest')}",
                reply_markup=follow_keyboard(result.suggestions, context.services.sign),
            )
            return
        if result.suggestions:
            names = "، ".join(tag.name for tag in result.suggestions)
            reply += f"\n{text(lang, 'suggest')} {names}"
        else:
            reply += "\n" + text(lang, "see_tags")
        await message.reply_text(reply)
        return
    assert result.tag is not None
    if unfollow:
        key = "unfollowed" if result.outcome is Outcome.DONE else "not_following"
    elif result.outcome is Outcome.DONE:
        key = "followed_unseen" if result.unseen else "followed"
    else:
        key = "already_following"
    reply = text(lang, key, tag=result.tag.name)
    if result.suggestions and not unfollow:
        await message.reply_text(
            f"{reply}\n{text(lang, 'suggest')}",
            reply_markup=follow_keyboard(result.suggestions, context.services.sign),
        )
        return
    await message.reply_text(reply)


async def tags(update: Update, context: BotContext) -> None:
    """The most used tags, each with a follow button."""
    await _popular(update, context, title="tags_title", empty="tags_none")


async def follow(update: Update, context: BotContext) -> None:
    """Follow a tag: /follow اليمن (spelling variants forgiven); bare /follow offers buttons."""
    asked = " ".join(context.args or [])
    if not asked:
        await _offer(update, context)
        return
    if len(asked) > MAX_TAG_CHARS:
        await say(update, context, "too_long", max=MAX_TAG_CHARS)
        return
    result = await context.services.subscribers.follow(_reader(update, context), asked)
    await answer_follow(update, context, result, asked)


async def unfollow(update: Update, context: BotContext) -> None:
    """Stop following a tag."""
    if update.effective_user is None:
        return
    asked = " ".join(context.args or [])
    if not asked:
        await _offer_own(update, context, update.effective_user.id)
        return
    if len(asked) > MAX_TAG_CHARS:
        await say(update, context, "too_long", max=MAX_TAG_CHARS)
        return
    result = await context.services.subscribers.unfollow(update.effective_user.id, asked)
    await answer_follow(update, context, result, asked, unfollow=True)


async def following(update: Update, context: BotContext) -> None:
    """The tags the user follows."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    lang = await language(update, context)
    if context.args:
        await message.reply_text(text(lang, "extra_args", command="/following"))
        return
    followed = await context.services.subscribers.following(update.effective_user.id)
    if not followed:
        await message.reply_text(text(lang, "following_none"))
        return
    lines = [text(lang, "following_title"), *(f"• {tag.name}" for tag in followed)]
    await message.reply_text("\n".join(lines))


async def _offer(update: Update, context: BotContext) -> None:
    """Bare /follow: the popular tags as follow buttons (the usage line when there are none)."""
    await _popular(update, context, title="follow_pick", empty="follow_usage")


async def _popular(update: Update, context: BotContext, *, title: str, empty: str) -> None:
    """The most used tags as follow buttons under `title`, or the `empty` text."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    popular = await context.services.subscribers.popular_tags(POPULAR)
    if not popular:
        await message.reply_text(text(lang, empty))
        return
    await message.reply_text(
        text(lang, title),
        reply_markup=follow_keyboard([tag for tag, _ in popular], context.services.sign),
    )


async def _offer_own(update: Update, context: BotContext, user_id: int) -> None:
    """Bare /unfollow: the reader's own tags as unfollow buttons."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    followed = await context.services.subscribers.following(user_id)
    if not followed:
        await message.reply_text(text(lang, "following_none"))
        return
    await message.reply_text(
        text(lang, "unfollow_pick"),
        reply_markup=unfollow_keyboard(followed, context.services.sign),
    )


async def unfollow_button(update: Update, context: BotContext, tag_id: int) -> None:
    """An unfollow button was pressed: stop following, and say so in a toast."""
    query = update.callback_query
    assert query is not None
    lang = await language(update, context)
    result = await context.services.subscribers.unfollow_id(query.from_user.id, tag_id)
    if result.tag is None:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    key = "unfollowed" if result.outcome is Outcome.DONE else "not_following"
    await query.answer(text(lang, key, tag=result.tag.name))


async def follow_button(update: Update, context: BotContext, tag_id: int) -> None:
    """A follow button was pressed: follow, and say so in a toast."""
    query = update.callback_query
    assert query is not None
    lang = await language(update, context)
    chat = update.effective_chat
    reader = Reader(query.from_user.id, chat.id if chat else query.from_user.id, lang)
    result = await context.services.subscribers.follow_id(reader, tag_id)
    if result.outcome is Outcome.UNKNOWN or result.tag is None:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    key = "followed" if result.outcome is Outcome.DONE else "already_following"
    await query.answer(text(lang, key, tag=result.tag.name))
