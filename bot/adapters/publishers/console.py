"""Console adapter: prints posts instead of sending them (no token configured, demo)."""

from __future__ import annotations

import itertools

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.core.model import Destination, Platform, Post


class ConsolePublisher:
    """Shows each post in a panel; message ids are a local counter."""

    platform = Platform.CONSOLE

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self._ids = itertools.count(1)

    async def send(self, destination: Destination, post: Post) -> str:
        """Print the post as a reader would see it."""
        return self._show(destination, post, "post")

    async def send_plain(self, destination: Destination, post: Post) -> str:
        """Same as send: the console shows plain text anyway."""
        return self._show(destination, post, "post")

    async def edit(self, destination: Destination, message_id: str, post: Post) -> None:
        """Print the edited post."""
        self._show(destination, post, f"edit of {message_id}")

    async def delete(self, destination: Destination, message_id: str) -> None:
        """Say which post would be deleted."""
        self.console.print(f"[dim]delete {message_id} from {destination.address}[/dim]")

    def _show(self, destination: Destination, post: Post, what: str) -> str:
        message_id = str(next(self._ids))
        title = f"{what} → {destination.address} ({post.length} chars)"
        self.console.print(
            Panel(Text(post.plain_text), title=title, title_align="left", expand=False)
        )
        return message_id
