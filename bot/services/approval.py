"""Approval mode: posts to chosen destinations wait until an admin approves them.

The destinations are named in `NASHIR_APPROVAL_DESTINATIONS` (a channel's
`@name` or id, `x` for the X account). Publishing (`bot.services.publishing`) queues a
new article's posts to them held (`bot.adapters.storage.approvals`) and asks the
admins with ✅ ✏️ ❌ once they are committed; ✅ releases them through
publishing, ✏️ changes their headline first, ❌ drops them. Breaking articles
skip approval unless `NASHIR_APPROVAL_BREAKING_BYPASS` says otherwise. Other
destinations are never delayed.
"""

from __future__ import annotations

import logging

from bot.core.approval_ports import HeldPosts
from bot.core.model import Destination
from bot.core.ports import Clock
from bot.services.publishing import ApprovalRule, AskAdmins, Publishing

log = logging.getLogger(__name__)


class Approval:
    """Releases, drops and re-titles posts that wait for an admin's approval."""

    def __init__(
        self, held: HeldPosts, clock: Clock, publishing: Publishing, *, ask: AskAdmins | None = None
    ) -> None:
        self.held = held
        self.clock = clock
        self.publishing = publishing
        self.rule: ApprovalRule = publishing.options.approval
        self.ask = ask

    @property
    def enabled(self) -> bool:
        """Whether any destination needs approval."""
        return self.rule.enabled

    def needs_approval(self, destination: Destination) -> bool:
        """Whether posts to this destination wait for an admin."""
        return self.rule.needs_approval(destination)

    async def approve(self, article_id: int) -> int:
        """Send the held posts now; returns how many were released."""
        return await self.publishing.approve(article_id)

    async def drop(self, article_id: int, user_id: int) -> int:
        """Never send the held posts."""
        return await self.held.drop(article_id, f"dropped by admin {user_id}")

    async def set_headline(self, article_id: int, headline: str) -> int:
        """Change the headline the held posts will carry."""
        return await self.held.set_headline(article_id, headline)

    async def waiting(self, article_id: int) -> int:
        """How many posts of this article wait for approval."""
        return await self.held.count(article_id)

    async def held_destinations(self, article_id: int) -> list[Destination]:
        """The destinations where this article's posts wait for approval."""
        found = await self.held.destinations(article_id)
        return [d for d in found if self.needs_approval(d)]
