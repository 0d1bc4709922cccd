"""Telegram's HTML parse mode, as the Bot API applies it to messages and captions."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.text.telegram_html import (
    Entity,
    TelegramHTMLError,
    parse_html,
    stored_text,
    strip_message,
    utf16_length,
    visible_length,
)

E = Entity


@pytest.mark.parametrize(
    ("markup", "text", "entities"),
    [
        ("plain نص", "plain نص", []),
        ("<b>عاجل</b> خبر", "عاجل خبر", [E("bold", 0, 4)]),
        (
            "<strong>a</strong><em>b</em><ins>c</ins>",
            "abc",
            [E("bold", 0, 1), E("italic", 1, 1), E("underline", 2, 1)],
        ),
        ("<s>a</s><strike>b</strike><del>c</del>", "abc", [E("strikethrough", 0, 3)]),
        ("<B>x</b>", "x", [E("bold", 0, 1)]),
        ("<b>a</b><b>b</b>", "ab", [E("bold", 0, 2)]),
        # Telegram splits a bold around the italic nested in it
        ("<b>a <i>b</i></b>", "a b", [E("bold", 0, 2), E("bold", 2, 1), E("italic", 2, 1)]),
        ("<b></b>x", "x", []),
        ("<b>x</>", "x", [E("bold", 0, 1)]),
        (
            '<a href="https://example.com/a?b=1&amp;c=2">l</a>',
            "l",
            [E("text_link", 0, 1, url="https://example.com/a?b=1&c=2")],
        ),
        (
            '<a href="https://example.com">l</a>',
            "l",
            [E("text_link", 0, 1, url="https://example.com/")],
        ),
        ("<a href='example.com/x'>l</a>", "l", [E("text_link", 0, 1, url="http://example.com/x")]),
        (
            "<a>https://example.com/y</a>",
            "https://example.com/y",
            [E("text_link", 0, 21, url="https://example.com/y")],
        ),
        ('<a href="tg://user?id=42">u</a>', "u", [E("text_link", 0, 1, url="tg://user?id=42")]),
        (
            '<a target="_blank" href="https://e.com/">x</a>',
            "x",
            [E("text_link", 0, 1, url="https://e.com/")],
        ),
        ("<code>x &lt; y</code>", "x < y", [E("code", 0, 5)]),
        ("<code><b>x</b></code>", "x", [E("code", 0, 1)]),
        ("<pre>block</pre>", "block", [E("pre", 0, 5)]),
        (
            '<pre><code class="language-python">a=1</code></pre>',
            "a=1",
            [E("pre", 0, 3, language="python")],
        ),
        ("<pre><code>a</code></pre>", "a", [E("pre", 0, 1)]),
        ('<span class="tg-spoiler">s</span>', "s", [E("spoiler", 0, 1)]),
        ("<tg-spoiler>s</tg-spoiler>", "s", [E("spoiler", 0, 1)]),
        ("<blockquote>q</blockquote>", "q", [E("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [E("expandable_blockquote", 0, 1)]),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [E("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
        ),
        ("&lt;&gt;&amp;&quot;&#39;&#x41;&#1576;", "<>&\"'Aب", []),
        ("😀<b>x</b>", "😀x", [E("bold", 2, 1)]),
        ("<b\n>x</b >", "x", [E("bold", 0, 1)]),
    ],
)
def test_valid_markup_gives_the_stored_text_and_entities(
    markup: str, text: str, entities: list[Entity]
) -> None:
    assert stored_text(markup) == (text, entities)


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("عاجل <p>", 'Unsupported start tag "p" at byte offset 9'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a<b", "Unclosed start tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ('<i a"b=c>x</i>', 'Empty attribute name in the tag "i" at byte offset 0'),
        ('<span CLASS="tg-spoiler">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ('<tg-emoji EMOJI-ID="5">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<tg-emoji\femoji-id="5">x</tg-emoji>', 'Unsupported start tag "tg-emoji\femoji-id="5""'),
        ('<tg-emoji emoji-id="0">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<tg-emoji emoji-id="007">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<tg-emoji emoji-id="\u0667">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ('<tg-emoji emoji-id="\u00b2">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        (
            '<tg-emoji emoji-id="9223372036854775808">x</tg-emoji>',
            "Invalid custom emoji identifier specified",
        ),
        ("&#xDFDF;", "Text contains invalid Unicode characters after decoding HTML entities"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ],
)
def test_invalid_markup_is_refused_with_telegrams_message(markup: str, message: str) -> None:
    with pytest.raises(TelegramHTMLError) as raised:
        parse_html(markup)
    assert raised.value.description.startswith(message)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("markup", "lenient_text"),
    [
        ("R&D", "R&D"),
        ("a > b", "a > b"),
        ("&nbsp;", "&nbsp;"),
        ("&apos;", "&apos;"),
        ("&amp", "&"),
        ("&#0;", "&#0;"),
    ],
)
def test_strict_mode_refuses_what_the_server_tolerates(markup: str, lenient_text: str) -> None:
    with pytest.raises(TelegramHTMLError):
        parse_html(markup)
    assert parse_html(markup, strict=False) == (lenient_text, [])


def test_bad_link_loses_its_entity_only_when_lenient() -> None:
    markup = '<a href="javascript:alert(1)">x</a>'
    with pytest.raises(TelegramHTMLError, match="Invalid URL"):
        parse_html(markup)
    assert parse_html(markup, strict=False) == ("x", [])


def test_error_reports_utf8_byte_offset() -> None:
    with pytest.raises(TelegramHTMLError) as raised:
        parse_html("خبر <x>")
    assert raised.value.byte_offset == len("خبر ".encode())


def test_visible_length_counts_code_points_after_trimming() -> None:
    assert visible_length("  <b>عاجل</b> 😀\n") == 6
    assert visible_length("&lt;b&gt;") == 3
    assert utf16_length("😀ب") == 3


def test_strip_message_shifts_and_clips_entities() -> None:
    text, entities = parse_html(" <b> x </b> y ")
    # Telegram trims leading whitespace only up to the first entity
    assert strip_message(text, entities) == (" x  y", [E("bold", 0, 3)])


def test_entity_serialises_like_the_bot_api() -> None:
    assert E("text_link", 1, 2, url="https://e.com/").to_api() == {
        "type": "text_link",
        "offset": 1,
        "length": 2,
        "url": "https://e.com/",
    }


# ------------------------------------------------------------------------------ properties

texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200)


@given(texts)
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])
    assert parse_html(html.escape(text, quote=False)) == (text, [])


@given(texts)
def test_bold_escaped_text_is_one_entity_over_all_of_it(text: str) -> None:
    visible, entities = parse_html(f"<b>{html.escape(text)}</b>")
    assert visible == text
    assert entities == ([E("bold", 0, utf16_length(text))] if text else [])


plain_texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc", "Cf", "Zs", "Zl", "Zp"])
    | st.sampled_from(" \n"),
    max_size=200,
)


@given(plain_texts)
def test_visible_length_of_escaped_text_is_its_trimmed_length(text: str) -> None:
    assert visible_length(html.escape(text)) == len(text.strip(" \n"))


@given(st.text(alphabet="<>/&;#x{}abiuspre =\"'ahrefcodtg-spoilerlanguage😀ب", max_size=40))
def test_any_input_parses_or_fails_with_telegram_html_error(markup: str) -> None:
    try:
        text, entities = parse_html(markup)
    except TelegramHTMLError:
        return
    assert parse_html(markup, strict=False) == (text, entities)
    size = utf16_length(text)
    for entity in entities:
        assert entity.offset >= 0
        assert entity.length > 0
        assert entity.end <= size
