"""Dates printed for readers: "29 مارس 2025", "٢٩ آذار ٢٠٢٥", "March 29, 2025", "منذ ساعتين".

Metadata is read first (`page_meta`); this is the fallback for pages that
print the date only. Arabic months come in two series, the Levantine/Iraqi
(كانون الثاني، شباط، آذار ...) and the Egyptian/Gulf transliterations
(يناير، فبراير، مارس ...), both mapped here, with Arabic-Indic digits.
A relative date ("منذ 3 ساعات", "2 hours ago") counts back from `now`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from bot.core.text.arabic import to_ascii_digits

_MONTHS: Final = {
    # Egyptian/Gulf series
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "أبريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8, "أغسطس": 8, "سبتمبر": 9,
    "اكتوبر": 10, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine/Iraqi series
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    # English, full and short
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:من\s+)?(?P<m>{_MONTH_NAMES})\.?,?\s*(?P<y>\d{{4}})",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])(?P<m>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})",
    re.IGNORECASE,
)
_YEAR_MONTH_DAY = re.compile(  # "2023 Jan 7", as citation metadata writes it
    rf"(?<!\d)(?P<y>(?:19|20)\d{{2}})\s+(?P<m>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?!\d)",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_NUMERIC_DMY = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>(?:19|20)\d{2})(?!\d)"
)
_TIME = re.compile(r"(?<!\d)(?P<h>\d{1,2}):(?P<min>\d{2})(?:\s*(?P<ampm>[ap]\.?m\.?|ص|م)(?!\w))?")

_RELATIVE_UNITS: Final = {
    "دقيقة": timedelta(minutes=1), "دقيقتين": timedelta(minutes=2), "دقائق": timedelta(minutes=1),
    "ساعة": timedelta(hours=1), "ساعتين": timedelta(hours=2), "ساعات": timedelta(hours=1),
    "يوم": timedelta(days=1), "يومين": timedelta(days=2), "أيام": timedelta(days=1),
    "ايام": timedelta(days=1), "أسبوع": timedelta(weeks=1), "اسبوع": timedelta(weeks=1),
    "أسبوعين": timedelta(weeks=2), "اسبوعين": timedelta(weeks=2), "أسابيع": timedelta(weeks=1),
    "minute": timedelta(minutes=1), "minutes": timedelta(minutes=1), "min": timedelta(minutes=1),
    "mins": timedelta(minutes=1), "hour": timedelta(hours=1), "hours": timedelta(hours=1),
    "day": timedelta(days=1), "days": timedelta(days=1), "week": timedelta(weeks=1),
    "weeks": timedelta(weeks=1),
}  # fmt: skip
_UNIT_NAMES = "|".join(sorted((re.escape(u) for u in _RELATIVE_UNITS), key=len, reverse=True))
_RELATIVE_AR = re.compile(rf"(?:منذ|قبل)\s+(?:(?P<n>\d+)\s+)?(?P<u>{_UNIT_NAMES})(?!\w)")
_RELATIVE_EN = re.compile(rf"(?<!\w)(?P<n>\d+|an?|one)\s+(?P<u>{_UNIT_NAMES})\s+ago\b", re.I)
# Units whose own word already says two ("ساعتين"): a number before them is not expected.
_DUAL: Final = frozenset({"دقيقتين", "ساعتين", "يومين", "أسبوعين", "اسبوعين"})


def visible_date(text: str, now: datetime, tz: object = UTC) -> datetime | None:
    """The first date a short text shows, or None.

    Args:
        text: A short text from the page (a dateline, a byline, a ``<time>``).
        now: When the page was read: relative dates count back from it.
        tz: The zone for a date printed without one (a `tzinfo`).
    """
    text = to_ascii_digits(text or "")
    relative = _relative(text, now)
    if relative is not None:
        return relative
    for pattern in (_NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_MONTH_DAY, _NUMERIC_DMY):
        match = pattern.search(text)
        if match is None:
            continue
        month_text = match.group("m")
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
        if month is None:
            continue
        try:
            day = datetime(int(match.group("y")), month, int(match.group("d")))
        except ValueError:
            continue
        day = _with_time(day, text[match.end() : match.end() + 24])
        return day.replace(tzinfo=tz)  # type: ignore[arg-type]
    return None


def _with_time(day: datetime, after: str) -> datetime:
    match = _TIME.search(after)
    if match is None:
        return day
    hour, minute = int(match.group("h")), int(match.group("min"))
    marker = (match.group("ampm") or "").lower().replace(".", "")
    if marker in ("pm", "م") and hour < 12:
        hour += 12
    elif marker in ("am", "ص") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return day
    return day.replace(hour=hour, minute=minute)


def _relative(text: str, now: datetime) -> datetime | None:
    match = _RELATIVE_AR.search(text) or _RELATIVE_EN.search(text)
    if match is None:
        return None
    unit = match.group("u")
    step = _RELATIVE_UNITS.get(unit) or _RELATIVE_UNITS.get(unit.lower())
    if step is None:
        return None
    raw = (match.group("n") or "").lower()
    count = int(raw) if raw.isdigit() else 1
    if unit in _DUAL:
        count = 1
    if count > 10_000:
        return None
    return now - step * count
