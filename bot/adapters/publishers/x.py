"""X adapter: posts through tweepy's Client (OAuth 1.0a user context).

tweepy is synchronous, so each call runs in a worker thread and never blocks
the event loop. Errors are mapped to `bot.core.errors`; a 429 carries the time X
says the window resets, and a spent 24-hour allowance is flagged `daily` so
the caller stops trying until the next day instead of looping.

With `images` on, the article image is fetched through the same guarded
fetcher as every page (public addresses only, size capped while it streams)
and uploaded through X's v2 media upload (`x_client.upload_media`), over
tweepy's own session and OAuth 1.0a signing; a failed image never stops the
post, which then goes out without it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import requests
import tweepy

from bot.adapters.publishers.x_client import upload_media
from bot.adapters.sources.fetch import Fetcher
from bot.core.errors import (
    DuplicateContent,
    NashirError,
    PublishError,
    RateLimited,
    Rejected,
    TransientError,
)
from bot.core.model import Destination, Platform, Post

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for images

FetchImage = Callable[[str], Awaitable[tuple[bytes, str]]]


def image_fetcher(fetcher: Fetcher, max_bytes: int = MAX_IMAGE_BYTES) -> FetchImage:
    """Images fetched like pages: the address guard on every hop, the size capped."""

    async def fetch(url: str) -> tuple[bytes, str]:
        result = await fetcher.fetch(url)
        mime = (result.content_type or "").split(";")[0].strip().lower()
        if not mime.startswith("image/"):
            raise ValueError(f"not an image: {mime or 'no type'}")
        if len(result.content) > max_bytes:
            raise ValueError("image too large")
        return result.content, mime

    return fetch


class XPublisher:
    """Publishes to the X account behind the client's keys."""

    platform = Platform.X

    def __init__(
        self,
        client: tweepy.Client,
        *,
        clock: Callable[[], float] = time.time,
        fetch_image: FetchImage | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.fetch_image = fetch_image

    async def send(self, destination: Destination, post: Post) -> str:
        """Post a tweet (with the article image when enabled) and return its id."""
        media_ids = None
        if self.fetch_image is not None and post.image:
            media_id = await self._upload(post.image)
            media_ids = [media_id] if media_id else None
        response = await self._call(
            self.client.create_tweet, text=post.text, media_ids=media_ids, user_auth=True
        )
        return str(response.data["id"])

    async def _upload(self, url: str) -> str | None:
        """Fetch the image and upload it; None (and a warning) when either fails."""
        assert self.fetch_image is not None
        try:
            data, mime = await self.fetch_image(url)
            return await self._call(upload_media, self.client, data, mime)
        except (NashirError, ValueError) as exc:
            log.warning("X image %s not uploaded (%s); posting without it", url, exc)
            return None

    async def send_plain(self, destination: Destination, post: Post) -> str:
        """X posts are plain text already."""
        return await self.send(destination, post)

    async def edit(self, destination: Destination, message_id: str, post: Post) -> None:
        """X offers no edit through this API; the post stays as it was."""
        log.info("X post %s not edited: the API has no edit", message_id)

    async def delete(self, destination: Destination, message_id: str) -> None:
        """Delete a post; one that is already gone counts as deleted."""
        try:
            await self._call(self.client.delete_tweet, message_id, user_auth=True)
        except Rejected as exc:
            if exc.code != 404:
                raise

    async def account(self) -> str | None:
        """The @username the keys post as (compared with the site's advertised handle)."""
        response = await self._call(self.client.get_me, user_auth=True)
        return str(response.data["username"]) if response.data else None

    async def _call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(method, *args, **kwargs)
        except tweepy.TooManyRequests as exc:
            raise self._rate_limited(exc) from None
        except tweepy.Forbidden as exc:
            text = _describe(exc)
            if "duplicate" in text.lower():
                raise DuplicateContent(text, code=403) from None
            raise Rejected(text, code=403) from None
        except tweepy.TwitterServerError as exc:
            raise TransientError(_describe(exc), code=exc.response.status_code) from None
        except tweepy.HTTPException as exc:
            raise Rejected(_describe(exc), code=exc.response.status_code) from None
        except (requests.RequestException, tweepy.TweepyException) as exc:
            raise TransientError(f"X unreachable: {type(exc).__name__}") from None

    def _rate_limited(self, exc: tweepy.TooManyRequests) -> PublishError:
        headers = exc.response.headers
        now = self.clock()
        daily = headers.get("x-user-limit-24hour-remaining") == "0"
        reset_header = "x-user-limit-24hour-reset" if daily else "x-rate-limit-reset"
        reset = headers.get(reset_header) or headers.get("x-rate-limit-reset")
        # The reset is a whole epoch second: wait past its end, never into it.
        wait = max(float(reset) + 1.0 - now, 1.0) if reset and reset.isdigit() else 900.0
        scope = "24-hour cap" if daily else "rate limit"
        return RateLimited(
            f"X {scope} reached; resets in {wait:.0f}s", retry_after=wait, daily=daily
        )


def _describe(exc: tweepy.HTTPException) -> str:
    """X's own words for the refusal, never the request (which carries secrets)."""
    messages = "; ".join(str(m) for m in exc.api_messages) or exc.response.reason
    return f"X {exc.response.status_code}: {messages}"
