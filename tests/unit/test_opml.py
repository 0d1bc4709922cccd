"""OPML 2.0 read and written: feed readers' lists in, Nashir's sources out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.opml import OpmlError, Outline, read_opml, write_opml

WHEN = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>اشتراكاتي</title></head>
  <body>
    <outline text="أخبار" title="أخبار">
      <outline type="rss" text="المشهد اليمني" title="المشهد اليمني"
               xmlUrl="https://www.almashhad-alyemeni.com/rss.xml"
               htmlUrl="https://www.almashhad-alyemeni.com/"/>
      <outline type="rss" text="Site &amp; Co" xmlUrl="https://example.net/feed?a=1&amp;b=2"/>
    </outline>
    <outline text="صفحة بلا خلاصة" htmlUrl="https://example.org/latest"/>
    <outline text="مكرر" xmlUrl="https://www.almashhad-alyemeni.com/rss.xml"/>
    <outline text="folder without a link"/>
  </body>
</opml>
""".encode()


def test_a_feed_readers_export_gives_each_source_once_with_its_title() -> None:
    assert read_opml(READER_EXPORT) == [
        Outline("https://www.almashhad-alyemeni.com/rss.xml", "المشهد اليمني"),
        Outline("https://example.net/feed?a=1&b=2", "Site & Co"),
        Outline("https://example.org/latest", "صفحة بلا خلاصة"),
    ]


def test_arabic_titles_and_escaped_urls_survive_a_round_trip() -> None:
    sources = [
        Outline("https://www.almashhad-alyemeni.com/rss.xml", "المشهد اليمني — عاجل <أخبار>"),
        Outline("https://example.net/feed?a=1&b=2", None),
    ]
    document = write_opml(sources, created=WHEN)
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert "المشهد اليمني".encode() in document  # UTF-8 text, not character references
    assert read_opml(document) == [
        sources[0],
        Outline("https://example.net/feed?a=1&b=2", "https://example.net/feed?a=1&b=2"),
    ]


def test_the_written_document_is_opml_2() -> None:
    document = write_opml([Outline("https://example.net/rss", "x")], created=WHEN).decode()
    assert '<opml version="2.0">' in document
    assert "<dateCreated>Sun, 01 Mar 2026 08:30:00 +0000</dateCreated>" in document
    assert 'type="rss"' in document
    assert 'xmlUrl="https://example.net/rss"' in document


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not xml at all", "not valid XML"),
        (b"<rss><channel/></rss>", "not an OPML document"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]>'
            b"<opml><body><outline xmlUrl='&a;'/></body></opml>",
            "entity declarations are not allowed",
        ),
        (b" " * 5_000_001, "larger than 5 MB"),
    ],
)
def test_what_is_not_opml_is_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason):
        read_opml(data)
