"""Per-destination rules: validated when set, Arabic-normalised, regexes under a deadline."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.filters import RuleError, admits, local_search, parse_rules
from bot.core.model import Article
from bot.core.regex_deadline import RegexTimeout, RegexWorker

ADEN = ZoneInfo("Asia/Aden")


def article(title: str = "خبر", **fields: object) -> Article:
    return Article(id=1, url="https://example.com/a/1", title=title, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"includes": {}}, "unknown rule 'includes'"),
        ({"include": {"tag": ["اليمن"]}}, "unknown rule include.tag"),
        ({"include": {"tags": "اليمن", "words": [3]}}, "include.words must be a list of texts"),
        ({"exclude": {"regex": ["(unclosed"]}}, "exclude.regex: '(unclosed' is not a valid"),
        ({"quiet_hours": "11pm-7am"}, "quiet_hours: '11pm' is not a time like 23:00"),
        ({"quiet_hours": "07:00-07:00"}, "start and end are the same time"),
    ],
)
def test_bad_rules_are_refused_with_an_error_naming_the_rule(rules: object, message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("(", r"\(")):
        parse_rules(rules)  # type: ignore[arg-type]


def test_rules_round_trip_through_their_stored_json() -> None:
    rules = parse_rules(
        {
            "include": {"tags": "اليمن"},
            "exclude": {"words": ["إعلان"]},
            "quiet_hours": "23:00-07:00",
        }
    )
    assert parse_rules(rules.to_json()) == rules
    assert parse_rules(None).to_json() is None


def test_include_takes_only_matching_articles_whatever_the_spelling() -> None:
    rules = parse_rules({"include": {"sections": ["رياضة"], "tags": ["الأمم المتحدة"]}})
    assert admits(rules, article(section="رياضه"), local_search)
    assert admits(rules, article(tags=("الامم المتحدة",)), local_search)
    assert not admits(rules, article(section="اقتصاد", tags=("اليمن",)), local_search)


def test_exclude_wins_over_include() -> None:
    rules = parse_rules({"include": {"outlets": ["مساحة نت"]}, "exclude": {"words": ["إعلان"]}})
    assert admits(rules, article("افتتاح مشروع", outlet="مساحة نت"), local_search)
    assert not admits(rules, article("اعلان: افتتاح مشروع", outlet="مساحة نت"), local_search)


def test_words_match_whole_words_with_or_without_the_article() -> None:
    rules = parse_rules({"include": {"words": ["الحديدة", "ميناء عدن"]}})
    assert admits(rules, article("قصف على حديدة"), local_search)
    assert admits(rules, article("خبر", summary="وصول سفينة إلى ميناء عدن"), local_search)
    assert not admits(rules, article("الحديديون يحتفلون"), local_search)
    assert not admits(rules, article("عدن والميناء"), local_search)


def test_regex_rules_match_the_title_and_summary() -> None:
    rules = parse_rules({"exclude": {"regex": [r"^\s*فيديو"]}})
    assert not admits(rules, article("فيديو: لحظة الانفجار"), local_search)
    assert admits(rules, article("لحظة الانفجار بالفيديو"), local_search)


def test_a_regex_that_times_out_matches_nothing_and_does_not_stall() -> None:
    rules = parse_rules({"include": {"regex": [r"(a+)+$"]}})

    def slow(pattern: str, text: str) -> bool:
        raise RegexTimeout(pattern)

    assert not admits(rules, article("a" * 40 + "!"), slow)


def test_the_regex_worker_kills_a_runaway_pattern_and_keeps_working() -> None:
    worker = RegexWorker(deadline=0.5)
    try:
        assert worker.search(r"غز+ة", "أخبار غزة اليوم")
        started = datetime.now(UTC)
        with pytest.raises(RegexTimeout):
            worker.search(r"(a+)+$", "a" * 64 + "!")
        assert (datetime.now(UTC) - started).total_seconds() < 5
        assert not worker.search(r"غزة", "أخبار عدن")
    finally:
        worker.close()


def test_quiet_hours_across_midnight_end_in_the_morning() -> None:
    quiet = parse_rules({"quiet_hours": "23:00-07:00"}).quiet_hours
    assert quiet is not None
    # 23:30 Aden is 20:30 UTC; the window ends 07:00 Aden = 04:00 UTC next day
    until = quiet.until(datetime(2026, 3, 1, 20, 30, tzinfo=UTC), ADEN)
    assert until == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert quiet.until(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), ADEN) is None
