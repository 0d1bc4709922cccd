"""Per-destination rules: which articles a destination takes, and when it wants none.

A destination's rules live in `destinations.rules` as JSON::

    {"include": {"sections": ["رياضة"], "tags": [], "outlets": [], "words": [], "regex": []},
     "exclude": {"words": ["إعلان"]},
     "quiet_hours": "23:00-07:00"}

An article passes when it matches at least one include rule (or there are
none) and no exclude rule. Sections, tags and outlets compare folded
(`bot.core.text.arabic.fold`), so hamza forms, ta marbuta and diacritics do not
matter; words and phrases are looked for as whole words in the folded title
and summary, with or without the article (ال); regular expressions run on
the raw title and summary through a `Search` that enforces a deadline
(`bot.core.regex_deadline`), and a pattern that times out matches nothing.
Rules are validated when set (`parse_rules`), with an error naming the rule.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from bot.core.model import Article
from bot.core.text.arabic import fold, fold_word_with_article

log = logging.getLogger(__name__)

Search = Callable[[str, str], bool]

FIELDS = ("sections", "tags", "outlets", "words", "regex")
MAX_PATTERN = 300
MAX_VALUES = 100
_WORD = re.compile(r"\w+")


class RuleError(ValueError):
    """A rule cannot be used; the message names it and says what to write instead."""


@dataclass(frozen=True, slots=True)
class Criteria:
    """One side of the rules (include or exclude)."""

    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No rule on this side."""
        return not (self.sections or self.tags or self.outlets or self.words or self.regex)

    def as_dict(self) -> dict[str, list[str]]:
        """The JSON shape, without empty lists."""
        return {name: list(getattr(self, name)) for name in FIELDS if getattr(self, name)}


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window in the newsroom's zone when a destination gets no posts."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def until(self, moment: datetime, zone: tzinfo) -> datetime | None:
        """When the quiet window holding `moment` ends (aware UTC), or None outside it."""
        local = moment.astimezone(zone)
        today = local.date()
        for day in (today - timedelta(days=1), today):
            begins = datetime.combine(day, self.start, zone)
            ends_day = day if self.end > self.start else day + timedelta(days=1)
            ends = datetime.combine(ends_day, self.end, zone)
            if begins <= local < ends:
                return ends.astimezone(moment.tzinfo)
        return None


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything a destination says about what it takes."""

    include: Criteria = field(default_factory=Criteria)
    exclude: Criteria = field(default_factory=Criteria)
    quiet_hours: QuietHours | None = None

    @property
    def filters(self) -> bool:
        """Whether any include or exclude rule is set."""
        return not (self.include.empty and self.exclude.empty)

    def to_json(self) -> str | None:
        """The stored form (None when there is no rule at all)."""
        data: dict[str, Any] = {}
        if not self.include.empty:
            data["include"] = self.include.as_dict()
        if not self.exclude.empty:
            data["exclude"] = self.exclude.as_dict()
        if self.quiet_hours is not None:
            data["quiet_hours"] = str(self.quiet_hours)
        return json.dumps(data, ensure_ascii=False, sort_keys=True) if data else None


NO_RULES = Rules()


def parse_rules(data: Mapping[str, Any] | str | None) -> Rules:
    """Validate rules given as JSON text or a mapping.

    Raises:
        RuleError: Naming the first rule that is wrong and why.
    """
    if data is None or data == "":
        return NO_RULES
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise RuleError(f"rules are not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise RuleError("rules must be a JSON object with include, exclude and quiet_hours")
    unknown = set(data) - {"include", "exclude", "quiet_hours"}
    if unknown:
        raise RuleError(f"unknown rule {sorted(unknown)[0]!r}: use include, exclude or quiet_hours")
    quiet = data.get("quiet_hours")
    return Rules(
        include=_criteria("include", data.get("include")),
        exclude=_criteria("exclude", data.get("exclude")),
        quiet_hours=parse_quiet_hours(quiet) if quiet else None,
    )


def stored_rules(raw: str | None) -> Rules:
    """Rules as stored; a row that no longer validates counts as no rules, loudly."""
    try:
        return parse_rules(raw)
    except RuleError as exc:
        log.error("ignoring stored destination rules %r: %s", raw, exc)
        return NO_RULES


def parse_quiet_hours(text: object) -> QuietHours:
    """Read "HH:MM-HH:MM" (the window may cross midnight)."""
    if not isinstance(text, str) or "-" not in text:
        raise RuleError(f"quiet_hours {text!r}: write it as HH:MM-HH:MM, e.g. 23:00-07:00")
    start, _, end = text.partition("-")
    first, last = _time("quiet_hours", start), _time("quiet_hours", end)
    if first == last:
        raise RuleError(f"quiet_hours {text!r}: start and end are the same time")
    return QuietHours(first, last)


def _time(rule: str, text: str) -> time:
    try:
        parsed = datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise RuleError(f"{rule}: {text.strip()!r} is not a time like 23:00") from None
    return parsed.time()


def _criteria(side: str, data: object) -> Criteria:
    if data is None:
        return Criteria()
    if not isinstance(data, Mapping):
        raise RuleError(f'{side} must be an object such as {{"tags": ["اليمن"]}}')
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise RuleError(f"unknown rule {side}.{sorted(unknown)[0]}: use one of {', '.join(FIELDS)}")
    values = {name: _values(f"{side}.{name}", data.get(name)) for name in FIELDS}
    for pattern in values["regex"]:
        _check_pattern(f"{side}.regex", pattern)
    for name in ("sections", "tags", "outlets", "words"):
        for value in values[name]:
            if not fold(value).strip():
                raise RuleError(f"{side}.{name}: {value!r} has no letters or digits")
    return Criteria(**values)


def _values(rule: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{rule} must be a list of texts")
    cleaned = tuple(v.strip() for v in value if v.strip())
    if len(cleaned) > MAX_VALUES:
        raise RuleError(f"{rule}: at most {MAX_VALUES} values")
    return cleaned


def _check_pattern(rule: str, pattern: str) -> None:
    if len(pattern) > MAX_PATTERN:
        raise RuleError(f"{rule}: pattern longer than {MAX_PATTERN} characters")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{rule}: {pattern!r} is not a valid regular expression: {exc}") from None


def admits(rules: Rules, article: Article, search: Search) -> bool:
    """Whether a destination with `rules` takes `article`.

    `search(pattern, text)` runs one regular expression; it may raise (a
    timeout), and a pattern that fails that way matches nothing.
    """
    if not rules.filters:
        return True
    if not rules.include.empty and not _matches(rules.include, article, search):
        return False
    return rules.exclude.empty or not _matches(rules.exclude, article, search)


def _matches(criteria: Criteria, article: Article, search: Search) -> bool:
    if article.section and _folded_in(article.section, criteria.sections):
        return True
    if article.outlet and _folded_in(article.outlet, criteria.outlets):
        return True
    if any(_folded_in(tag, criteria.tags) for tag in article.tags):
        return True
    text = f"{article.title}\n{article.summary or ''}"
    if criteria.words:
        tokens = _tokens(text)
        if any(_has_phrase(tokens, _tokens(word)) for word in criteria.words):
            return True
    for pattern in criteria.regex:
        try:
            if search(pattern, text):
                return True
        except Exception as exc:  # a timeout or a broken worker: the rule does not match
            log.warning("filter pattern %r skipped for article %d: %s", pattern, article.id, exc)
    return False


def _folded_in(value: str, choices: Iterable[str]) -> bool:
    key = fold(value).strip()
    return any(fold(choice).strip() == key for choice in choices)


def _tokens(text: str) -> list[str]:
    return [fold_word_with_article(word) for word in _WORD.findall(fold(text))]


def _has_phrase(tokens: list[str], phrase: list[str]) -> bool:
    if not phrase:
        return False
    size = len(phrase)
    return any(tokens[i : i + size] == phrase for i in range(len(tokens) - size + 1))


def local_search(pattern: str, text: str) -> bool:
    """An in-process search without a deadline: for tests and trusted patterns only."""
    return re.search(pattern, text, re.IGNORECASE) is not None
