"""The fetcher against a real HTTP server on 127.0.0.1, and the address guard it uses."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpcore
import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiohttp.typedefs import Handler

from bot.adapters import netguard
from bot.adapters.netguard import check_public_url, is_public_ip, parse_ip_literal
from bot.adapters.sources.fetch import Fetcher, FetchResult
from bot.core.errors import FetchError, HTTPStatusError, UnsafeURLError

PARAGRAPH = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة، وقال الوزير إن المشروع سيخدم الآلاف."
)
PAGE = f"<html><head><title>خبر</title></head><body><p>{PARAGRAPH}</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256))
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 01 Apr 2026 08:00:00 GMT"
HUGE = 50 * 1024 * 1024
CHUNK = 64 * 1024
MAX_BYTES = 5_000_000
VERSION = "1.2.3"
HOMEPAGE = "https://example-news.net/bot"


@dataclass
class Site:
    """What the test server saw and did."""

    requests: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    sent: int = 0
    stream_done: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    async def count(self, request: web.Request) -> None:
        self.requests.append(request.path_qs)
        self.headers = dict(request.headers)


def _app(site: Site) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html", charset="utf-8")

    async def etag(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(text=PAGE, content_type="text/html", headers={"ETag": ETAG})

    async def last_modified(request: web.Request) -> web.Response:
        if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304)  # validator left out, as some servers do
        headers = {"Last-Modified": LAST_MODIFIED}
        return web.Response(text=PAGE, content_type="text/html", headers=headers)

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="nope")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.wait_for(site.release.wait(), 10)
        return web.Response(text="too late")

    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        try:
            while not site.release.is_set():
                await response.write(b".")
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass
        return response

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        if request.query.get("announce"):
            response.content_length = HUGE
        await response.prepare(request)
        chunk = b"a" * CHUNK
        try:
            if request.query.get("announce"):
                await response.write(chunk)
                site.sent += len(chunk)
                await asyncio.wait_for(site.release.wait(), 10)
            while site.sent < HUGE:
                await response.write(chunk)
                site.sent += len(chunk)
        except ConnectionError:
            pass
        finally:
            site.stream_done.set()
        return response

    async def redirect(request: web.Request) -> web.Response:
        hops = int(request.match_info["hops"])
        if hops == 0:
            return web.Response(text="final")
        raise web.HTTPFound(f"{hops - 1}")  # relative to /redirect/

    async def redirect_to(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(request.query["to"])

    async def no_location(request: web.Request) -> web.Response:
        return web.Response(status=302)

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def data(request: web.Request) -> web.Response:
        return web.json_response({"title": "خبر"})

    async def windows_1256(request: web.Request) -> web.Response:
        content_type = "text/html; charset=windows-1256"
        if request.query.get("label") == "none":
            content_type = "text/html"
        body = PAGE.encode("cp1256")
        return web.Response(body=body, headers={"Content-Type": content_type})

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        await site.count(request)
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_get("/page", page)
    app.router.add_get("/etag", etag)
    app.router.add_get("/last-modified", last_modified)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/slow", slow)
    app.router.add_get("/drip", drip)
    app.router.add_get("/huge", huge)
    app.router.add_get("/redirect/{hops}", redirect)
    app.router.add_get("/redirect-to", redirect_to)
    app.router.add_get("/no-location", no_location)
    app.router.add_get("/image.png", image)
    app.router.add_get("/data.json", data)
    app.router.add_get("/windows-1256", windows_1256)
    return app


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    state = Site()
    server = TestServer(_app(state), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    state.port = server.port
    yield state
    state.release.set()
    await server.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher.create(
        version=VERSION,
        homepage=HOMEPAGE,
        connect_timeout=2,
        read_timeout=2,
        max_bytes=MAX_BYTES,
        allow_private=True,
    ) as fetcher:
        yield fetcher


# -- success ---------------------------------------------------------------------------


async def test_page_is_fetched_and_decoded(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(site.url("/page"))
    assert result.url == site.url("/page")
    assert result.status == 200
    assert result.content == PAGE.encode()
    assert PARAGRAPH in result.text
    assert result.encoding == "utf-8"
    assert result.content_type == "text/html; charset=utf-8"
    assert not result.not_modified
    assert 0 < result.elapsed < 5


async def test_requests_name_the_bot_and_ask_for_arabic(site: Site, fetcher: Fetcher) -> None:
    await fetcher.fetch(site.url("/page"))
    assert site.headers["User-Agent"] == f"Nashir/{VERSION} (+{HOMEPAGE})"
    assert site.headers["Accept-Language"].startswith("ar")
    assert "If-None-Match" not in site.headers


async def test_result_is_immutable(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(site.url("/page"))
    with pytest.raises(AttributeError):
        result.status = 500  # type: ignore[misc]


# -- conditional requests --------------------------------------------------------------


async def test_etag_makes_the_next_fetch_a_304(site: Site, fetcher: Fetcher) -> None:
    first = await fetcher.fetch(site.url("/etag"))
    assert first.etag == ETAG
    second = await fetcher.fetch(site.url("/etag"), etag=first.etag)
    assert site.headers["If-None-Match"] == ETAG
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert second.text == ""
    assert second.etag == ETAG


async def test_last_modified_makes_the_next_fetch_a_304(site: Site, fetcher: Fetcher) -> None:
    first = await fetcher.fetch(site.url("/last-modified"))
    assert first.last_modified == LAST_MODIFIED
    second = await fetcher.fetch(site.url("/last-modified"), last_modified=first.last_modified)
    assert site.headers["If-Modified-Since"] == LAST_MODIFIED
    assert second.not_modified
    assert second.content == b""
    # the 304 left the validator out: the one we sent is still the one to keep
    assert second.last_modified == LAST_MODIFIED


async def test_changed_resource_answers_200_despite_validators(
    site: Site, fetcher: Fetcher
) -> None:
    result = await fetcher.fetch(site.url("/etag"), etag='"old"')
    assert not result.not_modified
    assert result.etag == ETAG


# -- failures --------------------------------------------------------------------------


@pytest.mark.parametrize("code", [404, 410, 429, 500, 503])
async def test_error_status_is_a_fetch_error_with_the_status(
    site: Site, fetcher: Fetcher, code: int
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(site.url(f"/status/{code}"))
    assert isinstance(caught.value, FetchError)
    assert caught.value.status == code
    assert str(caught.value) == f"HTTP {code}"
    assert caught.value.url == site.url(f"/status/{code}")


async def test_slow_server_times_out_quickly(site: Site) -> None:
    started = time.monotonic()
    async with Fetcher.create(
        version=VERSION, homepage=HOMEPAGE, read_timeout=0.2, allow_private=True
    ) as fetcher:
        with pytest.raises(FetchError, match=r"timed out after 0\.2s"):
            await fetcher.fetch(site.url("/slow"))
    assert time.monotonic() - started < 2


async def test_dripping_server_hits_the_overall_deadline(site: Site) -> None:
    started = time.monotonic()
    async with Fetcher.create(
        version=VERSION, homepage=HOMEPAGE, read_timeout=1, deadline=0.3, allow_private=True
    ) as fetcher:
        with pytest.raises(FetchError, match=r"took longer than 0\.3s"):
            await fetcher.fetch(site.url("/drip"))
    assert time.monotonic() - started < 2


async def test_refused_connection_names_the_reason(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection failed: connection refused") as caught:
        await fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert caught.value.url == f"http://127.0.0.1:{port}/feed.xml"


async def test_endless_body_is_cut_off_soon_after_the_cap(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="body larger than 5 MB"):
        await fetcher.fetch(site.url("/huge"))
    await asyncio.wait_for(site.stream_done.wait(), 5)
    # Socket buffers hold a few megabytes more than we read; the rest is never sent.
    assert MAX_BYTES < site.sent < HUGE // 2


async def test_announced_large_body_is_refused_before_reading(site: Site, fetcher: Fetcher) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="body larger than 5 MB"):
        await fetcher.fetch(site.url("/huge?announce=1"))
    # the server stalls after its first chunk: waiting for the body would take 2s
    assert time.monotonic() - started < 1
    await asyncio.wait_for(site.stream_done.wait(), 5)
    assert site.sent == CHUNK


# -- redirects -------------------------------------------------------------------------


async def test_redirect_chain_is_followed(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(site.url("/redirect/5"))
    assert result.url == site.url("/redirect/0")
    assert result.text == "final"
    assert len(site.requests) == 6


async def test_too_many_redirects(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetcher.fetch(site.url("/redirect/6"))
    assert len(site.requests) == 6  # the seventh hop is never requested


async def test_redirect_limit_is_configurable(site: Site) -> None:
    async with Fetcher.create(
        version=VERSION, homepage=HOMEPAGE, max_redirects=1, allow_private=True
    ) as fetcher:
        assert (await fetcher.fetch(site.url("/redirect/1"))).text == "final"
        with pytest.raises(FetchError, match=r"more than 1 redirect$"):
            await fetcher.fetch(site.url("/redirect/2"))


async def test_redirect_without_location_is_an_error(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(HTTPStatusError, match="HTTP 302 without a Location") as caught:
        await fetcher.fetch(site.url("/no-location"))
    assert caught.value.status == 302


async def test_redirect_to_another_scheme_is_refused(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(UnsafeURLError, match="scheme file: is not allowed"):
        await fetcher.fetch(site.url("/redirect-to?to=file:///etc/passwd"))


# -- refusing private addresses --------------------------------------------------------


async def test_local_server_is_refused_without_allow_private(site: Site) -> None:
    async with Fetcher.create(version=VERSION, homepage=HOMEPAGE) as fetcher:
        with pytest.raises(UnsafeURLError, match=r"address 127\.0\.0\.1 is private"):
            await fetcher.fetch(site.url("/page"))
    assert site.requests == []


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("http://169.254.169.254/latest/meta-data/", r"address 169\.254\.169\.254 is private"),
        ("http://10.0.0.1/admin", r"address 10\.0\.0\.1 is private"),
        ("http://2130706433:{port}/page", r"address 127\.0\.0\.1 is private"),
        ("http://0x7f.1:{port}/page", r"address 127\.0\.0\.1 is private"),
        ("http://[::ffff:127.0.0.1]:{port}/page", "is private"),
    ],
)
async def test_every_redirect_hop_is_checked(site: Site, target: str, refusal: str) -> None:
    async def trust_the_test_server(url: str, *, allow_private: bool) -> None:
        if not url.startswith(site.origin + "/"):
            await check_public_url(url, allow_private=allow_private)

    location = target.format(port=site.port)
    start = site.url(f"/redirect-to?{httpx.QueryParams({'to': location})}")
    async with Fetcher.create(
        version=VERSION,
        homepage=HOMEPAGE,
        guard=trust_the_test_server,
        transport=httpx.AsyncHTTPTransport(),  # the per-hop check alone, not the connect-time one
    ) as fetcher:
        with pytest.raises(UnsafeURLError, match=refusal) as caught:
            await fetcher.fetch(start)
    assert caught.value.url is not None
    assert not caught.value.url.startswith(site.origin)
    assert len(site.requests) == 1  # the first hop only; the refused one is never contacted


async def test_a_name_that_turns_private_between_check_and_connect_is_refused(
    site: Site,
) -> None:
    async def dns_said_public_when_checked(url: str, *, allow_private: bool) -> None:
        return None  # a rebinding DNS server: a public answer first, loopback next

    async with Fetcher.create(
        version=VERSION, homepage=HOMEPAGE, guard=dns_said_public_when_checked
    ) as fetcher:
        with pytest.raises(UnsafeURLError, match=r"address (127\.0\.0\.1|::1) is private"):
            await fetcher.fetch(f"http://localhost:{site.port}/page")
    assert site.requests == []


class _RecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(  # type: ignore[override]
        self, host: str, port: int, **options: object
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded, not connected")


async def test_the_connection_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = iter([["8.8.8.8"], ["127.0.0.1"]])  # what a rebinding server would say next

    async def resolve(host: str, url: str) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address(a) for a in next(answers)]

    monkeypatch.setattr(netguard, "_resolve", resolve)
    inner = _RecordingBackend()
    backend = netguard.PublicOnlyBackend(inner)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("news.example", 443)
    assert inner.hosts == ["8.8.8.8"]
    with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1 is private"):
        await backend.connect_tcp("news.example", 443)
    assert inner.hosts == ["8.8.8.8"]
    with pytest.raises(UnsafeURLError, match="unix sockets"):
        await backend.connect_unix_socket("/run/postgresql/.s.PGSQL.5432")


# -- what the body is ------------------------------------------------------------------


async def test_binary_body_is_kept_and_not_decoded(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(site.url("/image.png"))
    assert result.content == PNG
    assert result.content_type == "image/png"
    assert result.text == ""
    assert result.encoding is None


async def test_json_body_is_decoded(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(site.url("/data.json"))
    assert json.loads(result.text) == {"title": "خبر"}


@pytest.mark.parametrize("label", ["header", "none"])
async def test_windows_1256_page(site: Site, fetcher: Fetcher, label: str) -> None:
    result = await fetcher.fetch(site.url(f"/windows-1256?label={label}"))
    assert PARAGRAPH in result.text
    assert result.encoding == "cp1256"


# -- ownership -------------------------------------------------------------------------


async def test_a_client_passed_in_stays_open(site: Site) -> None:
    async with httpx.AsyncClient() as client:
        fetcher = Fetcher(client, allow_private=True)
        result: FetchResult = await fetcher.fetch(site.url("/page"))
        await fetcher.aclose()
        assert not client.is_closed
        assert result.status == 200


async def test_a_client_that_follows_redirects_is_rejected() -> None:
    async with httpx.AsyncClient(follow_redirects=True) as client:
        with pytest.raises(ValueError, match="must not follow redirects"):
            Fetcher(client)


# -- the address guard on its own ------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "::1", "::",
        "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "2002:7f00:1::", "64:ff9b::a00:1", "2001:db8::1", "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert not is_public_ip(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8", "[2606:4700::1]"]
)
def test_public_addresses(address: str) -> None:
    assert is_public_ip(address)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.0.258", "10.0.1.2"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::1]", "::1"),
    ],
)
def test_ip_literals_in_every_form_the_resolver_accepts(host: str, address: str) -> None:
    assert str(parse_ip_literal(host)) == address


@pytest.mark.parametrize("host", ["example-news.net", "1.2.3.example", "08.1", "موقع.مصر"])
def test_names_are_not_ip_literals(host: str) -> None:
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1/", r"address 127\.0\.0\.1 is private \(loopback\)"),
        ("http://2130706433/", r"address 127\.0\.0\.1 is private"),
        ("https://0x7f.1/", r"address 127\.0\.0\.1 is private"),
        ("http://0177.0.0.01:8080/", r"address 127\.0\.0\.1 is private"),
        ("http://10.0.0.5/", r"address 10\.0\.0\.5 is private$"),
        ("http://169.254.169.254/latest", r"is private \(link-local\)"),
        ("http://[::1]/", r"address ::1 is private"),
        ("http://[::ffff:7f00:1]/", "is private"),
        ("http://[fe80::1%25eth0]/", "is private"),
        ("http://0.0.0.0/", r"is private \(unspecified\)"),
        ("http://224.0.0.251/", r"is private \(multicast\)"),
        ("http://1.2.3.4.5/", "not a valid address"),
        ("http://4294967296/", "not a valid address"),
        ("ftp://example-news.net/", "scheme ftp: is not allowed"),
        ("javascript:alert(1)", "scheme javascript: is not allowed"),
        ("//example-news.net/", "no scheme is not allowed"),
        ("http:///path", "URL has no host"),
        ("http://[::1/", "not a valid URL"),
    ],
)
async def test_check_public_url_refuses(url: str, refusal: str) -> None:
    with pytest.raises(UnsafeURLError, match=refusal) as caught:
        await check_public_url(url)
    assert caught.value.url == url


@pytest.mark.parametrize("url", ["http://8.8.8.8/", "https://[2606:4700::1]:8443/feed"])
async def test_check_public_url_accepts_public_literals(url: str) -> None:
    await check_public_url(url)


async def test_allow_private_skips_only_the_address_check() -> None:
    await check_public_url("http://127.0.0.1:8080/", allow_private=True)
    await check_public_url("http://10.0.0.1/", allow_private=True)
    with pytest.raises(UnsafeURLError, match="scheme file:"):
        await check_public_url("file:///etc/passwd", allow_private=True)
