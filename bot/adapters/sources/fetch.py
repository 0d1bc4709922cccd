"""Download a page or feed safely: every source reads the web through `Fetcher`.

The limits here are what keeps a hostile or broken site from hurting the bot:

* Redirects are followed by hand, not by httpx, so that every hop passes the
  address guard (`bot.adapters.netguard`); otherwise a public URL could bounce the
  bot to ``169.254.169.254``. The connection itself goes only to the public
  address the guard checked (`PublicTransport`), so DNS cannot change its
  answer in between.
* The body is streamed and reading stops as soon as it passes `max_bytes`
  (or when ``Content-Length`` announces more), so a 5 GB "feed" costs a few
  megabytes at most; the cap counts decoded bytes as each layer of
  ``Content-Encoding`` produces them (`bot.adapters.sources.body_decoding`), so a
  gzip bomb, stacked or not, stops at the cap too.
* Connect and read timeouts bound each network wait, and `deadline` bounds
  the whole fetch, because a server dripping one byte every few seconds
  never trips a read timeout.
* Conditional requests (ETag, Last-Modified) make the common "nothing new"
  poll a bodiless 304.

Every failure leaves as a `bot.core.errors.FetchError` whose message reads well in
a log line; HTTP statuses as `HTTPStatusError`, which also carries `status`.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Protocol, Self

import httpcore
import httpx

from bot.adapters.netguard import PublicOnlyBackend, check_public_url
from bot.adapters.sources.body_decoding import ACCEPTED as ACCEPTED_ENCODINGS
from bot.adapters.sources.body_decoding import BoundedDecoder
from bot.adapters.sources.charset import decode_body
from bot.core.errors import FetchError, HTTPStatusError, UnsafeURLError

DEFAULT_MAX_BYTES: Final = 5_000_000
DEFAULT_MAX_REDIRECTS: Final = 5
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_READ_TIMEOUT: Final = 10.0
DEFAULT_DEADLINE: Final = 60.0

_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_ACCEPT: Final = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,*/*;q=0.8"
)
_TEXT_SUBTYPES: Final = frozenset({"xml", "json", "javascript", "x-javascript", "ecmascript"})
_BINARY_MAIN_TYPES: Final = frozenset({"image", "audio", "video", "font", "model"})
_BINARY_TYPES: Final = frozenset(
    {
        "application/gzip", "application/pdf", "application/wasm", "application/x-gzip",
        "application/x-tar", "application/zip",
    }
)  # fmt: skip
_SNIFF_BYTES: Final = 1024


class URLGuard(Protocol):
    """Decides whether one URL may be fetched; `check_public_url` is the real one."""

    async def __call__(self, url: str, *, allow_private: bool) -> None:
        """Raise `UnsafeURLError` (or `FetchError`) to refuse `url`."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful fetch.

    Attributes:
        url: The final URL, after redirects; relative links resolve against it.
        status: HTTP status of the final response (304 when not modified).
        content: The body; empty when not modified.
        text: The body decoded (`bot.adapters.sources.charset.decode_body`); empty for
            binary bodies such as images, and when not modified.
        encoding: Codec that produced `text`, or None when nothing was decoded.
        content_type: The ``Content-Type`` header as sent, if any.
        etag: Validator to send as ``If-None-Match`` next time.
        last_modified: Validator to send as ``If-Modified-Since`` next time.
        not_modified: The server confirmed the copy we hold is current.
        elapsed: Seconds the whole fetch took, redirects included.
    """

    url: str
    status: int
    content: bytes
    text: str
    encoding: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float


def user_agent(version: str, homepage: str) -> str:
    """The User-Agent every request sends, so site operators can reach us."""
    return f"Nashir/{version} (+{homepage})"


class PublicTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over `bot.adapters.netguard.PublicOnlyBackend`.

    httpx 0.28 takes no network backend as an argument, so the connection pool
    is rebuilt with one, with httpx's default TLS and pool settings. Proxies
    from the environment are not used: a proxy would resolve the host itself.
    """

    def __init__(self) -> None:
        super().__init__()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PublicOnlyBackend(),
        )


class Fetcher:
    """Fetches URLs through a shared `httpx.AsyncClient` under Nashir's limits.

    The client passed in stays the caller's to close; one built by `create`
    belongs to the fetcher and is closed by `aclose` (or ``async with``). The
    client must not follow redirects itself, or the guard sees only the first
    hop.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        deadline: float | None = DEFAULT_DEADLINE,
        allow_private: bool = False,
        guard: URLGuard = check_public_url,
    ) -> None:
        if client.follow_redirects:
            raise ValueError("the client must not follow redirects: the fetcher checks each hop")
        self._client = client
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._deadline = deadline
        self._allow_private = allow_private
        self._guard = guard
        self._owns_client = False

    @classmethod
    def create(
        cls,
        *,
        version: str,
        homepage: str,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        allow_private: bool = False,
        guard: URLGuard = check_public_url,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Fetcher:
        """Build a fetcher with its own client, closed by `aclose`.

        Args:
            version: Nashir's version, for the User-Agent.
            homepage: Where a site operator learns what the bot is.
            connect_timeout: Seconds to open a connection.
            read_timeout: Seconds to wait for each piece of the response
                (also used for writes and for a free pooled connection).
            deadline: Seconds for the whole fetch, redirects included; None
                for no overall limit.
            max_bytes: Largest body read; more is an error, not a truncation,
                because half a feed parses as a different feed.
            max_redirects: Hops followed before giving up.
            allow_private: Let URLs reach private and loopback addresses.
            guard: The per-hop URL check.
            transport: Replaces the network (tests). By default connections
                go only to public addresses (`PublicTransport`), unless
                `allow_private`.
        """
        if transport is None and not allow_private:
            transport = PublicTransport()
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            follow_redirects=False,
            headers={
                "User-Agent": user_agent(version, homepage),
                "Accept": _ACCEPT,
                "Accept-Language": "ar,en;q=0.8",
                "Accept-Encoding": ACCEPTED_ENCODINGS,
            },
            transport=transport,
        )
        fetcher = cls(
            client,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            deadline=deadline,
            allow_private=allow_private,
            guard=guard,
        )
        fetcher._owns_client = True
        return fetcher

    @property
    def allow_private(self) -> bool:
        """Whether private and loopback addresses may be reached (tests, the demo site)."""
        return self._allow_private

    async def aclose(self) -> None:
        """Close the client if `create` built it; a client passed in is left open."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url`, following redirects, conditionally when validators are given.

        Args:
            url: Absolute http(s) URL.
            etag: The ETag stored from the last fetch, sent as ``If-None-Match``.
            last_modified: The Last-Modified stored from the last fetch, sent
                as ``If-Modified-Since``.

        Returns:
            The result; `FetchResult.not_modified` is set on 304, and its
            validators fall back to the ones given when the 304 omits them.

        Raises:
            UnsafeURLError: A hop's scheme or address is not allowed.
            HTTPStatusError: The final status is not 2xx or 304.
            FetchError: Timeout, connection failure, body over `max_bytes`,
                too many redirects.
        """
        started = time.monotonic()
        current = _parse_url(url.strip(), url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(self._deadline):
                for _hop in range(self._max_redirects + 1):
                    await self._guard(str(current), allow_private=self._allow_private)
                    async with self._client.stream("GET", current, headers=headers) as response:
                        if response.status_code in _REDIRECT_STATUSES:
                            current = _redirect_target(response)
                            continue
                        return await self._result(
                            response, started, etag=etag, last_modified=last_modified
                        )
        except httpx.HTTPError as exc:
            raise self._translate(exc, str(current)) from exc
        except TimeoutError as exc:
            raise FetchError(
                f"took longer than {_seconds(self._deadline)} in all", url=str(current)
            ) from exc
        hops = self._max_redirects
        raise FetchError(f"more than {hops} redirect{'' if hops == 1 else 's'}", url=str(current))

    async def _result(
        self,
        response: httpx.Response,
        started: float,
        *,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        """Read the final response of a fetch into a `FetchResult`."""
        url = str(response.url)
        status = response.status_code
        content_type = response.headers.get("content-type")
        new_etag = response.headers.get("etag")
        new_last_modified = response.headers.get("last-modified")
        if status == 304:
            return FetchResult(
                url=url,
                status=status,
                content=b"",
                text="",
                encoding=None,
                content_type=content_type,
                etag=new_etag or etag,
                last_modified=new_last_modified or last_modified,
                not_modified=True,
                elapsed=time.monotonic() - started,
            )
        if not 200 <= status < 300:
            raise HTTPStatusError(f"HTTP {status}", url=url, status=status)
        content = await self._read_capped(response)
        text, encoding = "", None
        if _is_text(content_type, content):
            text, encoding = decode_body(content, content_type)
        return FetchResult(
            url=url,
            status=status,
            content=content,
            text=text,
            encoding=encoding,
            content_type=content_type,
            etag=new_etag,
            last_modified=new_last_modified,
            not_modified=False,
            elapsed=time.monotonic() - started,
        )

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """Read and decode the body, stopping the moment it passes `max_bytes`.

        The raw bytes go through `BoundedDecoder`, never httpx's decoders,
        which expand a whole network chunk before it can be counted.
        """
        url = str(response.url)
        decoder = BoundedDecoder(
            response.headers.get("content-encoding"), max_bytes=self._max_bytes, url=url
        )
        announced = response.headers.get("content-length", "")
        if announced.strip().isdigit() and int(announced) > self._max_bytes:
            raise decoder.too_large()
        body = bytearray()
        async for chunk in response.aiter_raw():
            for piece in decoder.feed(chunk):
                body += piece
                if len(body) > self._max_bytes:
                    raise decoder.too_large()
        return bytes(body)

    def _translate(self, exc: httpx.HTTPError, url: str) -> FetchError:
        """Turn an httpx error into a `FetchError` that names the reason."""
        timeout = self._client.timeout
        message: str
        if isinstance(exc, httpx.ConnectTimeout):
            message = f"connect timed out after {_seconds(timeout.connect)}"
        elif isinstance(exc, httpx.ReadTimeout):
            message = f"timed out after {_seconds(timeout.read)} waiting for the server"
        elif isinstance(exc, httpx.WriteTimeout):
            message = f"timed out after {_seconds(timeout.write)} sending the request"
        elif isinstance(exc, httpx.PoolTimeout):
            message = f"no free connection after {_seconds(timeout.pool)}"
        elif isinstance(exc, httpx.ConnectError):
            message = f"connection failed: {_os_reason(exc)}"
        elif isinstance(exc, httpx.RemoteProtocolError):
            message = f"server broke the HTTP protocol: {exc}"
        elif isinstance(exc, httpx.ReadError):
            message = f"connection lost while reading: {_os_reason(exc)}"
        elif isinstance(exc, httpx.DecodingError):
            message = f"body could not be decompressed: {exc}"
        else:
            message = f"{type(exc).__name__}: {exc}"
        return FetchError(message, url=url)


def _parse_url(text: str, shown: str) -> httpx.URL:
    """Parse `text` as httpx will request it, so the guard checks the same host."""
    try:
        return httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeURLError(f"not a valid URL ({exc})", url=shown) from exc


def _redirect_target(response: httpx.Response) -> httpx.URL:
    """Where a redirect points, resolved against the URL that sent it."""
    location = response.headers.get("location")
    here = str(response.url)
    if not location:
        status = response.status_code
        raise HTTPStatusError(f"HTTP {status} without a Location", url=here, status=status)
    try:
        return response.url.join(location.strip())
    except httpx.InvalidURL as exc:
        raise UnsafeURLError(f"redirect to an invalid URL {location!r}", url=here) from exc


def _is_text(content_type: str | None, content: bytes) -> bool:
    """Whether the body is worth decoding: text types, or untyped without NULs.

    Binary bodies are not decoded: it would only waste time in charset
    detection and produce noise. Untyped and ``application/octet-stream``
    bodies are sniffed, since some servers send feeds that way.
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    main, _, sub = mime.partition("/")
    if main == "text" or sub in _TEXT_SUBTYPES or sub.endswith(("+xml", "+json")):
        return True
    if main in _BINARY_MAIN_TYPES or mime in _BINARY_TYPES:
        return False
    return b"\x00" not in content[:_SNIFF_BYTES]


def _os_reason(exc: BaseException) -> str:
    """The operating system's words for a network failure ("connection refused").

    httpx wraps the socket error a few levels deep (and anyio replaces it
    with "All connection attempts failed"), so walk the chain to find it.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror) and seen.strerror:
            return seen.strerror.lower()
        if isinstance(seen, OSError) and seen.errno is not None and seen.errno in errno.errorcode:
            return os.strerror(seen.errno).lower()
        seen = seen.__cause__ or seen.__context__
    return str(exc) or type(exc).__name__


def _seconds(value: float | None) -> str:
    """Format a timeout for a log line: 10 → "10s", 0.25 → "0.25s"."""
    return "no limit" if value is None else f"{value:g}s"
