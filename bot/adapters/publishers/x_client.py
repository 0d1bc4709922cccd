"""Build a tweepy v2 client whose API host is configurable, and upload media with it.

tweepy's ``Client`` hard-codes ``https://api.twitter.com`` in ``BaseClient.request``
and hands ``host + route`` to ``self.session.request``. Replacing that session with
one that rewrites the prefix is enough to point the real library at the local fake
X API (or a proxy): OAuth 1.0a signing happens later, when requests prepares the
request, so the signature covers the rewritten URL exactly as a server there sees it.

``Client`` has no media upload, so `upload_media` posts the multipart form to
``/2/media/upload`` through the same session and the same OAuth1 handler tweepy
uses, and maps errors to tweepy's exception classes so callers handle both alike.
"""

from __future__ import annotations

from typing import Any

import requests
import tweepy

__all__ = ["TWITTER_HOST", "HostRewritingSession", "make_x_client", "upload_media"]

TWITTER_HOST = "https://api.twitter.com"
DEFAULT_TIMEOUT = 30.0


class HostRewritingSession(requests.Session):
    """A ``requests.Session`` that sends tweepy's api.twitter.com calls to ``api_url``.

    It also applies a default timeout: tweepy passes none, and a request without
    one can hang forever on a stalled connection.
    """

    def __init__(self, api_url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Rewrite the host prefix, then send as ``requests.Session.request`` does."""
        if isinstance(url, bytes):
            url = url.decode()
        if url.startswith(TWITTER_HOST):
            url = self.api_url + url[len(TWITTER_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


def make_x_client(
    api_url: str,
    consumer_key: str,
    consumer_secret: str,
    access_token: str,
    access_token_secret: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    wait_on_rate_limit: bool = False,
) -> tweepy.Client:
    """A tweepy ``Client`` with OAuth 1.0a user keys that talks to ``api_url``.

    Args:
        api_url: API root such as ``https://api.twitter.com`` or the fake's URL.
        consumer_key: App key.
        consumer_secret: App secret.
        access_token: The posting account's token.
        access_token_secret: The posting account's token secret.
        timeout: Seconds before a request is abandoned (tweepy sets none).
        wait_on_rate_limit: tweepy's option to sleep through 429s; off because
            the delivery engine schedules its own retries.
    """
    client = tweepy.Client(
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        access_token=access_token,
        access_token_secret=access_token_secret,
        wait_on_rate_limit=wait_on_rate_limit,
    )
    client.session = HostRewritingSession(api_url, timeout=timeout)
    return client


def _raise_for_status(response: requests.Response) -> None:
    """Raise the tweepy exception ``Client.request`` would raise for this status."""
    status = response.status_code
    if 200 <= status < 300:
        return
    errors: dict[int, type[Exception]] = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
    }
    if status in errors:
        raise errors[status](response)
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset else None)
    if status >= 500:
        raise tweepy.TwitterServerError(response)
    raise tweepy.HTTPException(response)


def upload_media(
    client: tweepy.Client, data: bytes, mime: str, *, category: str = "tweet_image"
) -> str:
    """Upload one image with ``POST /2/media/upload`` and return its media id.

    Uses the client's session (so its host and timeout) and signs with tweepy's
    ``OAuth1UserHandler(...).apply_auth()``, the same signing ``Client`` uses.

    Raises:
        tweepy.HTTPException: The subclass matching the error status, as tweepy does.
    """
    auth = tweepy.OAuth1UserHandler(
        client.consumer_key,
        client.consumer_secret,
        client.access_token,
        client.access_token_secret,
    ).apply_auth()
    extension = mime.rsplit("/", 1)[-1]
    session: requests.Session = client.session
    response = session.post(
        f"{TWITTER_HOST}/2/media/upload",
        files={"media": (f"media.{extension}", data, mime)},
        data={"media_category": category},
        headers={"User-Agent": client.user_agent},
        auth=auth,
    )
    with response:
        _raise_for_status(response)
        media_id = response.json()["data"]["id"]
    return str(media_id)
