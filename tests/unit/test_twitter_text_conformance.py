"""twitter-text's own conformance data, run against our counter and extractors.

The YAML files live in `tests/data/twitter-text/` with their licence
(Apache 2.0) and are never edited. If they are missing, collection fails:
these tests are the proof that a post we count as fitting fits on X.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.text.hashtags import extract_hashtags, extract_hashtags_with_indices
from bot.core.text.tweet_length import (
    extract_urls,
    extract_urls_with_indices,
    is_valid_tweet,
    weighted_length,
)

TWITTER_TEXT = Path(__file__).resolve().parents[1] / "data" / "twitter-text"


def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    path = TWITTER_TEXT / name
    if not path.is_file():
        raise FileNotFoundError(f"twitter-text conformance data missing: {path}")
    tests: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text("utf-8"))["tests"]
    return tests


VALIDATE = _load("validate.yml")
EXTRACT = _load("extract.yml")


def _cases(data: dict[str, list[dict[str, Any]]], *sections: str) -> list[Any]:
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in sections
        for case in data[section]
    ]


V3_CASES = _cases(
    VALIDATE, "WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"
)


def test_conformance_data_is_all_there() -> None:
    assert len(V3_CASES) == 24
    assert len(EXTRACT["hashtags"]) + len(EXTRACT["hashtags_with_indices"]) == 73


@pytest.mark.parametrize("case", V3_CASES)
def test_weighted_length_matches_twitter_text_v3(case: dict[str, Any]) -> None:
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", V3_CASES)
def test_validity_matches_twitter_text_v3(case: dict[str, Any]) -> None:
    assert is_valid_tweet(case["text"]) is case["expected"]["valid"]


@pytest.mark.parametrize("case", _cases(EXTRACT, "hashtags", "hashtags_from_astral"))
def test_hashtags_extracted_as_twitter_text_does(case: dict[str, Any]) -> None:
    assert extract_hashtags(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases(EXTRACT, "hashtags_with_indices"))
def test_hashtag_indices_match_twitter_text(case: dict[str, Any]) -> None:
    found = [
        (tag.hashtag, [tag.start, tag.end]) for tag in extract_hashtags_with_indices(case["text"])
    ]
    assert found == [(tag["hashtag"], tag["indices"]) for tag in case["expected"]]


@pytest.mark.parametrize("case", _cases(EXTRACT, "urls", "tco_urls_with_params"))
def test_urls_extracted_as_twitter_text_does(case: dict[str, Any]) -> None:
    assert extract_urls(case["text"]) == case["expected"]


@pytest.mark.parametrize(
    "case", _cases(EXTRACT, "urls_with_indices", "urls_with_directional_markers")
)
def test_url_indices_match_twitter_text(case: dict[str, Any]) -> None:
    found = [(url.url, [url.start, url.end]) for url in extract_urls_with_indices(case["text"])]
    assert found == [(url["url"], url["indices"]) for url in case["expected"]]
