"""Replies in Arabic and English. Arabic is the default; English for English clients."""

from __future__ import annotations

from telegram import Update

TEXTS: dict[str, dict[str, str]] = {
    "ar": {
        "welcome": "أهلاً بك في نشرة الأخبار 📰\nأرسل /latest لآخر الأخبار، و/help لكل الأوامر.",
        "help": ("الأوامر:\n/latest [عدد] — آخر الأخبار\n/help — هذه القائمة"),
        "latest_none": "لا توجد أخبار بعد.",
        "latest_title": "🗞 آخر الأخبار",
        "bad_number": "اكتب عدداً بين 1 و{max}، مثل: /latest 5",
    },
    "en": {
        "welcome": (
            "Welcome to the news bot 📰\n"
            "Send /latest for the latest news and /help for all commands."
        ),
        "help": "Commands:\n/latest [n] — latest news\n/help — this list",
        "latest_none": "No news yet.",
        "latest_title": "🗞 Latest news",
        "bad_number": "Give a number from 1 to {max}, e.g. /latest 5",
    },
}


def language_of(update: Update, default: str) -> str:
    """English for clients set to English, the configured default otherwise."""
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    if code.lower().startswith("en"):
        return "en"
    if code.lower().startswith("ar"):
        return "ar"
    return default if default in TEXTS else "ar"


def text(language: str, key: str, **values: object) -> str:
    """The reply `key` in `language`, with values filled in."""
    return TEXTS.get(language, TEXTS["ar"])[key].format(**values)
