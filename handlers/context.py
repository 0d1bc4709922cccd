"""The typed context every handler receives: the services it calls, no string keys.

PTB builds one `BotContext` per update (see `ContextTypes` in `bot.app`);
`context.services` is what `register` stored. The reply language is the
subscriber's (set from their client at /start, changed by `/lang`; cached in
`user_data`), else the Telegram client's language.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from handlers.i18n import language_of, text

if TYPE_CHECKING:
    from bot.services.admin_service import AdminService
    from bot.services.alerts import Alerts
    from bot.services.approval import Approval
    from bot.services.rendering import Renderer
    from bot.services.search import Search
    from bot.services.subscribers import Subscribers

LANGUAGE_KEY = "language"
SIGNATURE_LENGTH = 10


@dataclass
class Services:
    """What handlers call and the few settings they read; built once by the bootstrap."""

    subscribers: Subscribers
    search: Search
    admin: AdminService
    renderer: Renderer
    approval: Approval
    alerts: Alerts
    callback_key: bytes
    language: str = "ar"  # the bot's default language (NASHIR_LANGUAGE)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    admin_chat_id: int | None = None
    bot_name: str | None = None  # NASHIR_BOT_NAME; else the name getMe gives
    admin_ids: frozenset[int] = field(default_factory=frozenset)

    def is_admin(self, user_id: int | None) -> bool:
        """Admins are known by Telegram user id only, never by username."""
        return user_id is not None and user_id in self.admin_ids

    def sign(self, data: str) -> str:
        """Callback data with a MAC, so a forged button press is recognised."""
        return sign_button(self.callback_key, data)

    def verify(self, raw: str | None) -> str | None:
        """The data of a button this bot made, or None for forged or malformed data."""
        if not raw or "|" not in raw:
            return None
        data, _, mac = raw.rpartition("|")
        return data if hmac.compare_digest(mac, _mac(self.callback_key, data)) else None


def button_key(secret: str) -> bytes:
    """The key that signs this bot's buttons, derived from its token."""
    return hashlib.sha256(b"nashir-buttons:" + secret.encode()).digest()


def sign_button(key: bytes, data: str) -> str:
    """`data` with its MAC appended (what `Services.verify` checks)."""
    return f"{data}|{_mac(key, data)}"


def _mac(key: bytes, data: str) -> str:
    return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with Nashir's services on it."""

    @property
    def services(self) -> Services:
        """The services `register` attached to the application."""
        return cast(Services, self.bot_data["services"])


BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


async def language(update: Update, context: BotContext) -> str:
    """The language to answer this user in."""
    cached = context.user_data.get(LANGUAGE_KEY) if context.user_data is not None else None
    if isinstance(cached, str):
        return cached
    user = update.effective_user
    subscriber = await context.services.subscribers.get(user.id) if user else None
    if subscriber is None:
        return language_of(update, context.services.language)
    if context.user_data is not None:
        context.user_data[LANGUAGE_KEY] = subscriber.language
    return subscriber.language


def forget_language(context: BotContext) -> None:
    """Drop the cached language (after /lang, /start or /stop)."""
    if context.user_data is not None:
        context.user_data.pop(LANGUAGE_KEY, None)


async def say(update: Update, context: BotContext, key: str, **values: object) -> None:
    """Reply with the text `key` in the user's language (nothing when there is no message)."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(text(await language(update, context), key, **values))
