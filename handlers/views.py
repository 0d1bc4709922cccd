"""Small pieces of replies shared by several handlers: headline lists and keyboards."""

from __future__ import annotations

import base64
import binascii
import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions

from bot.adapters.storage.subscribers import Tag
from bot.core.model import Article

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def headline_list(title: str, articles: Sequence[Article], *, start: int = 0) -> str:
    """A bold title and one linked headline per line (HTML)."""
    lines = [f"<b>{html.escape(title)}</b>"]
    for number, article in enumerate(articles, start=start + 1):
        url = html.escape(article.url, quote=True)
        lines.append(f'{number}. <a href="{url}">{html.escape(article.title)}</a>')
    return "\n".join(lines)


def follow_keyboard(tags: Sequence[Tag], sign: object, per_row: int = 2) -> InlineKeyboardMarkup:
    """One follow button per tag, `per_row` to a row; `sign` signs the callback data."""
    assert callable(sign)
    buttons = [
        InlineKeyboardButton(f"➕ {tag.name}"[:60], callback_data=sign(f"f:{tag.id}"))
        for tag in tags
    ]
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def unfollow_keyboard(tags: Sequence[Tag], sign: object, per_row: int = 2) -> InlineKeyboardMarkup:
    """One unfollow button per tag, `per_row` to a row."""
    assert callable(sign)
    buttons = [
        InlineKeyboardButton(f"✖️ {tag.name}"[:60], callback_data=sign(f"u:{tag.id}"))
        for tag in tags
    ]
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def tag_payload(name: str) -> str:
    """The `/start` deep-link payload that follows a tag (`tag_` + base64url of its name)."""
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    return f"tag_{encoded}"


def tag_from_payload(payload: str) -> str | None:
    """The tag in a `tag_<slug>` payload: a tag id, base64url of the name, or a plain slug."""
    if not payload.startswith("tag_") or len(payload) <= 4:
        return None
    slug = payload[4:]
    if slug.isdigit():
        return slug
    try:
        decoded = base64.urlsafe_b64decode(slug + "=" * (-len(slug) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if decoded and decoded.isprintable() and tag_payload(decoded) == payload:
        return decoded
    return slug.replace("-", " ").replace("_", " ")
