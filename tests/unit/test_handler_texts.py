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


def test_an_approval_request_names_five_destinations_and_counts_the_rest() -> None:
    from bot.core.model import Destination, DestinationKind, Platform
    from handlers.notify import destination_names

    def channel(number: int) -> Destination:
        return Destination(
            id=number,
            platform=Platform.TELEGRAM,
            kind=DestinationKind.CHANNEL,
            address=f"@c{number}",
        )

    x = Destination(id=99, platform=Platform.X, kind=DestinationKind.X_ACCOUNT, address="news_x")
    assert destination_names([channel(1), x]) == "@c1, X"
    assert destination_names([channel(n) for n in range(8)]) == "@c0, @c1, @c2, @c3, @c4 (+3)"


def test_counted_nouns_take_the_arabic_plural_forms_and_the_english_ones() -> None:
    from handlers.i18n import count, text

    arabic = [count("ar", "destination", n) for n in (1, 2, 3, 10, 11, 99, 100, 102, 103, 111)]
    assert arabic == [
        "وجهة واحدة",
        "وجهتين",
        "3 وجهات",
        "10 وجهات",
        "11 وجهةً",
        "99 وجهةً",
        "100 وجهة",
        "102 وجهة",
        "103 وجهات",
        "111 وجهةً",
    ]
    assert [count("en", "subscriber", n) for n in (0, 1, 2, 21)] == [
        "0 subscribers",
        "1 subscriber",
        "2 subscribers",
        "21 subscribers",
    ]
    assert text("ar", "broadcast_queued", count=2) == "📣 أُرسل إلى الطابور لـ مشتركَين."
    assert text("en", "posted", title="t", count=1) == "“t” is queued to post now to 1 destination."


def test_every_counted_noun_a_text_names_exists_in_its_language() -> None:
    from handlers.i18n import NOUNS

    for language, texts in TEXTS.items():
        for template in texts.values():
            for _, _, spec, _ in string.Formatter().parse(template):
                if spec and spec.startswith("n:"):
                    assert "other" in NOUNS[language][spec[2:]], (language, spec)
