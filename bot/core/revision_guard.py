"""Whether a poll may rewrite what was already posted.

A headline changed at the source is edited into the live posts
(`bot.services.revisions`). That trust is dangerous when the change comes from how the
document was read rather than from the newsroom: one stray byte made
feedparser read a whole UTF-8 feed as windows-1252, every title looked
changed, and three live posts became ``ŘŽŘ¨Řą…`` within seconds. So a poll
revises nothing when:

* its document needed a fallback encoding (`doubts` from the feed parser);
* a new headline has lost the script the old one was written in (Arabic
  turned to Latin-1 debris), or carries U+FFFD replacement characters;
* it would change many stories at once (`MASS_EDIT` or more, and at least
  half of those it lists): newsrooms fix one headline, not a feed.

Held changes are not applied, so the posts and the archive keep the text the
readers saw; the ingest logs one warning per poll, keeps the poll's held
changes for review and the admins get one alert (`bot.services.alerts`):
`/revisions` shows them, and an admin applies them (a real mass edit) or
drops them (a misreading).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Final

MASS_EDIT: Final = 3
_SCRIPT_KEPT: Final = 0.5


@dataclass(frozen=True, slots=True)
class HeldChange:
    """A headline or summary change a poll did not apply: what an admin reviews."""

    article_id: int
    old_title: str
    title: str
    title_key: str
    summary: str | None


@dataclass(slots=True)
class RevisionGate:
    """The verdict for one poll: which headline changes it may apply."""

    doubts: list[str] = field(default_factory=list)
    mass: bool = False
    held: int = 0
    reasons: list[str] = field(default_factory=list)
    changes: list[HeldChange] = field(default_factory=list)

    def allows(self, old: str, new: str) -> bool:
        """Whether `old` may become `new`; a held change is counted with its reason."""
        reason = self._refusal(old, new)
        if reason is None:
            return True
        self.held += 1
        if reason not in self.reasons:
            self.reasons.append(reason)
        return False

    def _refusal(self, old: str, new: str) -> str | None:
        if self.doubts:
            return self.doubts[0]
        if self.mass:
            return "too many headlines changed at once"
        return implausible_change(old, new)


def plan(doubts: list[str], changes: int, listed: int) -> RevisionGate:
    """The gate for a poll whose document lists `listed` stories, `changes` of them changed."""
    mass = changes >= MASS_EDIT and changes * 2 >= max(listed, 1)
    return RevisionGate(doubts=list(doubts), mass=mass)


def implausible_change(old: str, new: str) -> str | None:
    """Why `new` looks like a misreading of `old` rather than an edit, or None."""
    if "\ufffd" in new and "\ufffd" not in old:
        return "the new text has undecodable bytes"
    script = _main_script(old)
    if script is not None and _share(new, script) < _share(old, script) * _SCRIPT_KEPT:
        return f"the new text lost its {script.lower()} script"
    return None


def _main_script(text: str) -> str | None:
    """The script most letters of `text` belong to (ARABIC, LATIN, …), if any."""
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "").split(" ", 1)[0]
            if name:
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda name: counts[name])


def _share(text: str, script: str) -> float:
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    hits = sum(1 for char in letters if unicodedata.name(char, "").startswith(script + " "))
    return hits / len(letters)
