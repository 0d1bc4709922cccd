"""Items are checked and cleaned before the database or a channel sees them."""

from __future__ import annotations

import pytest

from bot.adapters.sources.feeds import parse_feed
from bot.adapters.sources.sanitise import (
    MAX_TITLE,
    MAX_URL,
    ItemRefused,
    check_link,
    clean_draft,
    describe,
    shown_link,
)
from bot.core.model import ArticleDraft

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>https://news.example.com/</link>
<item><title>الخبر الأول</title><link>https://news.example.com/1</link></item>
<item><title>رابط معطوب</title><link>http://[bad]/x</link></item>
<item><title>الخبر الثالث</title><link>https://news.example.com/3</link></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("javascript:alert(document.cookie)", "not http(s) (a javascript: link)"),
        ("data:text/html,<script>alert(1)</script>", "not http(s) (a data: link)"),
        ("file:///etc/passwd", "not http(s) (a file: link)"),
        ("http://127.0.0.1/admin", "private address"),
        ("http://10.0.0.8/x", "private address"),
        ("http://[::1]/x", "private address"),
        ("http://0x7f.1/x", "private address"),
        ("http://localhost:8080/x", "private address"),
        ("http://printer.local/x", "private address"),
        ("http://[bad]/x", "not a valid URL"),
        ("https://news.example.com:99999/x", "not a valid URL"),
        ("https:///nohost", "no host"),
        ("https://news.example.com/" + "a" * MAX_URL, "longer than 2048"),
        ("https://news.example.com/a\x00b", "control characters"),
        ("/relative/path", "not http(s) (relative)"),
    ],
)
def test_links_that_may_not_be_posted_are_refused(link: str, reason: str) -> None:
    with pytest.raises(ItemRefused, match=reason.replace("(", r"\(").replace(")", r"\)")) as caught:
        check_link(link)
    assert "alert" not in str(caught.value)
    assert "passwd" not in str(caught.value)


def test_public_links_pass_and_private_ones_pass_when_allowed() -> None:
    assert check_link(" https://news.example.com/a?b=1 ") == "https://news.example.com/a?b=1"
    assert check_link("http://127.0.0.1:8000/x", allow_private=True) == "http://127.0.0.1:8000/x"


def test_a_draft_loses_control_characters_and_is_capped() -> None:
    draft = ArticleDraft(
        url="https://news.example.com/1",
        title="عنوان\x00 فيه\u0007 محارف" + " كلمة" * 200_000,
        guid="g\x00",
        body=("فقرة\x00 أولى", "\x01\x02", "ثانية\ud800"),
        summary="ملخص\x00",
        section="x" * 10_000,
        tags=("وسم\x00", "", "\x00"),
        image="javascript:alert(1)",
    )
    cleaned = clean_draft(draft)
    assert cleaned.title.startswith("عنوان فيه محارف كلمة")
    assert len(cleaned.title) <= MAX_TITLE
    assert cleaned.title.endswith("…")
    assert cleaned.guid == "g"
    assert cleaned.body == ("فقرة أولى", "ثانية")
    assert cleaned.summary == "ملخص"
    assert cleaned.section is not None
    assert len(cleaned.section) <= 256
    assert cleaned.tags == ("وسم",)
    assert cleaned.image is None


def test_a_draft_with_a_dangerous_link_is_refused() -> None:
    with pytest.raises(ItemRefused, match="a javascript: link"):
        clean_draft(ArticleDraft(url="javascript:alert(1)", title="عنوان"))


def test_shown_links_never_carry_a_script() -> None:
    assert shown_link("javascript:alert(document.cookie)") == "(a javascript: link)"
    assert shown_link("https://news.example.com/1") == "https://news.example.com/1"
    assert len(shown_link("https://news.example.com/" + "a" * 5000)) == 200


def test_describe_is_one_line_and_never_a_bare_name() -> None:
    assert describe(KeyError()) == "unexpected error (KeyError)"
    assert describe(ValueError("bad value\n[SQL: INSERT ...]")) == "bad value"


def test_one_unreadable_feed_item_costs_only_itself() -> None:
    rejected: list[tuple[str, str]] = []
    drafts = parse_feed(FEED.encode(), "https://news.example.com/rss", rejected=rejected)
    assert [d.url for d in drafts] == ["https://news.example.com/1", "https://news.example.com/3"]
    assert rejected == [("http://[bad]/x", "link is not a valid URL")]


def test_one_unreadable_json_feed_item_costs_only_itself() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
        b'{"id": "1", "url": "https://news.example.com/1", "title": "one"},'
        b'{"id": "2", "url": "http://[bad]/x", "title": "two"},'
        b'{"id": "3", "url": "https://news.example.com/3", "title": "three"}]}'
    )
    rejected: list[tuple[str, str]] = []
    drafts = parse_feed(body, "https://news.example.com/feed.json", rejected=rejected)
    assert [d.title for d in drafts] == ["one", "three"]
    assert rejected == [("http://[bad]/x", "link is not a valid URL")]
