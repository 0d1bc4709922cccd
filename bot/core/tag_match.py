"""Find the tag a reader meant, whatever spelling they typed.

Readers write tags with or without the article (ال), with any hamza form
(أ إ آ ا), ة or ه, ى or ي, diacritics and tatweel. Each word is reduced with
`fold_word_with_article`, so all of these meet on one key. When nothing
matches, the closest tags are suggested by similarity of those keys.

A tag no article carries yet may still be followed: `clean_tag` gives the
name it is stored under (as a hashtag would read, without `#` and `_`), and
`stored_key` the key ingest files an article's tag under (`bot.services.ingest`), so
the first story carrying it lands on the same tag.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Generic, Protocol, TypeVar

from bot.core.text.arabic import fold_word_with_article, normalize_text

SUGGESTIONS: Final = 3
CUTOFF: Final = 0.6
KEY_CHARS: Final = 250  # the length ingest keeps of a tag's key and name


class Named(Protocol):
    """Anything with a tag name."""

    @property
    def name(self) -> str:
        """The tag as the site writes it."""
        ...


T = TypeVar("T", bound=Named)


def tag_key(text: str) -> str:
    """The key two spellings of one tag share ("الأمم المتحدة" → "امم متحده")."""
    words = text.replace("#", " ").replace("_", " ").split()
    return " ".join(fold_word_with_article(word) for word in words)


def clean_tag(text: str) -> str:
    """The name a reader's tag is kept under: no `#`, `_` as spaces, one space between words.

    Empty when nothing is left that could be a tag (no letter or digit).
    """
    name = normalize_text(text.replace("#", " ").replace("_", " "))[:KEY_CHARS]
    return name if any(ch.isalnum() for ch in name) else ""


def stored_key(name: str) -> str:
    """The key a tag is stored under, by ingest and by /follow alike.

    Word by word without the article, as `tag_key`: a tag followed as
    "الدوري" before any story carries it is the tag a site writes "دوري".
    """
    return tag_key(name.strip())[:KEY_CHARS]


@dataclass(frozen=True, slots=True)
class TagMatch(Generic[T]):
    """The tag found, or the closest ones when none matched."""

    found: T | None
    suggestions: tuple[T, ...] = ()


def match_tag(query: str, tags: Sequence[T]) -> TagMatch[T]:
    """The tag whose key equals the query's, else up to three close suggestions."""
    key = tag_key(query)
    if not key:
        return TagMatch(None)
    keyed: dict[str, T] = {}
    for tag in tags:
        keyed.setdefault(tag_key(tag.name), tag)
    if key in keyed:
        return TagMatch(keyed[key])
    close = difflib.get_close_matches(key, list(keyed), n=SUGGESTIONS, cutoff=CUTOFF)
    containing = [k for k in keyed if key in k or (len(k) >= 3 and k in key)]
    ordered = list(dict.fromkeys([*close, *containing]))[:SUGGESTIONS]
    return TagMatch(None, tuple(keyed[k] for k in ordered))
