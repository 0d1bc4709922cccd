"""When a page says its story was published: stamps, datelines, and updates told apart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.adapters.sources.page_dates import visible_date
from bot.adapters.sources.pages import extract_article

URL = "https://news.example/2025/03/story"
NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
ADEN = timezone(timedelta(hours=3))
STORY = "<p>The port closed at noon on Monday, officials said, after the storm.</p>"
STORY_AR = "<p>أغلق الميناء أبوابه ظهر الاثنين بعد العاصفة، وفق ما قاله المسؤولون للصحفيين.</p>"


def page(head: str, body: str) -> str:
    return f"<html><head><title>Storm</title>{head}</head><body>{body}</body></html>"


def published(html: str) -> datetime | None:
    return extract_article(html, URL, now=NOW).published_at


def test_the_published_part_of_a_dateline_wins_over_its_update() -> None:
    html = page(
        "", "<h1>Storm</h1><p class=meta>May 3, 2024. <i>Updated: May 7, 2024</i></p>" + STORY
    )
    assert published(html) == datetime(2024, 5, 3, tzinfo=ADEN)


def test_an_arabic_update_line_is_not_the_publication_date() -> None:
    html = page(
        "",
        "<h1>العاصفة تغلق الميناء</h1><div><span>آخر تحديث: 5 مارس 2024</span>"
        "<span>نشر في 3 آذار 2024</span></div>" + STORY_AR,
    )
    assert published(html) == datetime(2024, 3, 3, tzinfo=ADEN)


def test_a_page_that_gives_only_its_update_is_dated_by_it() -> None:
    html = page("", "<h1>Storm</h1><span>Last updated: November 13, 2025</span>" + STORY)
    assert published(html) == datetime(2025, 11, 13, tzinfo=ADEN)


def test_the_modified_stamp_is_the_last_resort() -> None:
    html = page(
        '<meta property="article:modified_time" content="2025-02-22T22:13:14+00:00">', STORY
    )
    assert published(html) == datetime(2025, 2, 22, 22, 13, 14, tzinfo=UTC)


def test_a_published_stamp_beats_a_modified_one() -> None:
    head = (
        '<meta property="article:modified_time" content="2025-02-22T22:13:14+00:00">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2021-08-12T19:35:44+00:00", "dateModified": "2025-02-22"}</script>'
    )
    assert published(page(head, "<h1>Storm</h1><p>Last Updated: 2025-02-22</p>" + STORY)) == (
        datetime(2021, 8, 12, 19, 35, 44, tzinfo=UTC)
    )


def test_a_utc_stamp_is_given_in_the_offset_another_field_uses_for_the_same_instant() -> None:
    head = (
        '<meta property="article:published_time" content="2020-12-24T23:59:50+00:00">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2020-12-25T01:59:50+02:00"}</script>'
    )
    found = published(page(head, "<h1>Storm</h1>" + STORY))
    assert found == datetime(2020, 12, 24, 23, 59, 50, tzinfo=UTC)
    assert found is not None
    assert found.date() == date(2020, 12, 25)


def test_the_printed_dateline_beats_a_metadata_date_written_for_readers() -> None:
    # Site builders fill JSON-LD with the day the page was last published.
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", '
        '"datePublished": "Jun 24, 2025"}</script>'
    )
    html = page(head, "<h1>Storm</h1><div>Published <span>Apr 26, 2023</span></div>" + STORY)
    assert published(html) == datetime(2023, 4, 26, tzinfo=ADEN)


def test_cards_of_other_stories_do_not_date_the_story() -> None:
    cards = "".join(f'<div class="card_date">December {d}, 2025</div>' for d in (18, 12))
    html = page("", f"<nav>{cards}</nav><h1>Storm</h1><p>By Jane Doe | March 2, 2025</p>{STORY}")
    assert published(html) == datetime(2025, 3, 2, tzinfo=ADEN)


def test_a_subtitle_that_mentions_a_day_is_no_dateline() -> None:
    subtitle = (
        "<h3>10 April 2025, 18:00 - Rome time @ In conversation: exploring the philosophy "
        "of money and finance with our guests</h3>"
    )
    html = page("", f"<h1>Storm</h1>{subtitle}<div>Mar 06, 2025</div>{STORY}")
    assert published(html) == datetime(2025, 3, 6, tzinfo=ADEN)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="citation_publication_date" content="2023 Jan 7">', datetime(2023, 1, 7)),
        ('<meta name="published_on" content="2026-01-22T21:00:00">', datetime(2026, 1, 22, 21)),
        ('<meta name="w-published-date" content="2025-05-27 06:03">', datetime(2025, 5, 27, 6, 3)),
    ],
)
def test_publication_metadata_under_other_names(head: str, expected: datetime) -> None:
    assert published(page(head, "<h1>Storm</h1>" + STORY)) == expected.replace(tzinfo=ADEN)


def test_a_publication_stamp_in_a_custom_element() -> None:
    stamp = '<lit-timestamp publishdate="2018-01-23T17:38:06Z"></lit-timestamp>'
    html = page("", f"<h1>Storm</h1><div>{stamp}</div>{STORY}")
    assert published(html) == datetime(2018, 1, 23, 17, 38, 6, tzinfo=UTC)


def test_citation_style_dates_are_read_for_readers_too() -> None:
    assert visible_date("Published 2024 Jun 30", NOW) == datetime(2024, 6, 30, tzinfo=UTC)


def test_a_date_header_just_above_the_headline_beats_a_comment_stamp_below_the_story() -> None:
    html = page(
        "",
        "<h2 class=date-header><span>Monday, September 8, 2008</span></h2>"
        "<h3>The lean startup</h3>" + STORY * 12 + "<a>September 11, 2008 at 2:06 PM</a>",
    )
    assert published(html) == datetime(2008, 9, 8, tzinfo=ADEN)


def test_a_dated_menu_far_above_the_headline_does_not_date_the_story() -> None:
    menu = "".join(f"<li><a>Story {i}</a></li>" for i in range(12))
    html = page("", f"<ul><li>June 1, 2025</li>{menu}</ul><h1>Storm</h1>{STORY}")
    assert published(html) is None
    near = page("", f"<ul>{menu}<li>June 1, 2025</li></ul><h1>Storm</h1>{STORY}")
    assert published(near) == datetime(2025, 6, 1, tzinfo=ADEN)
