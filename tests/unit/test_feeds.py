"""Specification of `bot.sources.feeds`: RSS 2.0, Atom and JSON Feed into drafts."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.sources.feeds import looks_like_feed, parse_feed
from bot.adapters.sources.page_text import clean_text
from bot.core.errors import ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures"
FEED_URL = "https://marsad.example/rss.xml"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- RSS 2.0 ---------------------------------------------------------------


def test_rss_items_become_drafts_in_feed_order() -> None:
    drafts = parse_feed(fixture("feed_rss.xml"), FEED_URL)

    assert [d.url for d in drafts] == [
        "https://marsad.example/mobile/article/12345",
        "https://marsad.example/mobile/article/12346",
        "https://marsad.example/mobile/article/12347",
    ]
    assert drafts[0].guid == "marsad-12345"
    assert drafts[0].title == "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"


def test_rss_content_is_plain_paragraphs_without_script_or_credit_lines() -> None:
    first = parse_feed(fixture("feed_rss.xml"), FEED_URL)[0]

    assert first.body == (
        "في تحول مفاجئ للأحداث في سوريا، ومع تقدم قوات المعارضة السورية"
        " نحو العاصمة دمشق بشكل سريع.",
        'ووفق ما أفادت به وكالة "بلومبرغ" فإن روسيا اقترحت على الأسد مغادرة دمشق على الفور.',
    )
    assert first.summary == first.body[0]


def test_rss_categories_published_and_enclosure_image() -> None:
    first = parse_feed(fixture("feed_rss.xml"), FEED_URL)[0]

    assert first.tags == ("بشار الأسد", "روسيا", "سوريا")
    assert first.published_at is not None
    assert first.published_at.utcoffset() == timedelta(hours=3)
    assert first.image == "https://marsad.example/uploads/news/2024/12/12345_large.jpg"


def test_rss_html_title_is_stripped_once_and_br_description_is_split() -> None:
    second = parse_feed(fixture("feed_rss.xml"), FEED_URL)[1]

    assert second.title == "ارتفاع أسعار الذهب في صنعاء وعدن <مؤشر> اليوم"
    assert second.body == ("سجلت أسعار الذهب ارتفاعاً ملحوظاً في الأسواق المحلية.",)
    assert second.image == "https://marsad.example/uploads/news/2024/12/12346.jpg"


def test_rss_item_without_link_uses_permalink_guid_naive_date_and_thumbnail() -> None:
    third = parse_feed(fixture("feed_rss.xml"), FEED_URL)[2]

    assert third.url == "https://marsad.example/mobile/article/12347"
    assert third.published_at is not None
    assert third.published_at.utcoffset() == timedelta(hours=3)
    assert third.image == "https://marsad.example/uploads/news/2024/12/12347_thumb.jpg"


# -- Atom ------------------------------------------------------------------


def test_atom_entries_become_drafts() -> None:
    first, second = parse_feed(fixture("feed_atom.xml"), "https://marsad.example/atom.xml")

    assert first.title == "افتتاح مدرسة جديدة في تعز & ريفها"
    assert first.url == "https://marsad.example/mobile/article/22001"
    assert first.guid == "tag:marsad.example,2024:22001"
    assert first.tags == ("تعليم", "تعز")
    assert first.body == (
        "أعلن مكتب التربية افتتاح مدرسة جديدة تستوعب 600 طالب.",
        "وتضم المدرسة 18 فصلاً دراسياً ومختبراً للعلوم.",
    )
    assert first.image == "https://marsad.example/uploads/news/2024/12/22001.jpg"
    assert first.published_at is not None
    assert first.published_at.hour == 9
    assert second.published_at is not None
    assert second.published_at.utcoffset() == timedelta(0)
    assert second.image is None


# -- JSON Feed -------------------------------------------------------------


def test_json_feed_items_become_drafts_and_linkless_items_are_skipped() -> None:
    drafts = parse_feed(fixture("feed.json"), "https://marsad.example/feed.json")

    assert [d.guid for d in drafts] == ["33001", "33002"]
    first, second = drafts
    assert first.url == "https://marsad.example/mobile/article/33001"
    assert first.body == (
        "انطلقت اليوم حملة التحصين ضد شلل الأطفال في مديريات محافظة لحج.",
        "وتستهدف الحملة أكثر من 120 ألف طفل.",
    )
    assert first.summary == "انطلقت حملة التحصين ضد شلل الأطفال في لحج."
    assert first.tags == ("صحة", "لحج", "حملة التحصين")
    assert first.image == "https://marsad.example/uploads/news/2024/12/33001.jpg"
    assert second.body == ("فاز فريق أهلي صنعاء بهدفين.", "وتعادل فريقا التلال والوحدة.")
    assert second.image == "https://marsad.example/uploads/news/2024/12/33002.jpg"


def test_json_feed_title_is_plain_text_kept_literally() -> None:
    second = parse_feed(fixture("feed.json"), "https://marsad.example/feed.json")[1]

    assert second.title == "نتائج مباريات الدوري &lt;b&gt; <i>اليوم</i>"


def test_json_feed_naive_date_is_aden_time() -> None:
    second = parse_feed(fixture("feed.json"), "https://marsad.example/feed.json")[1]

    assert second.published_at is not None
    assert second.published_at.utcoffset() == timedelta(hours=3)
    assert second.published_at.astimezone(UTC).hour == 15


def test_json_feed_version_1_0_is_read() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1",
        "items": [{"id": "1", "url": "https://marsad.example/a/1", "title": "خبر"}],
    }

    (draft,) = parse_feed(json.dumps(document).encode(), "https://marsad.example/feed.json")

    assert draft.title == "خبر"


# -- errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (fixture("invalid.xml"), "invalid feed XML"),
        (fixture("seed_page.html"), "HTML page"),
        (b"<?xml version='1.0'?><config><item>1</item></config>", "not a feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON"),
        (b'{"name": "not a feed"}', "not a feed"),
        (b"/etc/passwd", "not a feed"),
        (b"   ", "empty"),
    ],
    ids=["broken-xml", "html-page", "other-xml", "broken-json", "other-json", "path", "blank"],
)
def test_non_feeds_raise_parse_error(content: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_feed(content, FEED_URL)
    assert caught.value.url == FEED_URL


@settings(max_examples=50, deadline=None)
@given(junk=st.binary(max_size=400))
def test_arbitrary_bytes_yield_drafts_or_parse_error(junk: bytes) -> None:
    try:
        drafts = parse_feed(junk, FEED_URL)
    except ParseError:
        return
    assert all(d.url and d.title for d in drafts)


@settings(max_examples=50, deadline=None)
@given(title=st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60))
def test_json_feed_titles_are_kept_literally_or_taken_from_the_text(title: str) -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "url": "/a/1", "title": title, "content_text": "نص الخبر"}],
    }

    drafts = parse_feed(json.dumps(document).encode(), "https://marsad.example/feed.json")

    assert len(drafts) == 1
    assert drafts[0].title == (clean_text(title) or "نص الخبر")


# -- looks_like_feed -------------------------------------------------------


@pytest.mark.parametrize("name", ["feed_rss.xml", "feed_atom.xml", "feed.json", "invalid.xml"])
def test_feeds_look_like_feeds_whatever_their_content_type(name: str) -> None:
    assert looks_like_feed(fixture(name), "text/html; charset=utf-8")
    assert looks_like_feed(fixture(name), None)


def test_html_page_does_not_look_like_a_feed_even_labelled_xml() -> None:
    assert not looks_like_feed(fixture("seed_page.html"), "text/xml")
    assert not looks_like_feed(fixture("seed_page.html"), None)


def test_unclear_body_is_decided_by_content_type() -> None:
    assert looks_like_feed(b"\n\n   ", "application/rss+xml")
    assert not looks_like_feed(b"\n\n   ", "text/html")
    assert not looks_like_feed(b'{"a": 1}', "application/json")
