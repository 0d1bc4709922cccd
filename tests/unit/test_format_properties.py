"""Whatever an outlet writes, posts parse, fit their platform and keep their link."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.formatting import FormatOptions, format_telegram, format_x, weighted_length
from bot.core.formatting.templates import LRM, RLM
from bot.core.model import Article, SocialLinks
from bot.core.text.hashtags import make_hashtags
from bot.core.text.summary import ELLIPSIS, clean_paragraphs, lead_summary, split_sentences
from bot.core.text.telegram_html import parse_html, visible_length

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Characters that break naive formatters: markup, entities, quotes, bidi marks,
# emoji (astral, ZWJ sequences, skin tones), tatweel, diacritics, Arabic and
# Latin punctuation, digits of three scripts, and several kinds of space.
TRICKY = (
    "<>&\"'#＃@_/\\{}[]()«»“”…؟؛،.!?:-ـ"
    "\u200e\u200f\u202b\u202c\u2066\u2069\u200d\u200c\ufeff\u00a0\u2003"
    "🔥👍🏽👨‍👩‍👧🇾🇪"
    "ًٌٍَُِّْ"
    "0123456789٠١٢٣٤٥٦٧٨٩۰"
    "abcXYZ"
    "اأإآبتثجحخدذرزسشصضطظعغفقكلمنهويىةءئؤ"
    "      \n\n\t"
)

tricky_text = st.text(alphabet=TRICKY, max_size=300)
any_text = st.text(max_size=200)
long_word = st.integers(min_value=200, max_value=1500).flatmap(
    lambda n: st.sampled_from("بaض👍&<").map(lambda ch: ch * n)
)
text = st.one_of(tricky_text, any_text, long_word, st.just(""))
body = st.lists(st.one_of(tricky_text, any_text, long_word), max_size=8).map("\n\n".join)
urls = st.one_of(
    st.integers(min_value=1, max_value=10**9).map(
        lambda n: f"https://www.example-news.net/mobile/article/{n}"
    ),
    st.text(alphabet="abcdefXYZ0123456789-_=&%", max_size=120).map(
        lambda q: f"https://example.com/news?id=1&{q}&fbclid=x"
    ),
    st.sampled_from(
        [
            "http://example.com/خبر/١٢",
            'https://example.com/a?b=<i>&c="d"',
            "https://example.com/" + "a" * 2000,
            # links Telegram would silently drop: shown as text, never as anchors
            "http://localhost/news/1",
            "ftp://example.com/news/1",
            "https://example.com:0/news/1",
        ]
    ),
)
SOCIAL = SocialLinks(
    youtube="https://www.youtube.com/@example",
    x="https://x.com/example",
    telegram="https://t.me/example",
    facebook="https://www.facebook.com/example",
    google_news="https://news.google.com/publications/CAAqBwgK",
)


@st.composite
def articles(draw: st.DrawFn, content: st.SearchStrategy[str] = text) -> Article:
    return Article(
        id=1,
        url=draw(urls),
        title=draw(content),
        body=draw(body) if content is text else draw(content),
        summary=draw(st.none() | content),
        section=draw(st.none() | content),
        outlet=draw(st.none() | content),
        source_credit=draw(st.none() | content),
        image=draw(st.none() | st.just("https://www.example-news.net/img/1.jpg")),
        tags=tuple(draw(st.lists(content, max_size=12))),
        reads=draw(st.none() | st.integers(min_value=0, max_value=10**9)),
        breaking=draw(st.booleans()),
    )


@st.composite
def options(draw: st.DrawFn) -> FormatOptions:
    return FormatOptions(
        language=draw(st.sampled_from(["ar", "en"])),
        social=draw(st.sampled_from([SOCIAL, SocialLinks()])),
        telegram_hashtags=draw(st.integers(min_value=0, max_value=12)),
        x_hashtags=draw(st.integers(min_value=0, max_value=6)),
        include_section_hashtag=draw(st.booleans()),
        read_more_button=draw(st.booleans()),
    )


labels = st.none() | text


@PROPERTY_SETTINGS
@given(articles(), options(), labels)
def test_telegram_post_always_parses_and_fits(
    article: Article, options: FormatOptions, label: str | None
) -> None:
    post = format_telegram(article, options, label=label)

    limit = 1024 if article.image else 4096
    parse_html(post.text)  # raises on anything Telegram would refuse
    assert post.length == visible_length(post.text) <= limit
    assert len(post.plain_text) <= limit
    assert post.image == article.image
    assert (post.button_url == post.link) is options.read_more_button or not post.link


@PROPERTY_SETTINGS
@given(articles(), options(), labels)
def test_x_post_always_fits_and_carries_the_link(
    article: Article, options: FormatOptions, label: str | None
) -> None:
    post = format_x(article, options, label=label)

    assert post.length == weighted_length(post.text) <= 280
    assert post.link
    assert post.link in post.text


# Article text without "#", so every "#" in a post is a hashtag we put there.
hashless = st.text(alphabet=TRICKY.replace("#", "").replace("＃", ""), max_size=80)


def emitted_hashtags(shown: str) -> list[str]:
    return [
        token
        for token in shown.replace(LRM, " ").replace(RLM, " ").split()
        if token.startswith("#")
    ]


@PROPERTY_SETTINGS
@given(articles(hashless), options())
def test_every_hashtag_is_one_the_hashtag_module_made(
    article: Article, options: FormatOptions
) -> None:
    tags = list(article.tags)
    if options.include_section_hashtag and article.section:
        tags.append(article.section)
    made = make_hashtags(tags)

    shown, _ = parse_html(format_telegram(article, options).text)
    on_telegram = emitted_hashtags(shown)
    on_x = emitted_hashtags(format_x(article, options).text)

    # In order, from the first: dropping happens from the last.
    assert on_telegram == made[: len(on_telegram)]
    assert on_x == made[: len(on_x)]
    assert len(on_telegram) <= options.telegram_hashtags
    assert len(on_x) <= options.x_hashtags


@PROPERTY_SETTINGS
@given(body, st.integers(min_value=0, max_value=700))
def test_lead_summary_fits_and_never_cuts_a_word(text: str, budget: int) -> None:
    summary = lead_summary(text, budget)

    assert len(summary) <= budget
    sentences = [s for p in clean_paragraphs(text.splitlines()) for s in split_sentences(p)]
    words = " ".join(sentences).split()
    if summary.endswith(ELLIPSIS) and summary not in sentences:
        kept = summary[: -len(ELLIPSIS)].split()
        assert kept
        assert kept[:-1] == words[: len(kept) - 1]
        assert words[len(kept) - 1].startswith(kept[-1])  # only trailing punctuation goes
    elif summary:
        assert summary.split() == words[: len(summary.split())]
    if words and len(words[0]) + len(ELLIPSIS) <= budget:
        assert summary
