"""The port of the quiet-site watch: when the newest article was seen, and what was alerted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class QuietState:
    """When the newest article was first seen, and the spell the admins were last told about.

    `alerted` is what `QuietWatchStore.mark_alerted` kept: the `last_seen` of
    the spell that was alerted, as ISO text, or None when there was none.
    """

    last_seen: datetime | None
    alerted: str | None


class QuietWatchStore(Protocol):
    """What the quiet-site watch reads and remembers."""

    async def state(self) -> QuietState:
        """The newest article's time and the last alerted spell, read together."""
        ...

    async def mark_alerted(self, spell: str, now: datetime) -> None:
        """Remember that the admins were told about the quiet spell `spell` (one commit)."""
        ...
