"""Hashtags from the site's tags: readable, deduplicated, and linked whole on X and Telegram."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.text.hashtags import (
    MAX_HASHTAG_LENGTH,
    extract_hashtags,
    is_telegram_hashtag,
    make_hashtag,
    make_hashtags,
)

SEED_TAGS = ["احمد الشرع", "بشار الأسد", "حلب", "دمشق", "روسيا", "سوريا"]


@pytest.mark.parametrize(
    ("tag", "hashtag"),
    [
        ("احمد الشرع", "#احمد_الشرع"),
        ("بشار الأسد", "#بشار_الأسد"),
        ("حلب", "#حلب"),
        ("دمشق", "#دمشق"),
        ("روسيا", "#روسيا"),
        ("سوريا", "#سوريا"),
        ("ـحلبـ", "#حلب"),
        ("ســـلام", "#سلام"),
        ("كوفيد-19", "#كوفيد_19"),
        ("  بشار   الأسد  ", "#بشار_الأسد"),
        ("بشار - الأسد!", "#بشار_الأسد"),
        ("«الأمم المتحدة»", "#الأمم_المتحدة"),
        ("صنعاء، عدن", "#صنعاء_عدن"),
        ("مُحَمَّد", "#محمد"),
        ("#سوريا", "#سوريا"),
        ("سوريا_الجديدة", "#سوريا_الجديدة"),
        ("٢٦ سبتمبر", "#٢٦_سبتمبر"),
        ("G20", "#G20"),
        ("AT&T", "#AT_T"),
        ("&lt;b&gt;اليمن&lt;/b&gt;", "#b_اليمن_b"),
        ('"الحوثي"', "#الحوثي"),
        ("🔴 عاجل 🔴", "#عاجل"),
        ("سوريا🇸🇾", "#سوريا"),
        ("می\u200cخواهم", "#می\u200cخواهم"),
        ("\u200cسلام\u200c", "#سلام"),
        ("رو\u200dسيا", "#روسيا"),
        ("\u202bسوريا\u202c", "#سوريا"),
        ("Café", "#Café"),
        ("Cafe\u0301", "#Café"),
    ],
)
def test_tag_becomes_hashtag(tag: str, hashtag: str) -> None:
    assert make_hashtag(tag) == hashtag


@pytest.mark.parametrize("tag", ["", "   ", "2024", "٢٠٢٤", "_", "- 19 -", "؟!", "🔴", "ـــ", "َ"])
def test_tag_without_a_letter_gives_no_hashtag(tag: str) -> None:
    assert make_hashtag(tag) is None


def test_long_tag_is_cut_at_a_word_boundary() -> None:
    words = ["كلمة"] * 100  # 499 characters with the underscores
    hashtag = make_hashtag(" ".join(words))
    assert hashtag is not None
    body = hashtag[1:]
    assert len(body) <= MAX_HASHTAG_LENGTH
    assert body == "_".join(words[: len(body.split("_"))])


def test_long_single_word_is_cut_hard() -> None:
    hashtag = make_hashtag("ب" * 300)
    assert hashtag == "#" + "ب" * MAX_HASHTAG_LENGTH


def test_seed_tags_become_seed_hashtags() -> None:
    assert make_hashtags(SEED_TAGS) == [
        "#احمد_الشرع",
        "#بشار_الأسد",
        "#حلب",
        "#دمشق",
        "#روسيا",
        "#سوريا",
    ]


def test_spelling_variants_are_one_hashtag_and_the_first_spelling_wins() -> None:
    tags = ["الأسد", "الاسد", "بشار الأسد", "بشار_الاسد", "ـحلبـ", "حلب", "Syria", "syria"]
    assert make_hashtags(tags) == ["#الأسد", "#بشار_الأسد", "#حلب", "#Syria"]


def test_limit_counts_hashtags_not_tags() -> None:
    assert make_hashtags(["2024", "حلب", "حلب", "دمشق", "روسيا"], limit=2) == ["#حلب", "#دمشق"]
    assert make_hashtags(SEED_TAGS, limit=0) == []
    assert make_hashtags(iter(SEED_TAGS), limit=10) == make_hashtags(SEED_TAGS)


@pytest.mark.parametrize(
    ("hashtag", "valid"),
    [
        ("#سوريا", True),
        ("#بشار_الأسد", True),
        ("#كوفيد_19", True),
        ("#می\u200cخواهم", True),
        ("#" + "ب" * 256, True),
        ("#" + "ب" * 257, False),
        ("#2024", False),
        ("#_", False),
        ("#", False),
        ("سوريا", False),
        ("#سو ريا", False),
        ("#سوريا!", False),
        ("#مُحمد", False),  # a diacritic ends a Telegram hashtag
        ("#رو\u200dسيا", False),
        ("#كوفيد-19", False),
    ],
)
def test_telegram_hashtag_rules(hashtag: str, valid: bool) -> None:
    assert is_telegram_hashtag(hashtag) is valid


def test_x_extracts_our_hashtags_from_a_post() -> None:
    post = (
        "تفاصيل إنقاذ روسيا لبشار الأسد\nhttps://example.com/mobile/article/1\n#بشار_الأسد #سوريا"
    )
    assert extract_hashtags(post) == ["بشار_الأسد", "سوريا"]


def test_x_ignores_hash_inside_words_urls_and_numbers() -> None:
    text = "سوريا#دمشق https://example.com/#حلب #2024 &#39; #http://x.com"
    assert extract_hashtags(text) == []


# Every hashtag we make is linked whole by X and by Telegram, whatever the tag.

_PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى")
        + list("ـًٌٍَُِّْٰ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")
        + list("پچژگکی")
        + ["\u200c", "\u200d", "\u200e", "\u200f", "\u202b", "\u202c", "\ufeff", "\u00ad"]
        + list(" \t\n\u00a0\u2003_-.,،؛؟!<>&\"'#＃@:/")
        + ["🔴", "👨‍👩‍👧", "🇾🇪", "1️⃣", "\ufe0f", "\u0301", "漢", "字", "ß", "İ"]
        + ["&amp;", "&lt;", "&quot;", "&#x200d;", "&#1576;", "https://example.com/", "1234"]
    ),
)
_SHORT_TAGS = st.lists(_PIECES, max_size=20).map("".join)
# Long tags repeat a short one, which reaches the 256 limit without slow generation.
_LONG_TAGS = st.builds(lambda tag, times: tag * times, _SHORT_TAGS, st.integers(20, 120))
_TAGS = st.one_of(_SHORT_TAGS, _LONG_TAGS)


@settings(max_examples=300, deadline=None)
@given(_TAGS)
@example("كوفيد-19")
@example("می\u200cخواهم")
@example("#٢٠٢٤ سوريا")
@example("ب" * 255 + "_" + "ب" * 10)
@example("1" * 255 + " ب")
def test_every_hashtag_is_linked_whole_by_x_and_telegram(tag: str) -> None:
    hashtag = make_hashtag(tag)
    if hashtag is None:
        return
    body = hashtag[1:]
    assert is_telegram_hashtag(hashtag)
    assert extract_hashtags(f"خبر {hashtag} اليوم") == [body]
    assert extract_hashtags(f"{hashtag}\nتفاصيل الخبر") == [body]
    assert extract_hashtags(f"تفاصيل الخبر\n{hashtag}") == [body]
    assert extract_hashtags(f"{hashtag} {hashtag}") == [body, body]


@settings(max_examples=100, deadline=None)
@given(st.lists(_SHORT_TAGS, max_size=12), st.none() | st.integers(min_value=0, max_value=8))
def test_make_hashtags_keeps_order_drops_repeats_and_respects_limit(
    tags: list[str], limit: int | None
) -> None:
    hashtags = make_hashtags(tags, limit=limit)
    assert len(hashtags) == len(set(hashtags))
    if limit is not None:
        assert len(hashtags) <= limit
    singles = [h for h in map(make_hashtag, tags) if h is not None]
    assert all(h in singles for h in hashtags)
    assert [singles.index(h) for h in hashtags] == sorted(singles.index(h) for h in hashtags)
