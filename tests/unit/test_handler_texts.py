"""Both languages hold every reply and command description, with the same placeholders."""

from __future__ import annotations

import string

from handlers import ADMIN, SUBSCRIBER
from handlers.i18n import COMMANDS, TEXTS
from handlers.menus import ADMIN_COMMANDS, SUBSCRIBER_COMMANDS


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_arabic_and_english_have_the_same_keys_and_placeholders() -> None:
    assert TEXTS["ar"].keys() == TEXTS["en"].keys()
    for key, arabic in TEXTS["ar"].items():
        assert _fields(arabic) == _fields(TEXTS["en"][key]), key


def test_every_registered_command_is_in_the_menus_with_descriptions_in_both_languages() -> None:
    assert set(SUBSCRIBER) == set(SUBSCRIBER_COMMANDS)
    assert set(ADMIN) == set(ADMIN_COMMANDS)
    for language in ("ar", "en"):
        assert set(COMMANDS[language]) == set(SUBSCRIBER_COMMANDS) | set(ADMIN_COMMANDS)


def test_every_arabic_refusal_reason_is_translated_and_english_passes_through() -> None:
    from handlers.i18n import REASONS, reason

    assert REASONS["ar"]
    for english, arabic in REASONS["ar"].items():
        assert reason("ar", english) == arabic
        assert reason("en", english) == english
    assert reason("ar", "HTTP 404") == "HTTP 404"
