"""The read counter: a short text "N قراءة" (ASCII or Arabic-Indic digits).

The site shows one under the article's headline and one on each row of the
most-read block; "1.5 ألف قراءة" and "عدد القراءات: 1,234" are the same kind.
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborNode

from bot.adapters.sources.page_tree import ElementTexts
from bot.core.text.arabic import parse_count, to_ascii_digits

_DIGIT: Final = "0-9\u0660-\u0669\u06f0-\u06f9"
COUNTER = re.compile(
    rf"(?P<n>[{_DIGIT}](?:[{_DIGIT},.\u060c\u066b\u066c]*[{_DIGIT}])?)\s*(?P<k>[اأ]لف\s*)?"
    r"(?:قراءة|قراءات|قراءه|مشاهدة|مشاهدات|مشاهده)"
    rf"|(?:عدد القراءات|القراءات|المشاهدات)\s*[:：]?\s*(?P<n2>[{_DIGIT}][{_DIGIT},\u060c\u066c]*)"
)
_COUNTER_MAX_CHARS: Final = 60


def find_counters(texts: ElementTexts) -> list[LexborNode]:
    """The page's counters, innermost, in document order; a long text only mentions reads."""
    return texts.minimal(lambda text: bool(COUNTER.search(text)), _COUNTER_MAX_CHARS)


def count(match: re.Match[str]) -> int | None:
    """The number a counter match shows; "1.5 ألف" is a thousand and a half."""
    number = match.group("n") or match.group("n2") or ""
    if match.group("k"):
        try:
            value = float(to_ascii_digits(number).replace("\u066b", ".").replace(",", "."))
        except ValueError:
            return parse_count(number)
        return round(value * 1000)
    return parse_count(number.replace(".", ","))
