"""A page never raises anything but a `SourceError`: bad markup degrades its own field only.

The fuzz cases mutate real pages from the evaluation set (bench/extraction/data)
the ways pages arrive broken: cut off mid-transfer, tags out of order, bytes
flipped, and bytes whose declared encoding is not their own.
"""

from __future__ import annotations

import json
import lzma
import random
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.adapters.sources.pages import extract_article
from bot.core.errors import ParseError, SourceError
from bot.core.model import ArticleDraft

DATA = Path(__file__).parents[2] / "bench" / "extraction" / "data"
URL = "https://news.example/2024/05/story"
PAGE_SECONDS = 5.0
PAGE_PEAK_BYTES = 256 * 1024 * 1024
_TAG = re.compile(rb"<[^<>]{0,200}>")


def page(body: str, head: str = "<title>Storm closes the port | Daily</title>") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


STORY = "<article><h1>Storm closes the port</h1><p>The port closed at noon on Monday.</p></article>"


def test_a_bracketed_host_link_degrades_the_social_links_only() -> None:
    html = page(
        STORY + '<a href="http://[ccpa-preferences]">Do not sell</a>'
        '<a href="https://[t.me/broken">Telegram</a><a href="https://t.me/daily">Telegram</a>'
    )
    draft = extract_article(html, URL)
    assert draft.title == "Storm closes the port"
    assert draft.social.telegram == "https://t.me/daily"


def test_a_bracketed_host_image_is_no_image() -> None:
    html = page(STORY, head='<meta property="og:image" content="http://[ccpa-preferences]/a.jpg">')
    assert extract_article(html, URL).image is None


def test_junk_before_html_keeps_the_title_the_parser_moved_into_the_body() -> None:
    html = (
        "<b>Warning</b>: Undefined variable $x in /var/www/index.php on line 3\n"
        "<html><head><title>Minister resigns over budget</title></head>"
        "<body><div><p>The minister resigned on Tuesday after the vote.</p></div></body></html>"
    )
    assert extract_article(html, URL).title == "Minister resigns over budget"


def test_an_svg_title_is_not_the_page_title() -> None:
    html = (
        "<html><body><svg><title>Search icon</title></svg>"
        "<title>Markets fall for a third day</title><p>Shares fell again.</p></body></html>"
    )
    assert extract_article(html, URL).title == "Markets fall for a third day"


def test_absurdly_nested_json_ld_loses_the_metadata_only() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    html = page(STORY, head=f'<script type="application/ld+json">{nested}</script>')
    assert extract_article(html, URL).body == ("The port closed at noon on Monday.",)


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2024-13-45", "99999999"]
)
def test_an_impossible_date_is_no_date(stamp: str) -> None:
    html = page(STORY, head=f'<meta property="article:published_time" content="{stamp}">')
    draft = extract_article(html, URL)
    assert draft.title == "Storm closes the port"
    assert draft.published_at is None or draft.published_at.year in (1, 9999)


def test_a_page_with_nothing_to_call_a_headline_is_a_parse_error_naming_the_page() -> None:
    with pytest.raises(ParseError) as caught:
        extract_article("<html><body><p>   </p></body></html>", URL)
    assert caught.value.url == URL
    assert str(caught.value) == "no headline found"


# -- fuzz over real pages ----------------------------------------------------


def real_pages(count: int) -> Iterator[tuple[str, str]]:
    """The first `count` pages of each evaluation file, as (url, html)."""
    for path in sorted(DATA.glob("*.jsonl.xz")):
        with lzma.open(path, "rt", encoding="utf-8") as lines:
            for _, line in zip(range(count), lines, strict=False):
                item = json.loads(line)
                yield item["url"], item["html"]


def truncate(raw: bytes, rng: random.Random) -> bytes:
    return raw[: rng.randrange(len(raw))]


def shuffle_tags(raw: bytes, rng: random.Random) -> bytes:
    tags = _TAG.findall(raw)
    rng.shuffle(tags)
    shuffled = iter(tags)
    return _TAG.sub(lambda _: next(shuffled), raw)


def flip_bytes(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(max(1, len(data) // 200)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def mislabel(raw: bytes, rng: random.Random) -> bytes:
    label = rng.choice(["windows-1256", "utf-16", "iso-8859-6", "shift_jis", "x-no-such"])
    head = f'<meta charset="{label}"><meta http-equiv="Content-Type" content="text/html; '
    return (head + f'charset={label}">').encode() + re.sub(rb"(?i)charset=", b"x=", raw)


def cut_tags(raw: bytes, rng: random.Random) -> bytes:
    """Drop every closing tag: a page of elements that never end."""
    return re.sub(rb"</[a-zA-Z0-9]+\s*>", b"", raw)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": truncate,
    "shuffle_tags": shuffle_tags,
    "flip_bytes": flip_bytes,
    "mislabel": mislabel,
    "cut_tags": cut_tags,
}


def read_or_error(given: str | bytes, url: str) -> ArticleDraft | SourceError:
    """The draft, or the one error a page may raise; anything else fails the test."""
    try:
        return extract_article(given, url)
    except SourceError as exc:
        return exc


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_real_pages_never_raise_and_finish_in_bounded_time(mutation: str) -> None:
    rng = random.Random(f"pages-{mutation}")
    mutate = MUTATIONS[mutation]
    read = 0
    for url, html in real_pages(4):
        raw = mutate(html.encode("utf-8"), rng)
        for given in (raw, raw.decode("utf-8", "replace")):
            started = time.perf_counter()
            outcome = read_or_error(given, url)
            assert time.perf_counter() - started < PAGE_SECONDS
            if isinstance(outcome, SourceError):
                assert outcome.url == url
            else:
                assert outcome.title
            read += 1
    assert read == 4 * 2 * len(list(DATA.glob("*.jsonl.xz")))  # 4 pages of each file, twice


def test_reading_a_large_real_page_stays_within_bounded_memory() -> None:
    url, html = max(real_pages(4), key=lambda pair: len(pair[1]))
    tracemalloc.start()
    try:
        read_or_error(shuffle_tags(html.encode(), random.Random(1)), url)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < PAGE_PEAK_BYTES
