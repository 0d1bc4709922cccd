"""Fields that real pages need beyond the seed's layout: headline, author, printed dates, tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.adapters.sources.page_dates import visible_date
from bot.adapters.sources.pages import extract_article

URL = "https://news.example/2025/03/story"
NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
ADEN = timezone(timedelta(hours=3))
STORY = "<p>The port closed at noon on Monday, officials said, after the storm.</p>"


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("نشر في ٢٩ آذار ٢٠٢٥ - 10:30 م", datetime(2025, 3, 29, 22, 30)),
        ("الأحد 3 مارس 2024", datetime(2024, 3, 3)),
        ("15 كانون الثاني 2023", datetime(2023, 1, 15)),
        ("٧ تشرين الأول ٢٠٢٣", datetime(2023, 10, 7)),
        ("12 أغسطس 2022 | 09:05 ص", datetime(2022, 8, 12, 9, 5)),
        ("نشر في 12/03/2024", datetime(2024, 3, 12)),
        ("March 29, 2025 at 4:05 pm", datetime(2025, 3, 29, 16, 5)),
        ("Updated 2024-06-01", datetime(2024, 6, 1)),
        ("29th March 2025", datetime(2025, 3, 29)),
    ],
)
def test_printed_dates_in_both_arabic_month_series_and_english(
    text: str, expected: datetime
) -> None:
    assert visible_date(text, NOW, ADEN) == expected.replace(tzinfo=ADEN)


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("منذ ساعتين", timedelta(hours=2)),
        ("منذ ٣ ساعات", timedelta(hours=3)),
        ("قبل يوم", timedelta(days=1)),
        ("منذ 5 دقائق", timedelta(minutes=5)),
        ("منذ يومين", timedelta(days=2)),
        ("2 hours ago", timedelta(hours=2)),
        ("an hour ago", timedelta(hours=1)),
    ],
)
def test_relative_dates_count_back_from_when_the_page_was_read(text: str, ago: timedelta) -> None:
    assert visible_date(text, NOW) == NOW - ago


@pytest.mark.parametrize("text", ["", "Issue 2024", "31 فبراير 2024", "صفحة 3 من 10"])
def test_text_without_a_real_date_has_none(text: str) -> None:
    assert visible_date(text, NOW) is None


def test_a_page_with_only_a_printed_date_gets_it() -> None:
    html = page(
        "<title>Storm closes the port</title>",
        f'<h1>Storm closes the port</h1><span class="post-date">منذ ساعتين</span>{STORY}',
    )
    assert extract_article(html, URL, now=NOW).published_at == NOW - timedelta(hours=2)


def test_the_visible_h1_wins_over_a_differently_worded_og_title() -> None:
    html = page(
        '<meta property="og:title" content="Port Closure 2025: What Shippers Need to Know">',
        '<h1 class="logo">Daily</h1><h1>Storm closes the port for two days</h1>' + STORY,
    )
    assert extract_article(html, URL).title == "Storm closes the port for two days"


def test_an_h1_that_is_only_the_site_name_is_not_the_headline() -> None:
    html = page(
        "<title>Storm closes the port - Harbour Times</title>",
        "<h1>Harbour Times</h1>" + STORY,
    )
    assert extract_article(html, URL).title == "Storm closes the port"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
            '[{"@type": "Person", "name": "Huda Saleh"}, {"name": "Omar Ali"}]}</script>',
            "",
            "Huda Saleh, Omar Ali",
        ),
        ('<meta name="author" content="Huda Saleh">', "", "Huda Saleh"),
        ("", '<div class="byline">بقلم: هدى صالح | 3 مارس 2024</div>', "هدى صالح"),
        ("", '<a rel="author" href="/u/1">By Omar Ali</a>', "Omar Ali"),
        ("", '<span class="author">August 28, 2025</span>', None),
    ],
)
def test_the_author_from_json_ld_meta_or_byline(head: str, body: str, expected: str | None) -> None:
    html = page(f"<title>Storm closes the port</title>{head}", body + STORY)
    assert extract_article(html, URL).author == expected


def test_json_ld_keywords_and_meta_keywords_become_tags() -> None:
    as_list = page(
        '<script type="application/ld+json">{"@type": "Article", "keywords": ["عدن", "الميناء"]}'
        "</script>",
        "<h1>Storm closes the port</h1>" + STORY,
    )
    as_meta = page('<meta name="keywords" content="عدن، الميناء; storm">', "<h1>Storm</h1>" + STORY)
    assert extract_article(as_list, URL).tags == ("عدن", "الميناء")
    assert extract_article(as_meta, URL).tags == ("عدن", "الميناء", "storm")


@pytest.mark.parametrize("empty", ['[""]', "[]", '" "'])
def test_empty_json_ld_keywords_leave_the_meta_keywords(empty: str) -> None:
    html = page(
        f'<script type="application/ld+json">{{"@type": "Article", "keywords": {empty}}}</script>'
        '<meta name="keywords" content="عدن، الميناء">',
        "<h1>Storm closes the port</h1>" + STORY,
    )
    assert extract_article(html, URL).tags == ("عدن", "الميناء")


# -- element boundaries ------------------------------------------------------


def test_adjacent_inline_elements_never_fuse_but_a_word_split_by_markup_stays_whole() -> None:
    html = page(
        "<title>t</title>",
        "<h1><span>عاجل</span><span>انقطاع الكهرباء في عدن</span></h1>"
        "<p><b>عدن</b><i>اليوم</i>: انقطع التيار عن الأحياء، وقالت المؤسسة إن كلم<b>ة</b> "
        "السر هي الوقود، وإن الإصلاح يحتاج أياماً.</p>"
        '<div class="tags"><a rel="tag" href="/t/1"><span>عدن</span><span>2024</span></a></div>',
    )
    draft = extract_article(html, URL)
    assert draft.title == "عاجل انقطاع الكهرباء في عدن"
    assert draft.body[0].startswith("عدن اليوم: انقطع")
    assert "كلمة السر" in draft.body[0]
    assert draft.tags == ("عدن 2024",)


def test_a_most_read_row_with_outlet_counter_and_title_run_together_is_kept() -> None:
    rows = "".join(
        f'<li><a href="/a/{i}"><span>مساحة نت</span> | <span>{2310 + i} قراءة</span>'
        f"<span>عنوان الخبر رقم {i} في عدن</span></a></li>"
        for i in range(4)
    )
    html = page("<title>t</title>", f"<h1>عنوان المقال الرئيسي هنا</h1>{STORY}<ul>{rows}</ul>")
    most_read = extract_article(html, URL).most_read
    assert [(e.title, e.outlet, e.reads) for e in most_read] == [
        (f"عنوان الخبر رقم {i} في عدن", "مساحة نت", 2310 + i) for i in range(4)
    ]
    assert most_read[0].url == "https://news.example/a/0"


def test_an_unlabelled_dateline_under_the_headline_is_the_date() -> None:
    html = page(
        "<title>Storm closes the port</title>",
        "<p>Weather desk</p><h1>Storm closes the port</h1><div><p>October 16, 2020</p></div>"
        + STORY
        + "<p>Archive: 3 May 2019</p>",
    )
    assert extract_article(html, URL, now=NOW).published_at == datetime(2020, 10, 16, tzinfo=ADEN)


def test_a_meta_date_written_for_readers_is_read() -> None:
    html = page('<meta name="published" content="July 17, 2025">', "<h1>Storm</h1>" + STORY)
    assert extract_article(html, URL, now=NOW).published_at == datetime(2025, 7, 17, tzinfo=ADEN)


def test_a_kicker_element_before_headline_text_is_its_own_phrase() -> None:
    html = page(
        "<title>t</title>",
        "<h1><span>Nationale Demo</span>Der 9. Juli naht: Gewerkschaften zeigen Einheit</h1>"
        "<p>Mc<b>D</b>onald and the <b>i</b>Phone stay whole, and so does a <i>word</i>s end: "
        "the unions said they would march on the ninth of July in the capital.</p>",
    )
    draft = extract_article(html, URL)
    assert draft.title == "Nationale Demo Der 9. Juli naht: Gewerkschaften zeigen Einheit"
    assert "McDonald and the iPhone stay whole, and so does a words end" in draft.body[0]
