"""Replies in Arabic and English: Arabic by default, English for English clients or `/lang en`.

Texts live one language per module under the same keys; a test checks that
both hold every key with the same placeholders.
"""

from __future__ import annotations

from telegram import Update

from handlers.i18n import ar, en

TEXTS: dict[str, dict[str, str]] = {"ar": ar.TEXTS, "en": en.TEXTS}
COMMANDS: dict[str, dict[str, str]] = {"ar": ar.COMMANDS, "en": en.COMMANDS}
REASONS: dict[str, dict[str, str]] = {"ar": ar.REASONS, "en": en.REASONS}


def language_of(update: Update, default: str) -> str:
    """English for clients set to English, Arabic for Arabic ones, the default otherwise."""
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    if code.lower().startswith("en"):
        return "en"
    if code.lower().startswith("ar"):
        return "ar"
    return default if default in TEXTS else "ar"


def reason(language: str, message: str) -> str:
    """A service's reason for refusing, in the reader's language when it is known."""
    return REASONS.get(language, {}).get(message, message)


def text(language: str, key: str, **values: object) -> str:
    """The reply `key` in `language`, with values filled in."""
    return TEXTS.get(language, TEXTS["ar"])[key].format(**values)
