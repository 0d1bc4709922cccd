"""Replies in Arabic and English: Arabic by default, English for English clients or `/lang en`.

Texts live one language per module under the same keys; a test checks that
both hold every key with the same placeholders. A number followed by a noun is
written ``{count:n:destination}``: the noun's form comes from the language's
`NOUNS` by the number's plural category (`handlers.i18n.plural`), so Arabic
reads "وجهتين" and "11 وجهةً" where English reads "2 destinations".
"""

from __future__ import annotations

import string
from typing import Any

from telegram import Update

from handlers.i18n import ar, en
from handlers.i18n.plural import counted

TEXTS: dict[str, dict[str, str]] = {"ar": ar.TEXTS, "en": en.TEXTS}
COMMANDS: dict[str, dict[str, str]] = {"ar": ar.COMMANDS, "en": en.COMMANDS}
REASONS: dict[str, dict[str, str]] = {"ar": ar.REASONS, "en": en.REASONS}
NOUNS: dict[str, dict[str, dict[str, str]]] = {"ar": ar.NOUNS, "en": en.NOUNS}


class _Texts(string.Formatter):
    """`str.format` that also understands ``{value:n:noun}`` (a counted noun)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("n:"):
            return count(self.language, format_spec[2:], int(value))
        return str(super().format_field(value, format_spec))


def count(language: str, noun: str, n: int) -> str:
    """`n` and the noun in the right plural form ("مشتركان", "3 subscribers")."""
    nouns = NOUNS.get(language, NOUNS["ar"])
    return counted(nouns[noun], language if language in NOUNS else "ar", n)


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
    language = language if language in TEXTS else "ar"
    return _Texts(language).format(TEXTS[language][key], **values)
