"""Arabic-aware sentence splitting, boilerplate removal and lead summaries.

A post's summary is the article's lead: the first sentences that fit the
platform's budget. News writing puts the essentials first (the seed story's
first sentence is who, what and where), the lead never reorders or
misattributes what the outlet wrote, and no extractive ranking has been
shown to pick better sentences on this site's stories, so the lead is all
there is. The hard part is knowing where an Arabic sentence ends: the
site's headlines use ".." and "..." as pauses, bodies carry decimals (3.5,
٣٫٥), dates (12.10.2024), abbreviations (د. for doctor, U.S.) and quoted
speech, and pages mix credit and follow-us lines into the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.core.text.arabic import fold, is_arabic_letter, normalize_text

ELLIPSIS = "…"

_TERMINATORS = frozenset(".?!؟؛…")
_CLOSERS = frozenset(")]}»”’\"'")
_QUOTE_PAIRS = {"«": "»", "“": "”", "‹": "›"}
_STRAIGHT_QUOTES = frozenset('"')
_WORD_PUNCT_TAIL = " \t،,:;؛-–—(«“\"'"

# Abbreviations that take a period without ending a sentence, compared after
# `fold` (so "أ" and "ا" are one entry) and without their dots ("U.S" keeps its
# inner dot). Single letters are handled by rule: they are initials.
_ABBREVIATIONS = frozenset(
    {
        # Arabic: doctor, engineer, professor, page, number, hijri/gregorian year...
        "د",
        "م",
        "ا",
        "ا.د",
        "ص",
        "ج",
        "ق",
        "ق.م",
        "ص.ب",
        "هـ",
        "ه",
        "ت",
        "س",
        "ش",
        # English titles and common short forms.
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "gen",
        "gov",
        "sen",
        "rep",
        "lt",
        "col",
        "capt",
        "sgt",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    }
)
# After a number, "م." is the Gregorian era and "هـ." the Hijri one: the year
# ends the sentence ("عام 2024 م. وقال...") instead of introducing a name.
_ERA_MARKERS = frozenset({"م", "هـ", "ه"})
# One-letter words Arabic writes glued to the next word: and, so, with, for.
_PROCLITICS = frozenset("وفبل")

_BOILERPLATE_MAX_WORDS = 14
_SOURCE_RE = re.compile(r"^(?:ال)?مصدر\b|^(?:ال)?مصادر\s*[:：]")
_FOLLOW_RE = re.compile(
    r"^(?:تابعنا|تابعونا|تابعوا|تابع|follow us)\b|(?:تابعنا|تابعونا)\s+(?:علي|عبر|في)\b"
)
_READ_ALSO_RE = re.compile(r"(?:اقرا|شاهد|طالع)\s*ايضا|read also\b|see also\b")
_COPYRIGHT_RE = re.compile(r"©|جميع الحقوق محفوظه|حقوق النشر محفوظه|all rights reserved")
_GOOGLE_NEWS_RE = re.compile(r"google\s*news|جوجل\s*نيوز|قوقل\s*نيوز|غوغل\s*نيوز")
_CREDIT_WORDS = ("متابعات", "وكالات")
_HEADERS = frozenset({"الوسوم", "وسوم", "الكلمات المفتاحيه", "tags"})


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences, keeping each one's closing punctuation.

    Line breaks always end a sentence. A terminator (. ? ! ؟ ؛ …) ends one
    only when it stands outside quotes and is followed by a space, the end of
    the text, or an Arabic letter (Arabic typists often omit the space).
    What stays inside: decimals and dates (the next character is a digit),
    abbreviations and initials, "1." list numbers, ".." which the site's
    headlines use as a pause, and any dot run or "…" glued to the next word
    ("الجميع...هؤلاء"), which is a pause too.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        sentences.extend(_split_line(line))
    return sentences


def _split_line(line: str) -> list[str]:
    quoted = _quoted_positions(line)
    sentences: list[str] = []
    start = 0
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch not in _TERMINATORS or i in quoted:
            i += 1
            continue
        run_end = i
        while run_end < n and line[run_end] in _TERMINATORS:
            run_end += 1
        end = run_end
        while end < n and line[end] in _CLOSERS:
            end += 1
        if _ends_sentence(line, start, i, run_end, end):
            piece = line[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
        i = max(end, i + 1)
    tail = line[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _ends_sentence(line: str, start: int, run_start: int, run_end: int, end: int) -> bool:
    """Decide whether the terminator run `line[run_start:run_end]` ends a sentence."""
    run = line[run_start:run_end]
    nxt = line[end] if end < len(line) else None
    if nxt is not None and not (nxt.isspace() or is_arabic_letter(nxt) or nxt in "«“\"'("):
        return False
    if set(run) == {"."}:
        if len(run) == 2:
            return False
        if len(run) > 2:
            return nxt is None or nxt.isspace()
        word = _word_before(line, run_start)
        if not word:
            return True
        if word.isdigit() and not line[start:run_start].strip()[: -len(word)].strip():
            return False  # "1." numbering a list item
        return not _is_abbreviation(line, run_start, word)
    if run == ELLIPSIS:
        return nxt is None or nxt.isspace()
    return True


def _word_before(line: str, index: int) -> str:
    j = index
    while j > 0 and not line[j - 1].isspace() and line[j - 1] not in "«“\"'(":
        j -= 1
    return line[j:index]


def _is_abbreviation(line: str, dot: int, word: str) -> bool:
    key = fold(word).lower().strip(".")
    if key in _ERA_MARKERS:
        before = line[: dot - len(word)].split()
        if before and before[-1].isdigit():
            return False
    if key in _ABBREVIATIONS:
        return True
    letters = key.replace(".", "")
    if len(letters) == 2 and letters[0] in _PROCLITICS:
        letters = letters[1:]  # "وأ." is "and Prof."
    if len(letters) == 1 and letters.isalpha():
        return True  # an initial: "J. K." or "أ. محمد"
    return "." in key and all(len(part) <= 2 for part in key.split("."))


def _quoted_positions(line: str) -> set[int]:
    """Positions inside a closed quotation; an unclosed quote protects nothing."""
    inside: set[int] = set()
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        closer = _QUOTE_PAIRS.get(ch)
        if closer is None and ch in _STRAIGHT_QUOTES:
            closer = ch
        if closer is not None:
            close_at = line.find(closer, i + 1)
            if close_at != -1:
                inside.update(range(i + 1, close_at))
                i = close_at + 1
                continue
        i += 1
    return inside


def is_boilerplate(paragraph: str) -> bool:
    """Tell whether a paragraph is page furniture rather than the story.

    Article pages mix credit lines ("المصدر: وكالات", "مساحة نت ـ
    متابعات"), follow-us prompts, "اقرأ أيضا" blocks, copyright notices and
    Google News prompts into the body; none of them belongs in a summary.
    Credit and follow-us rules apply to short lines only, so a news sentence
    that starts with "المصدر" ("المصدر الأمني قال...") is kept.
    """
    text = fold(normalize_text(paragraph)).lower()
    if not text:
        return False
    if text.rstrip(" :") in _HEADERS:
        return True
    words = text.split()
    short = len(words) <= _BOILERPLATE_MAX_WORDS
    if _READ_ALSO_RE.match(text) or _COPYRIGHT_RE.search(text) or _GOOGLE_NEWS_RE.search(text):
        return True
    if short and _SOURCE_RE.search(text) and (len(words) <= 4 or ":" in text):
        return True
    if short and _FOLLOW_RE.search(text):
        return True
    return len(words) <= 5 and any(word in text for word in _CREDIT_WORDS)


def clean_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Normalise paragraphs and drop page furniture, keeping the story's order.

    A "اقرأ أيضا" marker inside a paragraph cuts it: what follows is another
    article's headline that the page glued to this one.
    """
    cleaned: list[str] = []
    for paragraph in paragraphs:
        text = normalize_text(paragraph)
        cut = _read_also_offset(text)
        if cut is not None:
            text = text[:cut].rstrip(" :-–—،,")
        if text and not is_boilerplate(text):
            cleaned.append(text)
    return cleaned


def _read_also_offset(text: str) -> int | None:
    """Where a "اقرأ أيضا" marker starts in `text`, if anywhere.

    `fold` may change lengths, so the search walks word starts in the
    original text and folds a short window from each.
    """
    for match in re.finditer(r"\S+", text):
        window = fold(text[match.start() : match.start() + 24]).lower()
        if _READ_ALSO_RE.match(window):
            return match.start()
    return None


def lead_summary(text: str, budget: int, *, measure: Callable[[str], int] = len) -> str:
    """Return the article's lead sentences that fit `budget` as `measure` counts.

    Whole sentences are preferred; when not even the first one fits, it is cut
    on a word boundary and ends with "…", which is measured too (it weighs 2
    on X). Words are never split: if the budget cannot hold one word and "…",
    the result is "".
    """
    if budget <= 0:
        return ""
    paragraphs = clean_paragraphs(text.splitlines())
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    if not sentences:
        return ""
    chosen = ""
    for sentence in sentences:
        candidate = f"{chosen} {sentence}" if chosen else sentence
        if measure(candidate) > budget:
            break
        chosen = candidate
    if chosen:
        return chosen
    return cut_words(sentences[0], budget, measure=measure)


def shorten(text: str, budget: int) -> str:
    """Fit `text` to `budget` characters: on a word boundary, mid-word only if it must."""
    return cut_words(text, budget) or text[: budget - 1] + ELLIPSIS


def cut_words(text: str, budget: int, *, measure: Callable[[str], int] = len) -> str:
    """Cut `text` on a word boundary so that it plus "…" fits `budget`.

    Returns `text` unchanged when it already fits, and "" when not even its
    first word fits with the ellipsis. Trailing commas and colons are dropped
    before the ellipsis so the cut reads as a pause, not a typo.
    """
    if measure(text) <= budget:
        return text
    words = text.split()
    best = ""
    prefix = ""
    for word in words:
        prefix = f"{prefix} {word}" if prefix else word
        candidate = prefix.rstrip(_WORD_PUNCT_TAIL) + ELLIPSIS
        if candidate == ELLIPSIS:
            continue
        if measure(candidate) > budget:
            break
        best = candidate
    return best
