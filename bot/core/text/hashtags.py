"""Hashtags from article tags that both X and Telegram link whole.

The site's tags are free text: names with spaces ("بشار الأسد"), hyphens
("كوفيد-19"), tatweel ("ـحلبـ"), diacritics, stray entities. A hashtag that
either platform cuts short links the wrong topic, so `make_hashtag` keeps only
what both accept: letters, decimal digits, "_" and ZWNJ between letters.

Telegram (tdlib's `match_hashtags`): letters, decimal digits, "_" and ZWNJ,
at least one letter, at most 256 code points; a combining mark or ZWJ ends
the hashtag, which is why diacritics are dropped rather than kept.

X (twitter-text's `extractHashtagsWithIndices`, ported here as
`extract_hashtags_with_indices` and tested against its conformance data):
letters, marks, decimal digits and a few joiners; "#" must not follow a
letter, digit or "&"; a hashtag must contain a letter or mark, must not be
followed by "#" or "://", and must not lie inside a URL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final, NamedTuple

from bot.core.text.arabic import ZWNJ, fold, normalize_text, strip_diacritics, strip_tatweel
from bot.core.text.tweet_length import extract_urls_with_indices

MAX_HASHTAG_LENGTH: Final = 256
"""Telegram links at most 256 code points after "#"; X has no lower limit of its own."""

_HASH_SIGN: Final = re.compile("[#＃]")
# Characters twitter-text allows inside a hashtag besides letters, marks and digits.
_X_SPECIAL_CHARS: Final = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_VARIATION_SELECTORS: Final = "\ufe0e\ufe0f"
_UNDERSCORE_RUN: Final = re.compile("_{2,}")
_ZWNJ_RUN: Final = re.compile(ZWNJ + "+")


class HashtagEntity(NamedTuple):
    """A hashtag found in text: its text without "#", and the code point span with "#"."""

    hashtag: str
    start: int
    end: int


def _is_x_alpha(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _is_x_alphanumeric(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LM" or category == "Nd" or ch in _X_SPECIAL_CHARS


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "L"


def extract_hashtags_with_indices(text: str) -> list[HashtagEntity]:
    """Find the hashtags X would link in `text`, in order.

    A port of twitter-text's regex scan: its boundary group consumes the
    character before "#", so a character already inside the previous match
    (even one rejected for being followed by "#") cannot start the next one.
    Offsets are code points, where twitter-text's JavaScript reports UTF-16
    units; they differ only after astral characters.
    """
    tags: list[HashtagEntity] = []
    consumed = 0
    search_from = 0
    while (sign := _HASH_SIGN.search(text, search_from)) is not None:
        hash_at = sign.start()
        search_from = hash_at + 1
        if hash_at > 0:
            before = text[hash_at - 1]
            if hash_at - 1 < consumed:
                continue
            if before not in _VARIATION_SELECTORS and (before == "&" or _is_x_alphanumeric(before)):
                continue
        end = hash_at + 1
        if end < len(text) and text[end] in "\ufe0f\u20e3":
            continue
        while end < len(text) and _is_x_alphanumeric(text[end]):
            end += 1
        body = text[hash_at + 1 : end]
        if not any(_is_x_alpha(ch) for ch in body):
            continue
        consumed = search_from = end
        if text.startswith(("#", "＃", "://"), end):
            continue
        tags.append(HashtagEntity(body, hash_at, end))
    if not tags:
        return tags
    return _without_url_overlaps(text, tags)


def _without_url_overlaps(text: str, tags: list[HashtagEntity]) -> list[HashtagEntity]:
    """Drop hashtags that overlap a URL ("example.com/#top" is part of the link)."""
    urls = extract_urls_with_indices(text)
    if not urls:
        return tags
    entities: list[tuple[int, int, HashtagEntity | None]] = [(t.start, t.end, t) for t in tags]
    entities += [(url.start, url.end, None) for url in urls]
    entities.sort(key=lambda entity: entity[0])
    kept: list[tuple[int, int, HashtagEntity | None]] = []
    for entity in entities:
        if kept and kept[-1][1] > entity[0]:
            continue
        kept.append(entity)
    return [tag for _, _, tag in kept if tag is not None]


def extract_hashtags(text: str) -> list[str]:
    """Return the hashtags (without "#") that X would link in `text`."""
    return [entity.hashtag for entity in extract_hashtags_with_indices(text)]


def is_telegram_hashtag(hashtag: str) -> bool:
    """Tell whether Telegram links all of `hashtag` ("#" included) as one hashtag."""
    body = hashtag[1:]
    if not hashtag.startswith("#") or not 1 <= len(body) <= MAX_HASHTAG_LENGTH:
        return False
    has_letter = False
    for ch in body:
        category = unicodedata.category(ch)
        if category[0] == "L":
            has_letter = True
        elif category != "Nd" and ch not in ("_", ZWNJ):
            return False
    return has_letter


def _body_char(ch: str) -> str:
    """Map one character of a tag to what the hashtag keeps: itself, "_" or nothing."""
    category = unicodedata.category(ch)
    if category[0] == "L" or category == "Nd" or ch in ("_", ZWNJ):
        return ch
    if category[0] in "PZ" or ch.isspace() or (ch.isascii() and ch.isprintable()):
        return "_"
    return ""


def _keep_zwnj_between_letters(body: str) -> str:
    def keep(match: re.Match[str]) -> str:
        start, end = match.span()
        between = start > 0 and end < len(body) and _is_letter(body[start - 1])
        return ZWNJ if between and _is_letter(body[end]) else ""

    return _ZWNJ_RUN.sub(keep, body) if ZWNJ in body else body


def _shorten(body: str) -> str:
    """Cut a body to the length limit, at a "_" when that still leaves a letter."""
    if len(body) <= MAX_HASHTAG_LENGTH:
        return body
    cut = body.rfind("_", 0, MAX_HASHTAG_LENGTH + 1)
    if cut > 0 and any(_is_letter(ch) for ch in body[:cut]):
        return body[:cut]
    return _keep_zwnj_between_letters(body[:MAX_HASHTAG_LENGTH]).rstrip("_")


def make_hashtag(tag: str) -> str | None:
    """Turn a free-text tag into "#" + a body both X and Telegram link whole.

    Spaces, punctuation and ASCII symbols ("<", "+", "|") separate words, so
    they become "_" (runs collapse, ends are trimmed). Tatweel and diacritics
    go, and so does anything else that is not a letter, a decimal digit, "_"
    or a ZWNJ between letters (emoji, other symbols, combining marks, control
    and format characters). "بشار الأسد" gives "#بشار_الأسد", "كوفيد-19"
    gives "#كوفيد_19".

    Returns:
        The hashtag, or None when no letter is left ("2024", "؟!", "").
    """
    text = strip_diacritics(strip_tatweel(normalize_text(tag)))
    body = "".join(_body_char(ch) for ch in text)
    body = _keep_zwnj_between_letters(body)
    body = _UNDERSCORE_RUN.sub("_", body).strip("_")
    body = _shorten(body)
    if not any(_is_letter(ch) for ch in body):
        return None
    return "#" + body


def make_hashtags(tags: Iterable[str], *, limit: int | None = None) -> list[str]:
    """Turn tags into hashtags, in order, without the same hashtag twice.

    Two tags are the same hashtag when their bodies fold alike ("الأسد" and
    "الاسد", "Syria" and "syria"); the first spelling wins. Tags that give no
    hashtag are skipped and do not count towards `limit`.
    """
    hashtags: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        if limit is not None and len(hashtags) >= limit:
            break
        hashtag = make_hashtag(tag)
        if hashtag is None:
            continue
        key = fold(hashtag[1:])
        if key not in seen:
            seen.add(key)
            hashtags.append(hashtag)
    return hashtags
