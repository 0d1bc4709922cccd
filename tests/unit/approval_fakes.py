"""An in-memory fake of approval's port, over the outbox rows of `publishing_fakes.FakeOutbox`.

Publishing queues and releases the held posts in the fake outbox; this fake
drops and re-titles the same rows, so a test sees both sides as the database
would show them. A dropped row stays, marked with its reason.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from publishing_fakes import FakeOutbox, Key, Row

from bot.core.model import DeliveryKind, Destination


@dataclass
class FakeHeldPosts:
    """`HeldPosts` over a fake outbox's committed rows."""

    outbox: FakeOutbox
    dropped: dict[Key, str] = field(default_factory=dict)  # row -> reason

    def _held(self, article_id: int) -> list[tuple[Key, Row]]:
        return [
            (key, row)
            for key, row in self.outbox.rows.items()
            if row.post.article_id == article_id
            and row.post.kind is DeliveryKind.NEW
            and row.post.held
            and key not in self.dropped
        ]

    async def count(self, article_id: int) -> int:
        return len(self._held(article_id))

    async def drop(self, article_id: int, reason: str) -> int:
        held = self._held(article_id)
        for key, _ in held:
            self.dropped[key] = reason
        return len(held)

    async def set_headline(self, article_id: int, headline: str) -> int:
        held = self._held(article_id)
        payload = json.dumps({"title": headline}, ensure_ascii=False)
        for key, row in held:
            post = dataclasses.replace(row.post, payload=payload)
            self.outbox.rows[key] = Row(row.destination_id, post, row.created_at)
        return len(held)

    async def destinations(self, article_id: int) -> list[Destination]:
        return [
            self.outbox.destination(row.destination_id)
            for row in self.outbox.rows.values()
            if row.post.article_id == article_id
        ]
