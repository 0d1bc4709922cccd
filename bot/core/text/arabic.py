"""Arabic-aware text primitives: clean text for display, fold it for comparison.

Two jobs that must never be confused:

* `normalize_text` produces text a reader sees. It only removes what is
  invisible or harmful (HTML entities, zero-width and bidi control characters,
  odd whitespace) and leaves every letter, diacritic and tatweel as the outlet
  wrote it, because changing spelling in a headline is editing the news.
* `fold` produces a key that two spellings of the same word share: hamza and
  alef forms, taa marbuta, alef maqsura, diacritics, tatweel, digits and Latin
  case all vary between outlets for the same name, and dedup or tag matching
  must see through that. A folded string is never shown to anyone.

Pages of this site arrive as UTF-8 or windows-1256 and are often pasted from
word processors, so stray marks (ZWJ, RLM, BOM, NBSP, soft hyphens) are common.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Final

TATWEEL: Final = "\u0640"
ZWNJ: Final = "\u200c"

# Invisible characters with no meaning in display text. ZWNJ is not here: Persian
# and Urdu spell words with it, so `_drop_stray_zwnj` keeps it between letters.
_INVISIBLE: Final = re.compile(
    "[\u200b\u200d\ufeff\u2060\u00ad"  # zero-width space/joiner, BOM, word joiner, soft hyphen
    "\u200e\u200f\u061c"  # LRM, RLM, Arabic letter mark
    "\u202a-\u202e\u2066-\u2069]"  # embeddings, overrides and isolates
)
_ZWNJ_RUN: Final = re.compile(ZWNJ + "+")
_SPACE_RUN: Final = re.compile(r"\s+")
_LINE_BREAK: Final = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x1c-\x1e\x85]")

# Harakat and Quranic annotation marks: U+0610-U+061A (honorific signs), U+064B-U+065F
# (tanween, harakat, shadda, sukun, hamza marks), U+0670 (superscript alef),
# U+06D6-U+06ED (Quranic small letters and stops), U+08D3-U+08FF (extended marks).
_DIACRITICS: Final = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff]")

_ARABIC_INDIC: Final = "٠١٢٣٤٥٦٧٨٩"
_EASTERN_ARABIC_INDIC: Final = "۰۱۲۳۴۵۶۷۸۹"
_TO_ASCII_DIGITS: Final = str.maketrans(_ARABIC_INDIC + _EASTERN_ARABIC_INDIC, "0123456789" * 2)
_TO_ARABIC_DIGITS: Final = str.maketrans("0123456789", _ARABIC_INDIC)

# Letter variants that outlets use interchangeably for the same word. Persian yeh
# and keheh are included because text typed on Persian keyboards uses them for
# Arabic yaa and kaf, and the two render almost identically.
_LETTER_FOLDS: Final = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ؤ": "و",
        "ئ": "ي",
        ZWNJ: None,
    }
)

# A number as counters print it: digits in any of the three scripts, optionally
# grouped by thousands with a comma, the Arabic thousands separator or an Arabic comma.
_DIGIT: Final = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_COUNT: Final = re.compile(f"{_DIGIT}+(?:[,\u066c\u060c]{_DIGIT}{{3}}(?!{_DIGIT}))*")

# Article forms stripped by `fold_word_with_article`, longest first, with the
# shortest remainder (in letters) that still leaves a plausible word behind.
_ARTICLE_PREFIXES: Final = (
    ("وال", 3),
    ("بال", 3),
    ("فال", 3),
    ("كال", 3),
    ("لل", 3),
    ("ال", 2),
)


def is_arabic_letter(ch: str) -> bool:
    """Tell whether `ch` is one letter of the Arabic script (any Arabic block).

    Tatweel is excluded: it is a stretching mark that Unicode files as a letter,
    but no word needs it.
    """
    if len(ch) != 1 or ch == TATWEEL or not unicodedata.category(ch).startswith("L"):
        return False
    code = ord(ch)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def strip_tatweel(text: str) -> str:
    """Remove tatweel (U+0640), which stretches a word on screen without changing it."""
    return text.replace(TATWEEL, "")


def strip_diacritics(text: str) -> str:
    """Remove Arabic harakat and Quranic marks, which most outlets omit or use unevenly."""
    return _DIACRITICS.sub("", text)


def to_ascii_digits(text: str) -> str:
    """Turn Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits into ASCII ones."""
    return text.translate(_TO_ASCII_DIGITS)


def to_arabic_digits(text: str) -> str:
    """Turn ASCII digits into Arabic-Indic ones, for numbers shown in Arabic UI text."""
    return text.translate(_TO_ARABIC_DIGITS)


def parse_count(text: str) -> int | None:
    """Read the first number of a counter such as "1,962 قراءة" or "١٬٩٦٢".

    The site prints counts in ASCII or Arabic-Indic digits, with or without a
    thousands separator; a separator counts only when exactly three digits
    follow it, so "3،4" in a list stays two numbers.

    Returns:
        The number, or None when the text holds no digit at all.
    """
    match = _COUNT.search(text)
    if match is None:
        return None
    digits = re.sub("[,\u066c\u060c]", "", match.group())
    return int(to_ascii_digits(digits))


def _drop_stray_zwnj(text: str) -> str:
    """Keep a ZWNJ only where it separates two letters, as Persian spelling uses it."""

    def keep_if_between_letters(match: re.Match[str]) -> str:
        start, end = match.span()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if _is_letter_or_mark(before) and _is_letter_or_mark(after):
            return ZWNJ
        return ""

    if ZWNJ not in text:
        return text
    return _ZWNJ_RUN.sub(keep_if_between_letters, text)


def _is_letter_or_mark(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch)[0] in "LM"


def normalize_text(text: str, *, keep_newlines: bool = False) -> str:
    """Clean text for display without changing a single letter.

    Decodes HTML entities (the site double-escapes some titles), applies NFC,
    removes zero-width characters and bidi controls that make copied text
    misbehave in Telegram and X, and collapses every kind of whitespace
    (NBSP, en/em spaces, tabs) to one ASCII space.

    Args:
        text: Raw text, possibly with entities and invisible characters.
        keep_newlines: Keep line structure: spaces collapse within each line,
            and any run of line breaks (blank lines included) becomes one line break.

    Returns:
        The cleaned, stripped text.
    """
    text = html.unescape(text)
    text = _INVISIBLE.sub("", text)
    text = _drop_stray_zwnj(text)
    text = unicodedata.normalize("NFC", text)
    if not keep_newlines:
        return _SPACE_RUN.sub(" ", text).strip()
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in _LINE_BREAK.split(text))
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Build the comparison key two spellings of the same text share.

    On top of `normalize_text`: NFKC (so Arabic presentation forms from legacy
    encodings become plain letters), no tatweel, diacritics or ZWNJ, one form
    of alef, taa marbuta as haa, alef maqsura and hamza-on-yaa as yaa,
    hamza-on-waw as waw, ASCII digits and case-folded Latin.
    """
    text = unicodedata.normalize("NFKC", normalize_text(text))
    text = strip_diacritics(strip_tatweel(text))
    text = text.translate(_LETTER_FOLDS)
    return to_ascii_digits(text).casefold()


def fold_word_with_article(word: str) -> str:
    """Fold a word and drop a leading definite article, so "الأسد" matches "أسد".

    Tags and topics are written with or without the article, and with a
    particle glued in front of it. Stripped, longest first: "وال", "بال",
    "فال", "كال" and "لل" (لـ + الـ) when at least three letters remain, and
    "ال" when at least two remain. The minimums keep short words that merely
    begin with these letters ("والد", "بالغ", "الى") intact; a word such as
    "والدتي" can still lose a false prefix, an accepted cost for tag matching.
    """
    folded = fold(word)
    for prefix, min_rest in _ARTICLE_PREFIXES:
        if folded.startswith(prefix) and len(folded) - len(prefix) >= min_rest:
            return folded[len(prefix) :]
    return folded
