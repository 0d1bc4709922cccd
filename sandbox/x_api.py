"""A local X (Twitter) API v2 that the real tweepy talks to over HTTP.

It serves what Nashir's X publisher uses (create and delete a post, who am I, media
upload) with X's wire format: ``{"data": ...}`` on success and RFC 7807 "problem"
bodies (``title``, ``type``, ``detail``, ``status``) on errors, so tweepy raises
``BadRequest``, ``Unauthorized``, ``Forbidden``, ``TooManyRequests`` (with
``reset_time``) and ``TwitterServerError`` as it does in production.

Modelled because the publisher must handle them:

* OAuth 1.0a is required (the signature itself is not verified);
* posts over 280 weighted characters are refused (weights from
  `bot.core.text.tweet_length`), and so is a duplicate of a live post;
* rate limits: every answer carries ``x-rate-limit-*`` headers for its endpoint,
  post creation also the ``x-user-limit-24hour-*`` ones; both caps are switchable
  and exceeding them answers 429 with those headers;
* faults a test switches on for a number of calls.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from sandbox.server import Call, CallLog, CallMatch, ServerThread

__all__ = ["FakeX", "XFault", "XFaultKind"]

JSON = dict[str, Any]
XFaultKind = Literal["server_error", "timeout", "forbidden", "unauthorized", "flood"]

MAX_WEIGHTED_LENGTH = 280
TWEETS = "POST /2/tweets"
_TWITTER_EPOCH_MS = 1288834974657
_CONSUMER_KEY = re.compile(r'oauth_consumer_key="([^"]*)"')
_INVALID = {
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}


@dataclass(slots=True)
class XFault:
    """A switched-on failure; ``times=None`` keeps it on until `FakeX.clear_faults`."""

    kind: XFaultKind
    endpoint: str | None
    times: int | None
    delay: float
    reset_after: int
    hits: int = 0


@dataclass(slots=True)
class _Bucket:
    """One fixed rate-limit window, as X resets its counters at a known epoch second."""

    limit: int
    seconds: float
    used: int = 0
    reset_at: float = 0.0

    def refresh(self, now: float) -> None:
        if now >= self.reset_at:
            self.used = 0
            self.reset_at = now + self.seconds

    def headers(self, prefix: str) -> dict[str, str]:
        return {
            f"{prefix}-limit": str(self.limit),
            f"{prefix}-remaining": str(max(self.limit - self.used, 0)),
            f"{prefix}-reset": str(int(self.reset_at)),
        }


class _ProblemError(Exception):
    """An error answer in X's problem shape."""

    def __init__(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("detail") or body.get("title"))
        self.status = status
        self.body = body
        self.headers = headers or {}


def _problem(status: int, title: str, detail: str | None = None) -> _ProblemError:
    return _ProblemError(
        status, {"title": title, "detail": detail or title, "type": "about:blank", "status": status}
    )


def _weighted_length(text: str) -> int:
    """X's weighted length, from the project's counter once it is importable."""
    try:
        module = importlib.import_module("bot.core.text.tweet_length")
    except ImportError:
        # Fallback: twitter-text's default weights without URL shortening.
        return sum(
            1 if ord(ch) <= 4351 or 8192 <= ord(ch) <= 8205 or 8208 <= ord(ch) <= 8247 else 2
            for ch in text
        )
    counter: Callable[[str], int] = module.weighted_length
    return counter(text)


class FakeX:
    """In-memory X API v2 for one account, served over HTTP by `ServerThread`.

    Attributes:
        consumer_keys: OAuth consumer keys seen in Authorization headers.
        count_429: Answers with status 429.
        early_retries: Requests to an endpoint before the reset it was given in a 429.

    Example:
        fake = FakeX(username="YemenNewsX")
        with fake.server() as server:
            client = make_x_client(server.url, "key", "secret", "token", "token-secret")
    """

    def __init__(
        self,
        *,
        username: str = "YemenNewsX",
        name: str = "Yemen News",
        user_id: str = "1500000000000000001",
    ) -> None:
        self.username = username
        self.name = name
        self.user_id = user_id
        self._lock = threading.Lock()
        self._log = CallLog()
        self._sequence = itertools.count(1)
        self._window_limit = 10_000
        self._window_seconds = 900.0
        self._daily_limit = 100_000
        self._clear_state()

    def _clear_state(self) -> None:
        self._tweets: dict[str, JSON] = {}
        self._deleted: list[str] = []
        self._media: dict[str, JSON] = {}
        self._faults: list[XFault] = []
        self._buckets: dict[str, _Bucket] = {}
        self._daily = _Bucket(self._daily_limit, 86_400.0)
        self._blocked_until: dict[str, float] = {}
        self.consumer_keys: set[str] = set()
        self.count_429 = 0
        self.early_retries = 0

    def reset(self) -> None:
        """Forget calls, posts, media, faults and rate-limit counters; keep the limits."""
        with self._lock:
            self._log.clear()
            self._clear_state()

    def app(self) -> web.Application:
        """A fresh aiohttp application serving the X API routes."""
        application = web.Application(client_max_size=16 * 1024 * 1024)
        application.router.add_route("*", "/{tail:.*}", self._handle)
        return application

    def server(self) -> ServerThread:
        """A not yet started `ServerThread` for this fake; use it as a context manager."""
        return ServerThread(self.app())

    # ----------------------------------------------------------------- inspection

    @property
    def calls(self) -> list[Call]:
        """Every request received so far, oldest first (method is e.g. ``POST /2/tweets``)."""
        return self._log.snapshot()

    @property
    def tweets(self) -> list[JSON]:
        """Live posts, oldest first: ``id``, ``text``, ``media_ids``, ``reply``."""
        with self._lock:
            return [dict(tweet) for tweet in self._tweets.values()]

    @property
    def deleted(self) -> list[str]:
        """Ids of deleted posts, in deletion order."""
        with self._lock:
            return list(self._deleted)

    @property
    def media(self) -> dict[str, JSON]:
        """Uploaded media by id: ``size``, ``mime``, ``category``."""
        with self._lock:
            return {key: dict(value) for key, value in self._media.items()}

    def wait_for(self, match: CallMatch, timeout: float = 5.0) -> Call:
        """Block until a call matching a predicate or ``"VERB /route"`` was recorded."""
        return self._log.wait_for(match, timeout)

    async def wait_for_async(self, match: CallMatch, timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """Await a matching call without blocking the caller's event loop."""
        return await self._log.wait_for_async(match, timeout)

    # ---------------------------------------------------------- faults and limits

    def fault(
        self,
        kind: XFaultKind,
        *,
        endpoint: str | None = None,
        times: int | None = 1,
        delay: float = 10.0,
        reset_after: int = 60,
    ) -> XFault:
        """Make the next matching calls fail.

        Args:
            kind: ``server_error`` (503), ``timeout`` (answer held back ``delay``
                seconds, then processed normally), ``forbidden`` (403),
                ``unauthorized`` (401) or ``flood`` (429 resetting in ``reset_after``).
            endpoint: Only this ``"VERB /route"`` (ids as ``:id``); None for any.
            times: How many calls fail; None for until `clear_faults`.
            delay: Seconds for ``timeout``.
            reset_after: Seconds until the reset announced by ``flood``.
        """
        fault = XFault(kind, endpoint, times, delay, reset_after)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._faults.clear()

    def limits(
        self,
        *,
        window_limit: int = 10_000,
        window_seconds: float = 900.0,
        daily_limit: int = 100_000,
    ) -> None:
        """Set post-creation caps: per window (X uses 15 minutes) and per 24 hours.

        The defaults never bind; a test lowers them to provoke 429s.
        """
        with self._lock:
            self._window_limit = window_limit
            self._window_seconds = window_seconds
            self._daily_limit = daily_limit
            self._buckets.clear()
            self._daily = _Bucket(daily_limit, 86_400.0)
            self._blocked_until.clear()

    def _take_fault(self, endpoint: str) -> XFault | None:
        for fault in self._faults:
            if fault.endpoint is not None and fault.endpoint != endpoint:
                continue
            fault.hits += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    def _bucket(self, endpoint: str, now: float) -> _Bucket:
        bucket = self._buckets.get(endpoint)
        if bucket is None:
            limit = self._window_limit if endpoint == TWEETS else 10_000
            bucket = _Bucket(limit, self._window_seconds)
            self._buckets[endpoint] = bucket
        bucket.refresh(now)
        return bucket

    def _rate_headers(self, endpoint: str, now: float) -> dict[str, str]:
        headers = self._bucket(endpoint, now).headers("x-rate-limit")
        if endpoint == TWEETS:
            self._daily.refresh(now)
            headers.update(self._daily.headers("x-user-limit-24hour"))
        return headers

    def _too_many(self, endpoint: str, reset_at: float, now: float) -> _ProblemError:
        self.count_429 += 1
        self._blocked_until[endpoint] = reset_at
        headers = self._rate_headers(endpoint, now)
        headers["x-rate-limit-reset"] = str(int(reset_at))
        headers["x-rate-limit-remaining"] = "0"
        error = _problem(429, "Too Many Requests")
        error.headers = headers
        return error

    def _admit(self, endpoint: str, now: float) -> None:
        """Count the request against its window (and the daily cap for new posts)."""
        blocked = self._blocked_until.get(endpoint)
        if blocked is not None:
            if now < blocked:
                self.early_retries += 1
            else:
                del self._blocked_until[endpoint]
        bucket = self._bucket(endpoint, now)
        if bucket.used >= bucket.limit:
            raise self._too_many(endpoint, bucket.reset_at, now)
        if endpoint == TWEETS:
            self._daily.refresh(now)
            if self._daily.used >= self._daily.limit:
                raise self._too_many(endpoint, self._daily.reset_at, now)
        bucket.used += 1

    # ------------------------------------------------------------------ HTTP layer

    @staticmethod
    def _endpoint(request: web.Request) -> str:
        path = request.path.rstrip("/") or "/"
        if re.fullmatch(r"/2/tweets/[^/]+", path):
            path = "/2/tweets/:id"
        return f"{request.method} {path}"

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        endpoint = self._endpoint(request)
        params: JSON = {}
        headers: dict[str, str] = {}
        try:
            params = await _read_body(request)
            routes: dict[str, Callable[[web.Request, JSON], tuple[int, JSON]]] = {
                TWEETS: self._create_tweet,
                "DELETE /2/tweets/:id": self._delete_tweet,
                "GET /2/users/me": self._me,
                "POST /2/media/upload": self._upload,
            }
            route = routes.get(endpoint)
            if route is None:
                raise _ProblemError(
                    404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}
                )
            with self._lock:
                self._authenticate(request)
                fault = self._take_fault(endpoint)
                if fault is not None and fault.kind != "timeout":
                    raise self._fault_error(fault, endpoint, arrived)
            if fault is not None:
                await asyncio.sleep(fault.delay)
            with self._lock:
                now = time.time()
                self._admit(endpoint, now)
                status, body = route(request, params)
                headers = self._rate_headers(endpoint, now)
        except _ProblemError as error:
            description = str(error.body.get("detail") or error.body.get("title") or error)
            self._log.append(Call(endpoint, params, arrived, error.status, description))
            if not error.headers and endpoint in self._buckets:
                with self._lock:
                    error.headers = self._rate_headers(endpoint, time.time())
            return web.json_response(error.body, status=error.status, headers=error.headers)
        self._log.append(Call(endpoint, params, arrived, status, None, body.get("data")))
        return web.json_response(body, status=status, headers=headers)

    def _authenticate(self, request: web.Request) -> None:
        authorization = request.headers.get("Authorization", "")
        found = _CONSUMER_KEY.search(authorization)
        if not authorization.startswith("OAuth ") or found is None or not found.group(1):
            raise _problem(401, "Unauthorized")
        self.consumer_keys.add(found.group(1))

    def _fault_error(self, fault: XFault, endpoint: str, now: float) -> _ProblemError:
        if fault.kind == "server_error":
            return _problem(503, "Service Unavailable")
        if fault.kind == "forbidden":
            return _problem(403, "Forbidden", "You are not permitted to perform this action.")
        if fault.kind == "unauthorized":
            return _problem(401, "Unauthorized")
        wall = time.time()
        return self._too_many(endpoint, wall + fault.reset_after, wall)

    # ---------------------------------------------------------------- endpoints

    def _new_id(self) -> str:
        milliseconds = int(time.time() * 1000) - _TWITTER_EPOCH_MS
        return str((milliseconds << 22) | (next(self._sequence) & 0x3FFFFF))

    def _create_tweet(self, request: web.Request, body: JSON) -> tuple[int, JSON]:
        text = body.get("text")
        media = body.get("media") if isinstance(body.get("media"), dict) else None
        media_ids = [str(m) for m in (media or {}).get("media_ids", [])]
        if not isinstance(text, str) or (not text and not media_ids):
            raise _ProblemError(
                400,
                {
                    "errors": [{"message": "text or media is required", "parameters": {}}],
                    **_INVALID,
                },
            )
        if _weighted_length(text) > MAX_WEIGHTED_LENGTH:
            raise _ProblemError(
                400,
                {
                    "errors": [
                        {"parameters": {"text": [text]}, "message": "Tweet text is too long."}
                    ],
                    **_INVALID,
                },
            )
        unknown = [m for m in media_ids if m not in self._media]
        if unknown:
            raise _ProblemError(
                400,
                {
                    "errors": [
                        {
                            "parameters": {"media.media_ids": unknown},
                            "message": "Your media IDs are invalid.",
                        }
                    ],
                    **_INVALID,
                },
            )
        if text and any(tweet["text"] == text for tweet in self._tweets.values()):
            raise _problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            )
        self._daily.used += 1
        tweet_id = self._new_id()
        self._tweets[tweet_id] = {
            "id": tweet_id,
            "text": text,
            "media_ids": media_ids,
            "reply": body.get("reply"),
            "created_at": time.time(),
        }
        return 201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}

    def _delete_tweet(self, request: web.Request, body: JSON) -> tuple[int, JSON]:
        tweet_id = request.path.rstrip("/").rsplit("/", 1)[-1]
        if self._tweets.pop(tweet_id, None) is None:
            raise _ProblemError(
                404,
                {
                    "title": "Not Found Error",
                    "detail": f"Could not find tweet with id: [{tweet_id}].",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                    "status": 404,
                },
            )
        self._deleted.append(tweet_id)
        return 200, {"data": {"deleted": True}}

    def _me(self, request: web.Request, body: JSON) -> tuple[int, JSON]:
        return 200, {"data": {"id": self.user_id, "name": self.name, "username": self.username}}

    def _upload(self, request: web.Request, body: JSON) -> tuple[int, JSON]:
        media = body.get("media")
        if not isinstance(media, tuple) or not media[1]:
            raise _ProblemError(
                400,
                {
                    "errors": [{"message": "media is required", "parameters": {"media": []}}],
                    **_INVALID,
                },
            )
        mime, data = media
        media_id = self._new_id()
        self._media[media_id] = {
            "size": len(data),
            "mime": mime,
            "category": body.get("media_category", "tweet_image"),
        }
        return 200, {
            "data": {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(data),
                "expires_after_secs": 86400,
                "image": {"image_type": mime, "w": 1200, "h": 675},
            }
        }


async def _read_body(request: web.Request) -> JSON:
    """The JSON body, or the form fields with files as ``(content_type, bytes)``."""
    if not request.body_exists:
        return {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise _ProblemError(
                400, {"errors": [{"message": "Request body is not valid JSON"}], **_INVALID}
            ) from error
        return body if isinstance(body, dict) else {}
    form = await request.post()
    fields: JSON = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            fields[key] = (value.content_type, value.file.read())
        else:
            fields[key] = str(value)
    return fields
