"""Nashir's parser and the fake Bot API against tdlib's own parse_html cases.

The cases come from tdlib's ``test/message_entities.cpp`` (see
``tests/data/tdlib/README.md``): what the Bot API server accepts or refuses, the
text it parses and the entities it finds, in its own words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.core.text.telegram_html import (
    Entity,
    TelegramHTMLError,
    date_flags,
    parse_html,
    stored_text,
    visible_length,
)
from bot.core.text.telegram_text import TelegramTextError, fix_formatted_text

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "data" / "tdlib" / "parse_html_cases.json").read_text("utf-8")
)["cases"]
ACCEPTED = [case for case in CASES if "error" not in case]
REFUSED = [case for case in CASES if "error" in case]


def _as_tdlib(entity: Entity) -> dict[str, Any]:
    data: dict[str, Any] = {"type": entity.type, "offset": entity.offset, "length": entity.length}
    if entity.url is not None:
        data["url"] = entity.url
    if entity.language:
        data["language"] = entity.language
    if entity.custom_emoji_id is not None:
        data["custom_emoji_id"] = entity.custom_emoji_id
    if entity.unix_time is not None:
        data["unix_time"] = entity.unix_time
        data["date_flags"] = date_flags(entity.date_time_format or "")
    return data


def test_the_data_holds_every_case_of_tdlibs_test() -> None:
    assert len(CASES) == 89
    assert len(REFUSED) == 18


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["html"][:40] for c in ACCEPTED])
def test_lenient_parser_gives_tdlibs_text_and_entities(case: dict[str, Any]) -> None:
    text, entities = parse_html(case["html"], strict=False)
    assert text == case["text"]
    assert [_as_tdlib(e) for e in entities] == case["entities"]


@pytest.mark.parametrize("case", REFUSED, ids=[c["html"][:40] for c in REFUSED])
def test_both_modes_refuse_what_tdlib_refuses_in_its_words(case: dict[str, Any]) -> None:
    for strict in (False, True):
        with pytest.raises(TelegramHTMLError) as raised:
            parse_html(case["html"], strict=strict)
        if not strict:
            assert raised.value.description == case["error"]


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["html"][:40] for c in ACCEPTED])
def test_strict_parser_accepts_only_tdlibs_result(case: dict[str, Any]) -> None:
    try:
        strict = parse_html(case["html"])
    except TelegramHTMLError:
        return  # strict refuses some of what Telegram tolerates (a bare "&lt" here)
    assert strict == parse_html(case["html"], strict=False)


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["html"][:40] for c in ACCEPTED])
def test_length_is_the_stored_texts_after_tdlibs_cleaning_and_trimming(
    case: dict[str, Any],
) -> None:
    text, entities = parse_html(case["html"], strict=False)
    try:
        stored, _ = fix_formatted_text(text, entities)
    except TelegramTextError:
        assert visible_length(case["html"], strict=False) == 0
        return
    assert visible_length(case["html"], strict=False) == len(stored)
    assert stored_text(case["html"], strict=False)[0] == stored


@pytest.mark.parametrize(
    ("markup", "stored", "entities"),
    [
        # tdlib's own fix_formatted_text cases that HTML can express
        ("<i>\t</i>", "", []),
        ("<b>a \r</b><u> </u>", "a", [Entity("bold", 0, 1)]),
        ("<i>a</i>\r<b>bc</b>", "abc", [Entity("italic", 0, 1), Entity("bold", 1, 2)]),
        ("<i>b</i><i>c</i>", "bc", [Entity("italic", 0, 2)]),
        # leading whitespace is kept from the first entity on, trailing always goes
        ("<b> x</b> ", " x", [Entity("bold", 0, 2)]),
        ("  \n<b>x</b>", "x", [Entity("bold", 0, 1)]),
        (" \n <b> </b>x", " x", [Entity("bold", 0, 1)]),
        # a right-to-left mark followed by a left-to-right mark is lost
        ("\u200f\u200e#Tag", "\u200c\u200e#Tag", []),
        ("a\u202bb\u2028c", "abc", []),
    ],
)
def test_stored_text_follows_fix_formatted_text(
    markup: str, stored: str, entities: list[Entity]
) -> None:
    assert stored_text(markup, strict=False) == (stored, entities)
