"""Link hygiene: dedup keys, published links and campaign tags."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.links import absolute_url, canonical_url, clean_url, host_of, tag_url

STORY = "https://example-news.net/article/12345"
SLUG = "رئيس-الوزراء-يزور-القاهرة"
SLUG_ENCODED = quote(SLUG)


# -- canonical_url ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example-news.net/mobile/article/12345?utm_source=fb&fbclid=x",
        "http://example-news.net/article/12345/",
        "https://m.example-news.net/mobile/article/12345#comments",
        "https://mobile.example-news.net/Mobile/article/12345/?ref=homepage&s=20",
        "https://EXAMPLE-NEWS.net:443/article/12345?utm_medium=social&utm_campaign=breaking",
        "http://www.example-news.net:80/article/./12345",
        "https://example-news.net/section/../article/12345",
        "  https://example-news.net/article/12345 \n",
        "https://example-news.net/article/12345?gclid=a&msclkid=b&igshid=c&_ga=d&at_medium=e",
        "https://example-news.net/article/12345?mc_cid=a&mc_eid=b&yclid=c&dclid=d&spm=e",
        "https://example-news.net/article/12345?ref_src=twsrc%5Etfw&feature=share",
        "https://www.google.com/url?q=https://www.example-news.net/article/12345&sa=D",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fm.example-news.net%2Fmobile%2Farticle"
        "%2F12345%3Ffbclid%3Dabc&h=AT0",
    ],
)
def test_every_address_of_one_story_has_the_same_key(url: str) -> None:
    assert canonical_url(url) == STORY


@pytest.mark.parametrize(
    "url",
    [
        f"https://example-news.net/article/12345/{SLUG}",
        f"https://example-news.net/article/12345/{SLUG_ENCODED}",
        f"https://example-news.net/article/12345/{SLUG_ENCODED.lower()}",
        f"http://www.example-news.net/mobile/article/12345/{SLUG}/?utm_source=telegram",
    ],
)
def test_arabic_slug_is_the_same_encoded_or_not(url: str) -> None:
    assert canonical_url(url) == f"{STORY}/{SLUG_ENCODED}"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.example-news.net", "https://example-news.net/"),
        ("https://example-news.net/mobile/", "https://example-news.net/"),
        ("https://example-news.net/tag/?b=2&a=1", "https://example-news.net/tag?a=1&b=2"),
        ("https://example-news.net/search?q=a+b", "https://example-news.net/search?q=a%20b"),
        (
            "https://example-news.net/tag?وسم=اقتصاد",
            "https://example-news.net/tag?%D9%88%D8%B3%D9%85=%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF",
        ),
        ("https://example-news.net:8443/a", "https://example-news.net:8443/a"),
        ("http://[::1]:8080/a/", "https://[::1]:8080/a"),
        ("https://m.com/a", "https://m.com/a"),
        ("https://user:pw@example-news.net/a", "https://example-news.net/a"),
        ("https://مثال.مصر/خبر", "https://xn--mgbh0fb.xn--wgbh1c/%D8%AE%D8%A8%D8%B1"),
        ("https://news.example-news.net/a", "https://news.example-news.net/a"),
    ],
)
def test_canonical_form(url: str, key: str) -> None:
    assert canonical_url(url) == key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (STORY, "https://example-news.net/article/12346"),
        (f"{STORY}?page=1", f"{STORY}?page=2"),
        (STORY, "https://example-news.net:8080/article/12345"),
        (STORY, "https://sport.example-news.net/article/12345"),
        ("https://example-news.net/a%2Fb", "https://example-news.net/a/b"),
    ],
)
def test_different_stories_keep_different_keys(one: str, other: str) -> None:
    assert canonical_url(one) != canonical_url(other)


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("", ""),
        ("  not a url ", "not a url"),
        ("ftp://example-news.net/file", "ftp://example-news.net/file"),
        ("mailto:desk@example-news.net", "mailto:desk@example-news.net"),
        ("https://", "https://"),
        ("http://[::1/", "http://[::1/"),
        ("http://example-news.net:99999/", "http://example-news.net:99999/"),
        ("/article/12345", "/article/12345"),
        ("http://bad host/a", "http://bad host/a"),
    ],
)
def test_text_that_is_not_an_http_url_comes_back_stripped(text: str, result: str) -> None:
    assert canonical_url(text) == result
    assert clean_url(text) == result


# -- clean_url -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (
            "https://www.example-news.net/mobile/article/12345?utm_source=fb&fbclid=x",
            "https://www.example-news.net/mobile/article/12345",
        ),
        (
            "http://m.example-news.net/article/12345/?id=7&utm_campaign=x#top",
            "http://m.example-news.net/article/12345/?id=7#top",
        ),
        (f"https://example-news.net/a/{SLUG}?s=09", f"https://example-news.net/a/{SLUG_ENCODED}"),
        (
            f"https://example-news.net/a/{SLUG_ENCODED}?fbclid=1",
            f"https://example-news.net/a/{SLUG_ENCODED}",
        ),
        ("https://example-news.net/a#utm_source=x&utm_medium=y", "https://example-news.net/a"),
        ("https://example-news.net/a?page=2&UTM_Source=x", "https://example-news.net/a?page=2"),
        ("https://example-news.net/a?q=1&&gclid=2", "https://example-news.net/a?q=1"),
    ],
)
def test_clean_url_drops_tracking_and_keeps_the_rest_as_given(url: str, clean: str) -> None:
    assert clean_url(url) == clean


@pytest.mark.parametrize(
    "wrapped",
    [
        "https://www.google.com/url?q=https://example-news.net/article/12345%3Futm_source%3Dg&sa=D",
        "https://www.google.com.eg/url?url=https%3A%2F%2Fexample-news.net%2Farticle%2F12345&ved=2a",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample-news.net%2Farticle%2F12345"
        "%3Ffbclid%3DIwAR0&h=AT1",
        "https://lm.facebook.com/l.php?u=https%3A%2F%2Fexample-news.net%2Farticle%2F12345",
        "https://twitter.com/i/redirect?url=https%3A%2F%2Fexample-news.net%2Farticle%2F12345",
        "https://x.com/i/redirect?url=https%3A%2F%2Fexample-news.net%2Farticle%2F12345",
        "https://out.reddit.com/t3_abc?url=https%3A%2F%2Fexample-news.net%2Farticle%2F12345&app=1",
        "https://t.umblr.com/redirect?z=https%3A%2F%2Fexample-news.net%2Farticle%2F12345&t=ZmU",
        "https://www.youtube.com/redirect?q=https%3A%2F%2Fexample-news.net%2Farticle%2F12345",
        # a Google result pointing at a Facebook share link
        "https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3Dhttps%253A%252F"
        "%252Fexample-news.net%252Farticle%252F12345",
    ],
)
def test_known_redirect_wrappers_are_unwrapped(wrapped: str) -> None:
    assert clean_url(wrapped) == STORY
    assert canonical_url(wrapped) == STORY


@pytest.mark.parametrize(
    "url",
    [
        "https://www.google.com/url?q=javascript:alert(1)",
        "https://example.org/share?url=https://example-news.net/article/12345",
        "https://www.google.com/search?q=https://example-news.net/article/12345",
        "https://l.facebook.com/l.php?u=",
    ],
)
def test_unknown_or_unsafe_wrappers_are_left_alone(url: str) -> None:
    assert clean_url(url) == url


# -- tag_url ---------------------------------------------------------------------------


def test_tagging_adds_source_and_medium() -> None:
    assert tag_url(STORY, source="telegram") == f"{STORY}?utm_source=telegram&utm_medium=social"


def test_tagging_adds_campaign_and_keeps_the_fragment_last() -> None:
    tagged = tag_url(f"{STORY}?id=3#live", source="x", medium="post", campaign="breaking")
    assert tagged == f"{STORY}?id=3&utm_source=x&utm_medium=post&utm_campaign=breaking#live"


def test_tagging_replaces_every_existing_utm_parameter() -> None:
    tagged = tag_url(f"{STORY}?utm_source=fb&id=3&utm_content=hero", source="telegram")
    assert tagged == f"{STORY}?id=3&utm_source=telegram&utm_medium=social"


def test_tag_values_are_encoded() -> None:
    tagged = tag_url(STORY, source="قناة الأخبار", campaign="a&b=c")
    assert dict(parse_qsl(urlsplit(tagged).query)) == {
        "utm_source": "قناة الأخبار",
        "utm_medium": "social",
        "utm_campaign": "a&b=c",
    }


def test_no_source_means_tagging_is_off() -> None:
    url = f"{STORY}?utm_source=fb "
    assert tag_url(url, source=None, campaign="ignored") == url


def test_tagging_text_that_is_not_a_url_returns_it_stripped() -> None:
    assert tag_url(" hello ", source="telegram") == "hello"


# -- absolute_url, host_of -------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "result"),
    [
        ("../article/1", "https://example-news.net/section/article/1"),
        ("/article/2", "https://example-news.net/article/2"),
        (" /article/3\n", "https://example-news.net/article/3"),
        ("//cdn.example-news.net/i.jpg", "https://cdn.example-news.net/i.jpg"),
        ("http://other.example/x", "http://other.example/x"),
        (f"/article/4/{SLUG}", f"https://example-news.net/article/4/{SLUG}"),
        ("?page=2", "https://example-news.net/section/politics/?page=2"),
    ],
)
def test_absolute_url_resolves_against_the_page(href: str, result: str) -> None:
    assert absolute_url("https://example-news.net/section/politics/", href) == result


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Example-News.net/a", "example-news.net"),
        ("https://m.example-news.net/", "m.example-news.net"),
        ("https://example-news.net./", "example-news.net"),
        ("https://www.com/", "www.com"),
        ("http://[::1]:80/", "::1"),
        ("not a url", ""),
        ("http://[::1/", ""),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


# -- properties ------------------------------------------------------------------------

HOSTS = st.sampled_from(
    [
        "example-news.net",
        "www.example-news.net",
        "m.example-news.net",
        "mobile.www.example-news.net",
        "WWW.Example-News.NET",
        "مثال.مصر",
        "127.0.0.1",
        "[::1]",
        "www.www.google.com",
        "google.com",
        "l.facebook.com",
        "x.com",
        "out.reddit.com",
    ]
)
PORTS = st.sampled_from(["", ":80", ":443", ":8080"])
SEGMENTS = st.one_of(
    st.sampled_from(["mobile", "Mobile", "article", "12345", ".", "..", "", "url", "l.php"]),
    st.sampled_from([SLUG, SLUG_ENCODED, "%2F", "%zz", "%2e%2E", "a+b", "a%20b", "x;y=z"]),
    st.text(st.characters(codec="utf-8", exclude_characters="/?#"), max_size=8),
)
KEYS = st.one_of(
    st.sampled_from(["utm_source", "UTM_Medium", "fbclid", "s", "ref", "id", "q", "url", "u"]),
    st.sampled_from(["at_x", "%75tm_term", "كلمة", "a+b", "", "z"]),
    st.text(st.characters(codec="utf-8", exclude_characters="&#"), max_size=5),
)
VALUES = st.one_of(
    st.sampled_from(["1", "", "https://example-news.net/mobile/article/9?utm_source=x", SLUG]),
    st.sampled_from(["https%3A%2F%2Fwww.example-news.net%2Fa%3Ffbclid%3D1", "a+b", "%zz"]),
    st.text(st.characters(codec="utf-8", exclude_characters="&#"), max_size=8),
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    path = "/".join(draw(st.lists(SEGMENTS, max_size=5)))
    fields = draw(st.lists(st.tuples(KEYS, st.sampled_from(["=", ""]), VALUES), max_size=5))
    query = "&".join(key + sep + (value if sep else "") for key, sep, value in fields)
    fragment = draw(st.sampled_from(["", "#top", "#utm_source=x", "#"]))
    url = f"{scheme}://{draw(HOSTS)}{draw(PORTS)}/{path}"
    return f"{url}?{query}{fragment}" if query else url + fragment


def _query_keys(url: str) -> list[str]:
    return [key.lower() for key, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]


@given(urls())
@example("https://www.www.google.com/url/?q=https://www.example-news.net/mobile/a/")
@example("https://google.com/mobile/url?q=http://m.example-news.net/mobile/mobile/")
def test_canonical_url_is_idempotent(url: str) -> None:
    key = canonical_url(url)
    assert canonical_url(key) == key


@given(urls())
def test_canonical_url_ignores_tagging(url: str) -> None:
    assert canonical_url(tag_url(url, source="telegram", campaign="c")) == canonical_url(url)


@given(urls(), st.text(min_size=1, max_size=10), st.text(max_size=10))
def test_cleaning_a_tagged_url_leaves_no_utm(url: str, source: str, medium: str) -> None:
    cleaned = clean_url(tag_url(url, source=source, medium=medium, campaign="c"))
    assert not [key for key in _query_keys(cleaned) if key.startswith("utm_")]


@given(urls())
def test_clean_url_is_idempotent(url: str) -> None:
    cleaned = clean_url(url)
    assert clean_url(cleaned) == cleaned


ARABIC_SLUGS = st.text(
    st.one_of(st.characters(min_codepoint=0x600, max_codepoint=0x6FF), st.sampled_from("-_.a9")),
    max_size=40,
)


@given(ARABIC_SLUGS)
def test_arabic_path_equal_encoded_or_not(segment: str) -> None:
    raw = f"https://example-news.net/article/{segment}"
    encoded = f"https://example-news.net/article/{quote(segment, safe='')}"
    assert canonical_url(raw) == canonical_url(encoded)


@given(st.text())
@example("\ud800")
@example("http://\ud800/")
@example("https://example-news.net/\udcff?utm_source=\ud800")
@example("http://[::1")
@example("http://example-news.net:port/")
@example("http://%zz/")
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for result in (
        canonical_url(text),
        clean_url(text),
        tag_url(text, source="telegram"),
        absolute_url(STORY, text),
        absolute_url(text, text),
        host_of(text),
    ):
        assert isinstance(result, str)
    if ":" not in text:
        assert canonical_url(text) == text.strip()


def test_published_links_are_uris_that_x_reads_whole() -> None:
    from bot.core.text.tweet_length import extract_urls

    link = clean_url("https://www.example-news.net/مقال/12?tag=حلب&utm_source=fb")
    assert link == (
        "https://www.example-news.net/%D9%85%D9%82%D8%A7%D9%84/12?tag=%D8%AD%D9%84%D8%A8"
    )
    tagged = tag_url(link, source="x")
    assert extract_urls(f"خبر جديد {tagged} #حلب") == [tagged]


def test_an_arabic_domain_is_published_in_punycode() -> None:
    assert clean_url("https://أخبار.example/a") == (
        "https://" + "أخبار".encode("idna").decode("ascii") + ".example/a"
    )
