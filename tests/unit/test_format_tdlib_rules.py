"""Telegram posts judged by tdlib's rules: what Telegram stores, counts, links and shows.

A post is sent as HTML; Telegram parses it, cleans it, fixes its entities and
trims it (``bot.text.telegram_html.stored_text``, tdlib's own rules), and the
reader sees that. These tests look at the stored text, not at what was sent.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_format_properties import articles

from bot.core.errors import ConfigError
from bot.core.formatting import FormatOptions, format_telegram
from bot.core.formatting.telegram import links_telegram_drops, warn_about_dropped_links
from bot.core.formatting.templates import FIELDS, TemplateError, validate_template
from bot.core.links import telegram_keeps_link
from bot.core.model import Article, Platform, SocialLinks
from bot.core.text.telegram_html import parse_html, stored_text

ARTICLE = Article(
    id=1,
    url="https://www.example-news.net/mobile/article/1",
    title="Apple تطلق هاتفا جديدا في 2024",
    body="أعلنت الشركة عن هاتف جديد بسعر 999 دولارا.",
    section="تقنية",
    tags=("Apple", "iPhone 16", "تقنية", "COVID-19"),
    reads=649,
)
_STRONG = {"L", "R", "AL"}


def _first_strong(line: str) -> str | None:
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in _STRONG:
            return kind
    return None


def _links(html_text: str) -> int:
    return html_text.count("<a href=")


# ------------------------------------------------------------------------------ templates


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ('<span CLASS="tg-spoiler">{title}</span> {link}', 'must have class "tg-spoiler"'),
        ('<tg-emoji EMOJI-ID="5">👍</tg-emoji> {title} {link}', "custom emoji identifier"),
        ("<b\f>{title}</b> {link}", "Unsupported start tag"),
        ('<tg-emoji emoji-id="0">👍</tg-emoji> {title} {link}', "custom emoji identifier"),
        ('<tg-emoji emoji-id="007">👍</tg-emoji> {title} {link}', "custom emoji identifier"),
        ('<tg-emoji emoji-id="٠٠٧">👍</tg-emoji> {title} {link}', "custom emoji identifier"),
        ('<tg-emoji emoji-id="²">👍</tg-emoji> {title} {link}', "custom emoji identifier"),
        ('<i a"b=c>{title}</i> {link}', "Empty attribute name"),
        ("<b> {title}</b>\n{link}", "a space or line break at the start of a tag is kept"),
        ('<a href="http://localhost/">site</a> {title} {link}', 'Invalid URL "http://localhost/"'),
        ('<a href="ftp://example.com/">site</a> {title} {link}', "Invalid URL"),
        ("<code>{link}</code> {title}", "loses a link"),
        ("{title}\t{link}", "U+0009"),
        ("{title}\u2028{link}", "U+2028 (LINE SEPARATOR)"),
        ("\u200f\u200e{title} {link}", "two direction marks in a row"),
        ("&#xDFDF; {title} {link}", "invalid Unicode characters"),
    ],
)
def test_a_template_telegram_would_refuse_or_miscount_is_a_config_error_naming_it(
    template: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)) as raised:
        FormatOptions(telegram_template=template)
    assert str(raised.value).startswith("telegram_template: ")
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    "template",
    [
        "<b>{label}</b>\n<b>{title}</b>\n\n{summary}\n\n{hashtags}\n\n🔗 {link}\n📰 {credit}",
        " <b>{title}</b>\n{link}",  # leading space before the first tag: trimmed, as measured
        '<span class="tg-spoiler">{title}</span> <i a=b>{link}</i>',
        '<blockquote expandable>{summary}</blockquote>\n<a href="https://t.me/example">قناتنا</a>'
        "\n{title} {link}",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> {title} {link}',
    ],
)
def test_templates_telegram_takes_as_they_are_pass(template: str) -> None:
    validate_template(template, Platform.TELEGRAM)
    post = format_telegram(ARTICLE, FormatOptions(telegram_template=template))
    stored, _ = stored_text(post.text)
    assert post.length == len(stored)


# ---------------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.com/a", True),
        ("example.com", True),
        ("http://127.0.0.1/a", True),
        ("http://localhost/a", False),
        ("ftp://example.com/a", False),
        ("https://example.com:0/a", False),
        ("https://example.com:65536/a", False),
        (" https://example.com/a", False),
        ("mailto:desk@example.com", True),  # read as host example.com, user "mailto:desk"
        ("javascript:alert(1)", False),
        ("tg://resolve?domain=example", True),
    ],
)
def test_telegram_keeps_only_the_links_tdlib_check_link_accepts(url: str, kept: bool) -> None:
    assert telegram_keeps_link(url) is kept


@pytest.mark.parametrize(
    "url", ["http://localhost/news/1", "ftp://example.com/1", "https://example.com:0/1"]
)
def test_an_article_link_telegram_would_drop_is_shown_as_text(url: str) -> None:
    post = format_telegram(dataclasses.replace(ARTICLE, url=url), FormatOptions())
    stored, entities = stored_text(post.text)
    assert "text_link" not in {e.type for e in entities}
    assert url in stored


def test_a_social_link_telegram_would_drop_is_named_in_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    social = SocialLinks(x="https://x.com/example", youtube="http://localhost:8080/channel")
    assert links_telegram_drops(social) == [("youtube", "http://localhost:8080/channel")]
    with caplog.at_level(logging.WARNING):
        warn_about_dropped_links(social, logging.getLogger("nashir.test"))
    [record] = caplog.records
    assert "http://localhost:8080/channel" in record.getMessage()
    assert "NASHIR_SOCIAL_YOUTUBE" in record.getMessage()
    seen: set[str] = set()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):  # checked again as links are discovered: warned once
            warn_about_dropped_links(social, logging.getLogger("nashir.test"), seen=seen)
    assert len(caplog.records) == 2
    post = format_telegram(ARTICLE, FormatOptions(social=social))
    _, entities = stored_text(post.text)
    assert sum(e.type == "text_link" for e in entities) == _links(post.text) == 2


# ------------------------------------------------------------------------------ bidi marks


def test_an_arabic_line_opening_with_a_latin_hashtag_stays_right_to_left() -> None:
    post = format_telegram(ARTICLE, FormatOptions(telegram_hashtags=4))
    stored, _ = stored_text(post.text)
    [line] = [line for line in stored.split("\n") if "#Apple" in line]
    assert _first_strong(line) in {"R", "AL"}
    words = {word.strip("\u061c\u200e\u200f") for word in line.split()}
    assert {"#Apple", "#iPhone_16", "#تقنية", "#COVID_19"} <= words
    assert "\u200c" not in stored  # no mark was turned into a non-joiner
    title_line = stored.split("\n")[0]
    assert _first_strong(title_line) in {"R", "AL"}
    assert "2024" in title_line


# ------------------------------------------------------------------------- property test

_WRAPS = ["{}", "<b>{}</b>", "<i>{}</i>", "<u>{}</u>", "<s>{}</s>", "<tg-spoiler>{}</tg-spoiler>"]


@st.composite
def templates(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        fields = draw(st.lists(st.sampled_from(FIELDS), min_size=0, max_size=3))
        pieces = [draw(st.sampled_from(_WRAPS)).format("{" + f + "}") for f in fields]
        prefix = draw(st.sampled_from(["", "🔗 ", "📰 ", "— ", "<b>عاجل</b> "]))
        line = prefix + draw(st.sampled_from([" ", " | ", " · "])).join(pieces)
        if draw(st.booleans()) and line.strip():
            line = f"<blockquote>{line}</blockquote>"
        lines.append(line)
    template = "\n".join(lines)
    if "{link}" not in template:
        template += "\n{link}"
    return template


# Tags of both scripts, so hashtag lines often open with a Latin one
mixed_tags = st.lists(
    st.sampled_from(["Syria", "COVID-19", "iPhone 16", "سوريا", "اليمن", "2024", "G20"]),
    max_size=5,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles(), templates(), st.sampled_from(["ar", "en"]), mixed_tags)
def test_random_articles_under_random_valid_templates_give_posts_telegram_keeps(
    article: Article, template: str, language: str, tags: list[str]
) -> None:
    if tags:
        article = dataclasses.replace(article, tags=tuple(tags))
    try:
        validate_template(template, Platform.TELEGRAM)
    except TemplateError:
        assume(False)
    options = FormatOptions(language=language, telegram_template=template, telegram_hashtags=4)
    post = format_telegram(article, options)
    limit = 1024 if article.image else 4096
    # the fake Bot API refuses nothing of it, strict or lenient, and stores the same
    assert parse_html(post.text) == parse_html(post.text, strict=False)
    stored, entities = stored_text(post.text, strict=False, allow_empty=bool(article.image))
    # counted as Telegram counts it, within the limit
    assert post.length == len(stored) <= limit
    # no anchor is dropped
    assert sum(e.type == "text_link" for e in entities) == _links(post.text)
    # no Arabic line turns left-to-right
    if language == "ar":
        for line in stored.split("\n"):
            if re.fullmatch(r"\s*https?://\S+\s*", line) or not line.strip():
                continue
            assert _first_strong(line) in {"R", "AL", None}, line
