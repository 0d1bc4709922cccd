"""An in-memory fake of rendering's port: stored articles and followed-tag posts waiting.

`FakeRenderReads.follow_batch` groups as the store does: each lead takes the
other follow posts waiting for its chat (due by the given time, oldest first,
up to the group size) and those are done at once, so a later lead for the
same chat carries nothing. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.model import Article
from bot.core.render_ports import FollowBatch


@dataclass
class Waiting:
    """One followed-tag post in the outbox."""

    delivery_id: int
    destination_id: int
    article_id: int
    due: datetime
    done: bool = False


@dataclass
class FakeRenderReads:
    """`RenderReads` over dicts; counts its calls so tests can hold reads per batch."""

    stored: dict[int, Article] = field(default_factory=dict)
    languages: dict[int, str] = field(default_factory=dict)  # chat id -> chosen language
    waiting: list[Waiting] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    broken: set[int] = field(default_factory=set)  # lead delivery ids whose batch fails

    def add(self, article: Article) -> Article:
        """Store an article."""
        self.stored[article.id] = article
        return article

    async def article(self, article_id: int) -> Article | None:
        self.calls.append("article")
        return self.stored.get(article_id)

    async def articles(self, article_ids: Sequence[int]) -> list[Article]:
        self.calls.append("articles")
        return [self.stored[i] for i in article_ids if i in self.stored]

    async def follow_batch(
        self,
        leads: Sequence[tuple[int, int]],
        chats: Sequence[int],
        *,
        max_group: int,
        due_by: datetime,
    ) -> FollowBatch:
        self.calls.append("follow_batch")
        if self.broken & {delivery_id for delivery_id, _ in leads}:
            raise RuntimeError("a row the store cannot read")
        rows = {w.delivery_id: w for w in self.waiting}
        groups: dict[int, list[int]] = {}
        for delivery_id, destination_id in leads:
            lead = rows.get(delivery_id)
            if lead is None or lead.done:
                groups[delivery_id] = []
                continue
            lead.done = True
            group = [lead]
            for other in sorted(self.waiting, key=lambda w: (w.due, w.delivery_id)):
                if len(group) >= max_group:
                    break
                if (
                    other.destination_id == destination_id
                    and not other.done
                    and other.due <= due_by
                ):
                    other.done = True
                    group.append(other)
            group.sort(key=lambda w: (w.due, w.delivery_id))
            groups[delivery_id] = [w.article_id for w in group]
        languages = {chat: self.languages[chat] for chat in chats if chat in self.languages}
        wanted = {i for group in groups.values() for i in group}
        articles = {i: a for i, a in self.stored.items() if i in wanted}
        return FollowBatch(groups=groups, languages=languages, articles=articles)
