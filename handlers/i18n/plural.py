"""Counted nouns in proper plural forms: Arabic has six, English two.

Categories follow Unicode CLDR's plural rules. Arabic: zero (0), one (1),
two (2), few (3–10, and any number ending in 03–10), many (11–99, and any
ending in 11–99), other (100, 101, 102, …). English: one (1), other. A noun
missing a category falls back to "other". Forms hold ``{n}`` for the number.
"""

from __future__ import annotations

from collections.abc import Mapping


def category(language: str, n: int) -> str:
    """The CLDR plural category of `n` in `language`."""
    n = abs(n)
    if language != "ar":
        return "one" if n == 1 else "other"
    if n in (0, 1, 2):
        return ("zero", "one", "two")[n]
    if 3 <= n % 100 <= 10:
        return "few"
    if 11 <= n % 100 <= 99:
        return "many"
    return "other"


def counted(forms: Mapping[str, str], language: str, n: int) -> str:
    """`n` with its noun in the form the number calls for."""
    form = forms.get(category(language, n)) or forms["other"]
    return form.format(n=n)
