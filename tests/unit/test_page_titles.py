"""Which headline and author a page gets: what the page shows, never the site's own name."""

from __future__ import annotations

import pytest

from bot.adapters.sources.pages import extract_article

URL = "https://www.harbour-news.example/2025/03/story"
STORY = "<p>The port closed at noon on Monday, officials said, after the storm hit the coast.</p>"


def title_of(head: str, body: str) -> str:
    html = f"<html><head>{head}</head><body>{body}{STORY}</body></html>"
    return extract_article(html, URL).title


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="Storm closes the port | Harbour News">',
        "<title>Harbour News » Storm closes the port</title>"
        '<meta property="og:title" content="Storm closes the port">',
        '<meta property="og:title" content="Storm closes the port - Harbour-News.example">',
        '<meta property="og:title" content="HARBOUR NEWS — Storm closes the port">'
        '<meta property="og:site_name" content="Harbour News">',
    ],
)
def test_the_site_name_is_left_out_before_or_after_the_story(head: str) -> None:
    assert title_of(head, "<h1>Harbour News</h1>") == "Storm closes the port"


def test_without_a_visible_headline_the_metadata_gives_its_first_part() -> None:
    head = (
        '<meta property="og:title" content="Storm closes the port - what we know | Harbour News">'
    )
    assert title_of(head, "<div>no heading here</div>") == "Storm closes the port"


def test_the_visible_headline_comes_back_whole_when_the_metadata_names_it() -> None:
    head = (
        '<meta property="og:title" content="Storm closes the port - what we know | Harbour News">'
    )
    body = "<h1>Storm closes the port - what we know</h1>"
    assert title_of(head, body) == "Storm closes the port - what we know"


def test_a_widget_heading_is_not_the_headline() -> None:
    head = '<meta property="og:title" content="Storm closes the port | Harbour News">'
    assert title_of(head, "<h1>Menu</h1><h1>Search</h1>") == "Storm closes the port"


def test_a_kicker_much_shorter_than_the_story_gives_way_to_the_metadata() -> None:
    head = '<meta property="og:title" content="How the storm closed the port for a week">'
    body = "<h1>Port - the first day</h1>"
    assert title_of(head, body) == "How the storm closed the port for a week"


def test_a_title_that_is_only_the_site_name_leaves_the_visible_headline() -> None:
    assert title_of("<title>Harbour News</title>", "<h1>Storm closes the port</h1>") == (
        "Storm closes the port"
    )


def test_a_site_name_set_to_the_headline_still_gives_the_headline() -> None:
    head = (
        '<meta property="og:title" content="Storm closes the port | Harbour">'
        '<meta property="og:site_name" content="Storm closes the port">'
    )
    assert title_of(head, "<h1>Storm closes the port</h1>") == "Storm closes the port"


def test_without_og_title_a_site_and_story_title_beats_an_unrelated_heading() -> None:
    head = "<title>Harbour News | harbour-news.example - Storm closes the port</title>"
    assert title_of(head, "<h1>Pulse!</h1>") == "Storm closes the port"


def test_arabic_site_name_after_a_separator_is_left_out() -> None:
    head = (
        '<meta property="og:title" content="العاصفة تغلق ميناء عدن | مرصد اليمن">'
        '<meta property="og:site_name" content="مرصد اليمن">'
    )
    assert title_of(head, "<h1>مرصد اليمن</h1>") == "العاصفة تغلق ميناء عدن"


# -- the author ----------------------------------------------------------------


def author_of(head: str, body: str) -> str | None:
    html = (
        f"<html><head>{head}</head><body><h1>Storm closes the port</h1>{body}{STORY}</body></html>"
    )
    return extract_article(html, URL).author


def test_citation_authors_are_the_author_line() -> None:
    head = "".join(
        f'<meta name="citation_author" content="{name}">' for name in ("Aditya M", "Varun A")
    )
    assert author_of(head, "") == "Aditya M, Varun A"


def test_an_author_escaped_twice_is_read_once_decoded() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"author": {"name": "Maria &amp; Katerina"}}</script>'
    )
    assert author_of(head, "") == "Maria & Katerina"


def test_a_site_named_as_its_own_author_gives_way_to_the_byline() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour News">'
        '<meta name="author" content="Harbour News">'
    )
    assert author_of(head, '<span class="byline">By Jane Doe</span>') == "Jane Doe"
    assert author_of(head, "") == "Harbour News"


def test_a_byline_label_or_a_month_is_no_name() -> None:
    body = (
        '<p class="author">Written by</p><p class="author">Mar 3, 2024</p>'
        '<a rel="author">Jo Roe</a>'
    )
    assert author_of("", body) == "Jo Roe"


def test_an_arabic_writer_line_gives_the_name_without_its_verb() -> None:
    assert author_of("", '<span class="writeBy">كتبت أسماء نصار</span>') == "أسماء نصار"


def test_a_host_name_given_as_the_author_gives_way_to_the_byline() -> None:
    head = '<meta name="author" content="harbour-news">'
    body = '<div class="post-meta-author"><a href="/editors/1"><h5>نورهان نبيل</h5></a></div>'
    assert author_of(head, body) == "نورهان نبيل"
    assert author_of('<meta name="author" content="Harbour News">', body) == "Harbour News"


def test_a_title_sharing_only_the_site_name_with_og_title_still_names_the_headline() -> None:
    # og:title words the story for sharing, <title> and <h1> for readers;
    # both end in the site's name, which is the only part they share.
    head = (
        "<title>What next for the port after the storm? | Harbour News</title>"
        '<meta property="og:title" content="Dock workers fear a week without pay | Harbour News">'
    )
    body = "<h1>What next for the port after the storm?</h1>"
    assert title_of(head, body) == "What next for the port after the storm?"


def test_a_title_that_is_og_title_after_the_site_name_keeps_the_headline() -> None:
    # "Site | Kicker | Story" beside og:title "Kicker | Story": the name is
    # what the <title> adds, not the part both end with.
    head = (
        "<title>Harbour News | Weather | Storm closes the port for two days</title>"
        '<meta property="og:title" content="Weather | Storm closes the port for two days">'
    )
    body = "<h1>Storm closes the port for two days</h1>"
    assert title_of(head, body) == "Storm closes the port for two days"
