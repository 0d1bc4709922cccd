"""The port of the pause switch: one value shared by every instance."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class PauseFlag(Protocol):
    """Where the pause switch is kept, shared by every instance and kept across restarts."""

    async def read(self) -> str | None:
        """The switch's stored value; None when it was never set."""
        ...

    async def write(self, value: str, now: datetime) -> None:
        """Store the switch's value (one commit)."""
        ...
