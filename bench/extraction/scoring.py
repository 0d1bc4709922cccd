"""How an extraction is scored against an annotated page.

The body is scored as scrapinghub/article-extraction-benchmark scores it:
word 4-gram shingles of the extracted and the annotated text, counted as
true positives, false positives and false negatives, normalised per page so
a long article weighs no more than a short one; precision and recall are
means over pages and F1 is taken from the two means. Title, author and date
are compared after folding case, punctuation and spacing.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Shingles:
    """One page's body score: shares of true positives, false positives, false negatives."""

    tp: float
    fp: float
    fn: float


def tokens(text: str) -> list[str]:
    """The words of a text, as the shingle score sees them."""
    return _TOKEN.findall(text or "")


def shingle_match(true: str, pred: str, n: int = 4) -> Shingles:
    """Compare two texts by their word n-grams (scrapinghub's `string_shingle_matching`)."""
    true_counts = _shingles(true, n)
    pred_counts = _shingles(pred, n)
    tp = fp = fn = 0.0
    for key in set(true_counts) | set(pred_counts):
        t, p = true_counts.get(key, 0), pred_counts.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return Shingles(tp, fp, fn)


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


def precision(s: Shingles) -> float:
    """Share of the extracted shingles that are annotated body."""
    if s.fp == s.fn == 0:
        return 1.0
    if s.tp == s.fp == 0:
        return 0.0
    return s.tp / (s.tp + s.fp)


def recall(s: Shingles) -> float:
    """Share of the annotated body's shingles that were extracted."""
    if s.fp == s.fn == 0:
        return 1.0
    if s.tp == s.fn == 0:
        return 0.0
    return s.tp / (s.tp + s.fn)


def fold(text: str | None) -> str:
    """Text for comparison: NFKC, case-folded, words only, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(tokens(text))


def same_title(truth: str, found: str | None) -> bool:
    """The extracted title is the annotated one, give or take case and punctuation."""
    return bool(found) and fold(truth) == fold(found)


def same_author(truth: str, found: str | None) -> bool:
    """Every annotated author name is in the extracted author line, or the other way round."""
    a, b = fold(truth), fold(found)
    return bool(a and b) and (a in b or b in a)


@dataclass(slots=True)
class Tally:
    """Scores of one extractor over a set of pages."""

    bodies: list[Shingles] = field(default_factory=list)
    empty: int = 0
    none_found: int = 0
    exceptions: int = 0
    seconds: float = 0.0
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)

    def count(self, name: str, ok: bool) -> None:
        """One page's verdict on a field it was annotated for."""
        self.totals[name] += 1
        self.counts[name] += int(ok)

    def share(self, name: str) -> float | None:
        """Share of annotated pages where the field was right, or None if none were annotated."""
        total = self.totals[name]
        return self.counts[name] / total if total else None

    def body(self) -> tuple[float, float, float]:
        """Mean precision, mean recall and the F1 of those means."""
        if not self.bodies:
            return 0.0, 0.0, 0.0
        p = statistics.mean(precision(s) for s in self.bodies)
        r = statistics.mean(recall(s) for s in self.bodies)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)
