"""Tag matching forgives Arabic spelling variants and suggests the closest tags."""

from __future__ import annotations

import pytest

from bot.adapters.storage.subscribers import Tag
from bot.core.tag_match import match_tag, tag_key

TAGS = [
    Tag(1, "اليمن"),
    Tag(2, "الأمم المتحدة"),
    Tag(3, "صنعاء"),
    Tag(4, "الاقتصاد"),
    Tag(5, "مستشفى"),
]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("يمن", 1),
        ("اليَمَن", 1),
        ("الامم المتحده", 2),
        ("إمم متحدة", 2),
        ("آلأمم المتحدة", 2),
        ("#الأمم_المتحدة", 2),
        ("صنعاء", 3),
        ("صنعـــاء", 3),
        ("الإقتصاد", 4),
        ("اقتصاد", 4),
        ("مستشفي", 5),
    ],
)
def test_spelling_variants_find_the_tag(typed: str, expected: int) -> None:
    found = match_tag(typed, TAGS).found
    assert found is not None
    assert found.id == expected


def test_nothing_close_gives_no_suggestion() -> None:
    result = match_tag("كرة القدم", TAGS)
    assert result.found is None
    assert result.suggestions == ()


def test_a_near_miss_suggests_the_closest_tags() -> None:
    result = match_tag("صنعا", TAGS)
    assert result.found is None
    assert [t.id for t in result.suggestions] == [3]
    assert [t.id for t in match_tag("الأمم", TAGS).suggestions] == [2]


def test_empty_input_matches_nothing() -> None:
    assert match_tag("   ", TAGS).found is None
    assert tag_key("#") == ""
