"""What rendering reads: the articles a post is made of, and followed-tag groups.

`bot.services.rendering.Renderer` and `bot.services.digests.DigestRenderer`
turn claimed outbox rows into posts; formatting is pure, so the only outside
world they need is this port. A batch of followed-tag messages costs one
call (`follow_batch`): one grouping pass, one read of the readers' languages
and one of the articles, whatever the batch's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.model import Article


@dataclass(frozen=True, slots=True)
class FollowBatch:
    """The followed-tag messages of one batch, grouped, with what formatting them needs.

    `groups` holds each lead delivery's article ids, oldest first (empty when
    another message of the batch carries it); `languages` the readers' chosen
    language by chat id; `articles` the grouped articles still stored, by id.
    """

    groups: Mapping[int, Sequence[int]]
    languages: Mapping[int, str]
    articles: Mapping[int, Article]


class RenderReads(Protocol):
    """The reads behind a post: articles by id, and followed-tag grouping."""

    async def article(self, article_id: int) -> Article | None:
        """The stored article, or None when it is gone."""
        ...

    async def articles(self, article_ids: Sequence[int]) -> list[Article]:
        """The stored articles of these ids, in the order asked, the gone ones left out."""
        ...

    async def follow_batch(
        self,
        leads: Sequence[tuple[int, int]],
        chats: Sequence[int],
        *,
        max_group: int,
        due_by: datetime,
    ) -> FollowBatch:
        """Group each chat's waiting follow posts into its lead, commit that, then read.

        `leads` are the (delivery id, destination id) of the follow posts of one
        claimed batch; posts of the same chats due by `due_by` join their lead,
        up to `max_group` articles, and are marked done in one commit. Then the
        languages of `chats` and the grouped articles are read.
        """
        ...
