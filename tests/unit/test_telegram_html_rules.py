"""tdlib's rules that its parse_html cases do not cover, read from its sources.

``fix_formatted_text`` and ``clean_input_string`` decide what a message stores,
``replace_offending_characters`` what becomes of direction marks, and
``check_link`` which links survive (``td/telegram/MessageEntity.cpp``,
``td/telegram/misc.cpp``, ``td/telegram/LinkManager.cpp``,
``tdutils/td/utils/HttpUrl.cpp``). Each property states one rule.
"""

from __future__ import annotations

import html
import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.text.telegram_entities import Entity, sort_key, utf16_length
from bot.core.text.telegram_html import TelegramHTMLError, parse_html, stored_text
from bot.core.text.telegram_links import checked_link
from bot.core.text.telegram_text import (
    LRM,
    RLM,
    ZWNJ,
    TelegramTextError,
    clean_text,
    fix_formatted_text,
    replace_offending_characters,
)

REMOVED = "\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u030a\u0333\u033f"
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)
tricky = st.text(alphabet=" \n\t\r\x0b\x0c\x00ab ب😀" + LRM + RLM + REMOVED, max_size=40)
markup = st.text(
    alphabet="<>/&;#x=\"' \t\n\x0c\x0bbiusaprecodtg-spoilerhfmjlkqv0123456789²٧😀ب",
    max_size=60,
)
SPLITTABLE = ("bold", "italic", "underline", "strikethrough", "spoiler")


# ------------------------------------------------------------------------------ cleaning


@given(st.one_of(texts, tricky))
def test_cleaning_turns_controls_into_spaces_and_removes_cr_separators_and_overrides(
    text: str,
) -> None:
    cleaned = clean_text(text)
    assert not re.search("[\x00-\x09\x0b-\x1f]", cleaned)
    assert not any(char in cleaned for char in REMOVED)
    assert len(cleaned) == len(text) - sum(text.count(char) for char in REMOVED)
    assert clean_text(cleaned) == cleaned


@given(st.text(alphabet=["a", LRM, RLM, "ب"], max_size=30))
def test_in_a_run_of_direction_marks_only_the_last_survives(text: str) -> None:
    replaced = replace_offending_characters(text)
    assert len(replaced) == len(text)
    for run in re.finditer(f"[{LRM}{RLM}]+", text):
        start, end = run.span()
        assert replaced[start : end - 1] == ZWNJ * (end - 1 - start)
        assert replaced[end - 1] == text[end - 1]
    assert not re.search(f"[{LRM}{RLM}]{{2}}", replaced)


# ------------------------------------------------------------------------ entity fixing


@st.composite
def formatted(draw: st.DrawFn) -> tuple[str, list[Entity]]:
    text = draw(st.one_of(tricky, st.text(alphabet=" \nabcب😀", max_size=30)))
    size = utf16_length(text)
    boundaries = [0]
    for char in text:
        boundaries.append(boundaries[-1] + utf16_length(char))
    entities = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        start, end = sorted(draw(st.lists(st.sampled_from(boundaries), min_size=2, max_size=2)))
        kind = draw(st.sampled_from([*SPLITTABLE, "code", "pre", "text_link", "blockquote"]))
        url = "https://example.com/" if kind == "text_link" else None
        entities.append(Entity(kind, start, end - start, url=url))
    assert all(e.end <= size for e in entities)
    return text, entities


@given(formatted())
def test_fixed_text_keeps_entities_in_bounds_sorted_merged_and_out_of_code(
    case: tuple[str, list[Entity]],
) -> None:
    try:
        text, entities = fix_formatted_text(*case)
    except TelegramTextError as error:
        refusal = error.description
        text, entities = "", []
    else:
        refusal = "Text must be non-empty" if not text else ""
    assert refusal in {"", "Text must be non-empty"}
    size = utf16_length(text)
    assert entities == sorted(entities, key=sort_key)
    assert all(e.length > 0 and e.end <= size for e in entities)
    for kind in SPLITTABLE:
        spans = [e for e in entities if e.type == kind]
        # split around nested entities they may touch, but never overlap
        assert all(a.end <= b.offset for a, b in itertools.pairwise(spans))
    for index, outer in enumerate(entities):
        if outer.type in {"code", "pre"}:  # nothing nests inside code (a blockquote may hold it)
            assert not [e for e in entities[index + 1 :] if e.offset < outer.end]
    # trailing spaces and newlines always go; leading ones only before the first entity
    assert text == text.rstrip(" \n")
    first = entities[0].offset if entities else size
    assert text[: min(first, len(text))] == text[: min(first, len(text))].lstrip(" \n")


@given(formatted())
def test_fixing_a_fixed_text_changes_nothing(case: tuple[str, list[Entity]]) -> None:
    try:
        once = fix_formatted_text(*case)
    except TelegramTextError:
        return
    assert fix_formatted_text(*once) == once


@given(st.text(alphabet=" \n\t", max_size=10), texts)
def test_leading_whitespace_inside_the_first_tag_is_stored_and_counted(
    space: str, text: str
) -> None:
    visible = clean_text(space + text).rstrip(" \n")
    try:
        stored, entities = stored_text(f"<b>{html.escape(space + text)}</b>")
    except TelegramTextError:
        return
    if stored:
        assert stored == visible
        assert entities[0].offset == 0


# ------------------------------------------------------------------------------ parsing


@given(markup)
def test_any_markup_parses_or_is_refused_in_telegrams_words(text: str) -> None:
    for strict in (True, False):
        description = ""
        try:
            visible, entities = parse_html(text, strict=strict)
        except TelegramHTMLError as error:  # never a bare ValueError or KeyError
            description = error.description
            visible, entities = "", []
        assert description or all(e.end <= utf16_length(visible) for e in entities)


@given(markup)
def test_strict_mode_never_accepts_what_telegram_refuses(text: str) -> None:
    try:
        strict = parse_html(text)
    except TelegramHTMLError:
        return
    assert parse_html(text, strict=False) == strict


@given(st.text(alphabet="abc ABC-", min_size=1, max_size=10))
def test_attribute_names_are_case_sensitive(name: str) -> None:
    tag = f'<span {name}="tg-spoiler">x</span>'.replace(" =", "=")
    try:
        parse_html(tag)
    except TelegramHTMLError:
        assert name.strip() != "class"
    else:
        assert name.strip().split()[-1] == "class"


@given(st.text(alphabet="0123456789-٠١٧²³⁴", min_size=1, max_size=21))
def test_an_emoji_id_is_a_nonzero_int64_written_as_it_prints(emoji_id: str) -> None:
    canonical = (
        re.fullmatch(r"-?[0-9]+", emoji_id) is not None
        and str(int(emoji_id)) == emoji_id
        and int(emoji_id) != 0
        and -(2**63) <= int(emoji_id) < 2**63
    )
    markup = f'<tg-emoji emoji-id="{emoji_id}">👍</tg-emoji>'
    if canonical:
        assert parse_html(markup)[1][0].custom_emoji_id == emoji_id
    else:
        with pytest.raises(TelegramHTMLError, match=r"^Invalid custom emoji identifier specified$"):
            parse_html(markup)


@given(st.integers(min_value=0xD800, max_value=0xDFFF), st.booleans())
def test_a_reference_to_a_surrogate_is_refused_in_both_modes(code: int, strict: bool) -> None:
    for reference in (f"&#{code};", f"&#x{code:X};"):
        with pytest.raises(TelegramHTMLError, match="unmatched surrogate code units"):
            parse_html(f"a{reference}b", strict=strict)


# --------------------------------------------------------------------------------- links

hosts = st.text(alphabet="abcxyz0189.-", min_size=1, max_size=12)


@given(hosts, st.integers(min_value=0, max_value=70000), st.sampled_from(["http", "https"]))
def test_an_http_link_needs_a_dotted_host_and_a_port_from_1_to_65535(
    host: str, port: int, scheme: str
) -> None:
    link = checked_link(f"{scheme}://{host}:{port}/x")
    valid_host = "." in host and host != "."
    assert (link is not None) is (valid_host and 1 <= port <= 65535)
    if link is not None:
        default = 80 if scheme == "http" else 443
        assert link == f"{scheme}://{host}:{port}/x" or port == default or link.endswith("/x")


@given(st.sampled_from(["ftp", "file", "javascript", "data", "ws", "chrome"]), hosts)
def test_other_schemes_are_dropped(scheme: str, host: str) -> None:
    assert checked_link(f"{scheme}://{host}.com/a") is None
    assert checked_link(f" http://{host}.com/a") is None


@given(st.text(max_size=60))
def test_a_kept_link_is_reported_in_a_form_telegram_keeps_as_it_is(url: str) -> None:
    link = checked_link(url)
    if link is None:
        return
    assert link.startswith(("http://", "https://", "tg://", "ton://", "tonsite://"))
    assert checked_link(link) == link
