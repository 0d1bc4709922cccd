"""Admin templates, their validation, rendering, bidi marks and the labels they show."""

from __future__ import annotations

import pytest

from bot.core.formatting import validate_template
from bot.core.formatting.labels import credit_text, format_number, labels_for, reads_text
from bot.core.formatting.templates import (
    LRM,
    RLM,
    TELEGRAM_AR,
    TELEGRAM_EN,
    X_AR,
    X_EN,
    mark_hashtag,
    mark_rtl_lines,
    render,
)
from bot.core.model import Platform


@pytest.mark.parametrize(
    ("template", "platform"),
    [
        (TELEGRAM_AR, Platform.TELEGRAM),
        (TELEGRAM_EN, "telegram"),
        (X_AR, Platform.X),
        (X_EN, "x"),
        ("{title}\n{link}", "telegram"),
        ("{title}", "telegram"),  # a Telegram post may rely on the button for its link
        ("<b>{{عاجل}}</b> {title} {link}", "telegram"),  # doubled braces are literal
        ('<a href="https://t.me/example">{title}</a>', "telegram"),
        ("{label} {title} {summary} {hashtags} {credit} {footer} {section} {reads} {link}", "x"),
    ],
)
def test_valid_templates_pass(template: str, platform: Platform | str) -> None:
    validate_template(template, platform)


@pytest.mark.parametrize(
    ("template", "platform", "message"),
    [
        ("{headline} {link}", "x", r"unknown field 'headline'; known: \{label\}"),
        ("{title} {Link}", "telegram", "unknown field 'Link'"),
        ("{title.upper} {link}", "x", "unknown field 'title.upper'"),
        ("{} {link}", "x", r"has an empty \{\}; name a field"),
        ("{0} {link}", "x", "unknown field '0'"),
        ("{title}", "x", "must contain {link}"),
        ("{title {link}", "x", "unbalanced braces"),
        ("{title}} {link}", "telegram", "unbalanced braces"),
        ("{title {link}", "telegram", "unbalanced braces"),
        ("{title!r} {link}", "x", "takes no '!' or ':' part"),
        ("{title:>40} {link}", "x", "takes no '!' or ':' part"),
        (
            "<div>{title}</div>",
            "telegram",
            'not HTML Telegram accepts: Unsupported start tag "div"',
        ),
        ("<b>{title}", "telegram", "not HTML Telegram accepts"),
        ("{title} & {link}", "telegram", "not HTML Telegram accepts"),
        ("<b>{label}\n</b>{title}", "telegram", "not HTML Telegram accepts"),
        (
            "<b>{label}\n{title}</b>\n{link}",
            "telegram",
            r"accepts when \{label\} is empty: Unexpected end tag",
        ),
        ('<a href="{link}">{title}</a>', "telegram", r"puts \{link\} inside a tag"),
        ("   \n", "telegram", "template is empty"),
        ("{title} {link}", "console", "no post templates for platform 'console'"),
        ("{title} {link}", "mastodon", "no post templates for platform 'mastodon'"),
    ],
)
def test_invalid_templates_are_refused_with_a_clear_message(
    template: str, platform: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        validate_template(template, platform)


def test_render_drops_lines_whose_fields_are_all_empty() -> None:
    template = "<b>{label}</b>\n<b>{title}</b>\n\n{summary}\n\n{hashtags}\n\n{link}"
    values = {"title": "عنوان", "link": "رابط", "label": "", "summary": ""}
    assert render(template, values) == "<b>عنوان</b>\n\nرابط"


def test_render_keeps_a_line_with_any_field_filled_and_literal_lines() -> None:
    template = "{section} · {reads}\n———\n{title}"
    assert render(template, {"section": "محليات", "title": "عنوان"}) == "محليات ·\n———\nعنوان"


def test_render_never_leaves_blank_lines_at_the_ends() -> None:
    assert render("\n\n{label}\n\n{title}\n\n{summary}\n\n", {"title": "عنوان"}) == "عنوان"


@pytest.mark.parametrize(
    ("text", "markup", "expected"),
    [
        pytest.param("عنوان عربي", False, "عنوان عربي", id="arabic-first"),
        pytest.param("Apple تطلق", False, f"{RLM}Apple تطلق", id="latin-first"),
        pytest.param("<b>Apple</b> تطلق", True, f"{RLM}<b>Apple</b> تطلق", id="before-the-tag"),
        pytest.param("<b>خبر</b> Apple", True, "<b>خبر</b> Apple", id="tag-skipped"),
        pytest.param("&quot;BBC&quot; تقول", True, f"{RLM}&quot;BBC&quot; تقول", id="entity"),
        pytest.param("649", False, f"{RLM}649", id="digits-only"),
        pytest.param("🔥 الأكثر قراءة", False, "🔥 الأكثر قراءة", id="emoji-then-arabic"),
        pytest.param("🔥", False, "🔥", id="emoji-only"),
        pytest.param("https://example.com/a", False, "https://example.com/a", id="bare-link"),
        pytest.param("#Syria #سوريا", False, f"{RLM}#Syria #سوريا", id="latin-hashtag-first"),
        pytest.param(f"{RLM}Apple", False, f"{RLM}Apple", id="already-marked"),
        pytest.param("سطر\nLine\n", False, f"سطر\n{RLM}Line\n", id="per-line"),
    ],
)
def test_rlm_marks(text: str, markup: bool, expected: str) -> None:
    assert mark_rtl_lines(text, markup=markup) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("#سوريا", "#سوريا"), ("#Syria", f"{LRM}#Syria"), ("#COVID_19", f"{LRM}#COVID_19")],
)
def test_latin_hashtags_get_an_lrm(tag: str, expected: str) -> None:
    assert mark_hashtag(tag) == expected


@pytest.mark.parametrize(
    ("reads", "language", "expected"),
    [
        (1, "ar", "قراءة واحدة"),
        (2, "ar", "قراءتان"),
        (3, "ar", "٣ قراءات"),
        (10, "ar", "١٠ قراءات"),
        (11, "ar", "١١ قراءة"),
        (100, "ar", "١٠٠ قراءة"),
        (103, "ar", "١٠٣ قراءات"),
        (649, "ar", "٦٤٩ قراءة"),
        (1962, "ar", "١٬٩٦٢ قراءة"),
        (0, "ar", "٠ قراءة"),
        (1, "en", "1 read"),
        (1962, "en", "1,962 reads"),
    ],
)
def test_read_counts_read_naturally(reads: int, language: str, expected: str) -> None:
    assert reads_text(reads, "en" if language == "en" else "ar") == expected


def test_numbers_in_arabic_use_arabic_indic_digits() -> None:
    assert format_number(1234567, "ar") == "١٬٢٣٤٬٥٦٧"
    assert format_number(1234567, "en") == "1,234,567"


@pytest.mark.parametrize(
    ("source_credit", "outlet", "expected"),
    [
        ("المصدر: وكالات.", "مساحة نت ـ متابعات", "المصدر: مساحة نت عن وكالات"),
        (None, "مساحة نت ـ متابعات", "المصدر: مساحة نت"),
        ("المصدر: سبأ", None, "المصدر: سبأ"),
        ("متابعات", "عدن الغد", "المصدر: عدن الغد"),
        ("عدن الغد", "عدن الغد", "المصدر: عدن الغد"),
        (None, None, ""),
        ("المصدر:", "", ""),
    ],
)
def test_credit_line(source_credit: str | None, outlet: str | None, expected: str) -> None:
    assert credit_text(source_credit, outlet, "ar") == expected


def test_labels_in_both_languages() -> None:
    ar, en = labels_for("ar"), labels_for("en")
    assert (ar.read_more, en.read_more) == ("اقرأ المزيد", "Read more")
    assert (ar.digest_title, en.digest_title) == ("📊 الأكثر قراءة اليوم", "📊 Most read today")
    assert ar.network("google_news") == "أخبار جوجل"
    assert en.network("x") == "X"
    assert en.network("mastodon") == "mastodon"
