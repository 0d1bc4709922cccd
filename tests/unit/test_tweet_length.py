"""What X counts: our posts' weighted length, in the cases the bot actually meets."""

from __future__ import annotations

import pytest

from bot.core.text.tweet_length import (
    MAX_WEIGHTED_LENGTH,
    URL_WEIGHT,
    extract_urls,
    is_valid_tweet,
    weighted_length,
)

TITLE = "تفاصيل إنقاذ روسيا لبشار الأسد في اللحظات الأخيرة.. هذا ما حدث"
ARTICLE_URL = "https://example.com/mobile/article/123456"


def test_limits_are_those_of_x() -> None:
    assert MAX_WEIGHTED_LENGTH == 280
    assert URL_WEIGHT == 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("سوريا", 5),
        ("٦٤٩ قراءة", 9),
        ("بِسْمِ", 6),  # each diacritic is a code point of weight 1
        ("ـحلبـ", 5),
        ("سوريا، دمشق؟", 12),
        ("Damascus", 8),
        ("“اقتباس” — مصدر", 15),  # general punctuation is in the weight-1 ranges
        ("故人", 4),
        ("…", 2),  # U+2026 lies outside the weight-1 ranges
    ],
)
def test_arabic_latin_and_punctuation_weigh_one_cjk_two(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_title_weighs_its_length_in_code_points() -> None:
    assert weighted_length(TITLE) == len(TITLE)


@pytest.mark.parametrize(
    "url",
    [
        ARTICLE_URL,
        "http://example.com",
        "https://example.com/" + "a" * 300,
        "https://www.example.co.uk/path?utm_source=x&utm_medium=telegram",
    ],
)
def test_any_url_counts_twenty_three(url: str) -> None:
    assert weighted_length(url) == URL_WEIGHT
    assert weighted_length(f"اقرأ: {url}") == len("اقرأ: ") + URL_WEIGHT


def test_bare_domain_counts_as_url() -> None:
    assert weighted_length("المصدر example.com") == len("المصدر ") + URL_WEIGHT


def test_post_with_title_link_and_hashtags_weighs_text_plus_23() -> None:
    tags = "#بشار_الأسد #سوريا #دمشق"
    post = f"{TITLE}\n\n{ARTICLE_URL}\n{tags}"
    assert weighted_length(post) == len(TITLE) + 2 + URL_WEIGHT + 1 + len(tags)


def test_arabic_path_ends_the_link_so_paths_must_be_percent_encoded() -> None:
    assert extract_urls("https://example.com/مقال") == ["https://example.com/"]
    assert weighted_length("https://example.com/مقال") == URL_WEIGHT + 4
    encoded = "https://example.com/%D9%85%D9%82%D8%A7%D9%84"
    assert weighted_length(encoded) == URL_WEIGHT


def test_arabic_domain_without_protocol_is_plain_text() -> None:
    assert extract_urls("موقع.com") == []
    assert weighted_length("موقع.com") == 8


def test_unknown_tld_is_plain_text() -> None:
    assert weighted_length("file.bz2") == 8


def test_sentence_ending_in_a_period_is_not_a_url() -> None:
    text = "قال المتحدث.وأضاف"
    assert extract_urls(text) == []
    assert weighted_length(text) == len(text)


@pytest.mark.parametrize(
    "emoji",
    [
        "🔴",
        "📰",
        "👍🏽",
        "👨‍👩‍👧‍👦",
        "🧑🏽‍🤝‍🧑🏻",
        "🏳️‍🌈",
        "❤️",
        "❤️‍🔥",
        "🇾🇪",
        "🇸🇾",
        "1️⃣",
        "#️⃣",
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
        "©️",
        "☺",
    ],
)
def test_each_emoji_sequence_counts_two(emoji: str) -> None:
    assert weighted_length(emoji) == 2
    assert weighted_length(f"🔴 عاجل {emoji}") == 2 + 6 + 2


def test_emoji_beside_arabic_without_space_still_counts_two() -> None:
    assert weighted_length("عاجل🔴") == 6


def test_text_presentation_selector_makes_symbol_plain_text() -> None:
    assert weighted_length("☺\ufe0e") == 4  # ☺ and the selector, 2 each


def test_copyright_sign_is_text_unless_asked_to_be_emoji() -> None:
    assert weighted_length("©") == 1
    assert weighted_length("©\ufe0f") == 2


def test_digits_are_not_emoji_without_keycap() -> None:
    assert weighted_length("#1 2024") == 7


def test_zwnj_and_zwj_between_letters_weigh_one() -> None:
    assert weighted_length("می\u200cخواهم") == 8
    assert weighted_length("ب\u200dب") == 3


def test_text_is_nfc_normalized_before_counting() -> None:
    assert weighted_length("Cafe\u0301") == 4


def test_emoji_data_covers_every_rgi_emoji() -> None:
    emoji = pytest.importorskip("emoji")
    bare_text_symbols = {"\u00a9", "\u00ae"}  # ©/® are emoji only with VS16
    for sequence in emoji.EMOJI_DATA:
        if sequence not in bare_text_symbols:
            assert weighted_length(sequence) == 2, ascii(sequence)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("", False),
        ("   \n\t", False),
        ("س" * 280, True),
        ("س" * 281, False),
        ("故" * 140, True),
        ("故" * 141, False),
        ("🔴" * 140, True),
        ("🔴" * 141, False),
        ("س" * 257 + " " + ARTICLE_URL, False),
        ("س" * 256 + " " + ARTICLE_URL, True),
        ("خبر\ufeff", False),
        ("خبر\uffff", False),
        ("\u202bخبر\u202c", True),  # X accepts bidi embeddings
    ],
)
def test_valid_tweet_has_text_fits_280_and_no_forbidden_character(text: str, valid: bool) -> None:
    assert is_valid_tweet(text) is valid


@pytest.mark.parametrize(
    "garbage",
    ["a." * 2000, "ا." * 2000, "a-" * 2000 + ".com", "x" * 5000 + ".com", "#a" * 2000],
)
def test_pathological_runs_are_counted_without_hanging(garbage: str) -> None:
    assert weighted_length(garbage) >= 23
