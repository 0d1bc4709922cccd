"""The words posts are dressed in, in Arabic and English.

Article text is always the outlet's Arabic; only these labels change with the
post language. They live in one place so an editor can review the wording of
every post without reading the formatters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.core.text.arabic import to_arabic_digits

Language = Literal["ar", "en"]

NETWORKS = ("youtube", "x", "telegram", "facebook", "google_news")


@dataclass(frozen=True, slots=True)
class Labels:
    """UI strings of one language.

    Attributes:
        read_more: Anchor of the link to the article (and of the inline button).
        source: Prefix of the credit line.
        follow_us: Prefix of the footer with the site's channels.
        most_read: Label of a trending re-post.
        breaking: Label of breaking news.
        digest_title: Title of the daily most-read digest.
        via: Joins the outlet to the source it cites ("مساحة نت عن وكالات").
        network_names: Display names of the networks, in `NETWORKS` order.
    """

    read_more: str
    source: str
    follow_us: str
    most_read: str
    breaking: str
    digest_title: str
    via: str
    network_names: tuple[str, ...]

    def network(self, name: str) -> str:
        """Display name of a network key from `SocialLinks.items()`."""
        try:
            return self.network_names[NETWORKS.index(name)]
        except ValueError:
            return name


ARABIC = Labels(
    read_more="اقرأ المزيد",
    source="المصدر",
    follow_us="تابعونا",
    most_read="🔥 الأكثر قراءة",
    breaking="🔴 عاجل",
    digest_title="📊 الأكثر قراءة اليوم",
    via="عن",
    network_names=("يوتيوب", "إكس", "تيليجرام", "فيسبوك", "أخبار جوجل"),
)

ENGLISH = Labels(
    read_more="Read more",
    source="Source",
    follow_us="Follow us",
    most_read="🔥 Most read",
    breaking="🔴 Breaking",
    digest_title="📊 Most read today",
    via="via",
    network_names=("YouTube", "X", "Telegram", "Facebook", "Google News"),
)


def labels_for(language: Language) -> Labels:
    """The labels of `language`; anything but English gets Arabic, the site's language."""
    return ENGLISH if language == "en" else ARABIC


def format_number(number: int, language: Language) -> str:
    """Write a count as readers of `language` expect: ١٬٩٦٢ in Arabic, 1,962 in English."""
    grouped = f"{number:,}"
    if language == "en":
        return grouped
    return to_arabic_digits(grouped.replace(",", "\u066c"))


def reads_text(reads: int, language: Language) -> str:
    """A read count with its noun in the right grammatical number.

    Arabic counted nouns change with the number: قراءة واحدة, قراءتان,
    3-10 قراءات, 11-99 قراءة (and so on by the last two digits), which is
    why the site's own "649 قراءة" is singular.
    """
    if language == "en":
        return f"{format_number(reads, language)} read" + ("" if reads == 1 else "s")
    if reads == 1:
        return "قراءة واحدة"
    if reads == 2:
        return "قراءتان"
    digits = format_number(reads, language)
    if 3 <= reads % 100 <= 10:
        return f"{digits} قراءات"
    return f"{digits} قراءة"


# "المصدر: وكالات." and "مساحة نت ـ متابعات" are how pages write credits; the
# prefix, the full stop and the "compiled" suffix (متابعات) add nothing to a post.
_CREDIT_PREFIX = re.compile(r"^\s*(?:ال)?مصدر\s*[:：]?\s*|^\s*source\s*:\s*", re.IGNORECASE)
_CREDIT_SUFFIX = re.compile(r"\s*(?:[\u0640\-–—|:/]+\s*)?متابعات\s*$")
_CREDIT_TRAIL = " \t.،,:-–—|\u0640"


def credit_text(source_credit: str | None, outlet: str | None, language: Language) -> str:
    """The credit line's text: the outlet, and the source it cites when there is one.

    Returns "" when the page credited nobody, so the template drops the line.
    """
    labels = labels_for(language)
    names: list[str] = []
    for raw in (outlet, source_credit):
        if not raw:
            continue
        name = _CREDIT_SUFFIX.sub("", _CREDIT_PREFIX.sub("", raw.strip())).strip(_CREDIT_TRAIL)
        if name and name not in names:
            names.append(name)
    if not names:
        return ""
    body = f" {labels.via} ".join(names)
    return f"{labels.source}: {body}"
