"""Compression bombs cost the fetcher about the cap in memory, whatever their shape.

Each bomb is served from 127.0.0.1 and fetched in a fresh Python process, so
the process's peak resident memory (``ru_maxrss``) shows what the fetch
itself cost: the peak after the bomb, less the peak after a warm-up fetch.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.adapters.sources.body_decoding import BoundedDecoder
from bot.adapters.sources.fetch import Fetcher
from bot.core.errors import FetchError

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 5_000_000
ALLOWANCE = 20_000_000
EXPANDED = 256 * 1024 * 1024
PAGE = "<html><body><p>خبر عاجل من المدينة</p></body></html>"

_PROBE = """
import asyncio, json, resource, sys
from bot.core.errors import FetchError
from bot.adapters.sources.fetch import Fetcher

def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

async def main(origin: str, path: str, max_bytes: int) -> None:
    async with Fetcher.create(
        version="1", homepage="https://example.com", allow_private=True, max_bytes=max_bytes
    ) as fetcher:
        await fetcher.fetch(origin + "/page")
        before = peak()
        try:
            result = await fetcher.fetch(origin + path)
            outcome = f"ok {len(result.content)}"
        except FetchError as exc:
            outcome = str(exc)
        print(json.dumps({"growth": peak() - before, "outcome": outcome}))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def _compress(chunks: Iterable[bytes], wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    out = [packer.compress(chunk) for chunk in chunks]
    out.append(packer.flush())
    return b"".join(out)


def _zeros() -> list[bytes]:
    block = bytes(1024 * 1024)
    return [block] * (EXPANDED // len(block))


@functools.cache
def gzip_bomb() -> bytes:
    return _compress(_zeros(), zlib.MAX_WBITS | 16)


@functools.cache
def deflate_bomb() -> bytes:
    return _compress(_zeros(), zlib.MAX_WBITS)


@functools.cache
def stacked_bomb() -> bytes:
    return _compress([gzip_bomb()], zlib.MAX_WBITS | 16)


def _app() -> web.Application:
    def sender(
        body: Callable[[], bytes], encoding: str
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def send(request: web.Request) -> web.Response:
            headers = {"Content-Encoding": encoding, "Content-Type": "text/html"}
            return web.Response(body=body(), headers=headers)

        return send

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        body = gzip_bomb()
        try:
            for start in range(0, len(body), 8192):
                await response.write(body[start : start + 8192])
        except ConnectionError:
            pass
        return response

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/gzip", sender(gzip_bomb, "gzip"))
    app.router.add_get("/gzip-gzip", sender(stacked_bomb, "gzip, gzip"))
    app.router.add_get("/deflate", sender(deflate_bomb, "deflate"))
    app.router.add_get("/br", sender(lambda: os.urandom(4096), "br"))
    app.router.add_get("/chunked", chunked)
    app.router.add_get(
        "/page-gzip-gzip",
        sender(
            lambda: zlib.compress(
                zlib.compress(PAGE.encode(), wbits=zlib.MAX_WBITS | 16), wbits=zlib.MAX_WBITS | 16
            ),
            "gzip, gzip",
        ),
    )
    app.router.add_get(
        "/page-raw-deflate",
        sender(lambda: zlib.compress(PAGE.encode(), wbits=-zlib.MAX_WBITS), "deflate"),
    )
    return app


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    server = TestServer(_app(), host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


async def _probe(origin: str, path: str) -> dict[str, object]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _PROBE,
        origin,
        path,
        str(MAX_BYTES),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    result: dict[str, object] = json.loads(out)
    return result


@pytest.mark.parametrize(
    ("path", "refusal"),
    [
        ("/gzip", "body larger than 5 MB"),
        ("/gzip-gzip", "body larger than 5 MB"),
        ("/deflate", "body larger than 5 MB"),
        ("/chunked", "body larger than 5 MB"),
        ("/br", "body compressed as 'br', which is not decoded"),
    ],
)
async def test_a_bomb_is_refused_within_the_cap_of_memory(
    origin: str, path: str, refusal: str
) -> None:
    probe = await _probe(origin, path)
    assert probe["outcome"] == refusal
    growth = probe["growth"]
    assert isinstance(growth, int)
    assert growth < MAX_BYTES + ALLOWANCE, f"peak memory rose by {growth / 1e6:.0f} MB"


@pytest.mark.parametrize("path", ["/page-gzip-gzip", "/page-raw-deflate"])
async def test_honest_compressed_pages_still_decode(origin: str, path: str) -> None:
    async with Fetcher.create(version="1", homepage="https://example.com", allow_private=True) as f:
        result = await f.fetch(origin + path)
    assert result.text == PAGE


def test_each_layer_counts_against_the_cap() -> None:
    decoder = BoundedDecoder("gzip, gzip", max_bytes=MAX_BYTES, url="https://example.com/feed")
    pieces: list[int] = []

    def drain() -> None:
        pieces.extend(len(piece) for piece in decoder.feed(stacked_bomb()))

    with pytest.raises(FetchError, match="body larger than 5 MB") as caught:
        drain()
    assert max(pieces) <= 64 * 1024
    assert MAX_BYTES - 64 * 1024 <= sum(pieces) <= MAX_BYTES
    assert caught.value.url == "https://example.com/feed"


def test_broken_compressed_data_names_the_layer() -> None:
    decoder = BoundedDecoder("gzip", max_bytes=MAX_BYTES, url="https://example.com/feed")
    with pytest.raises(FetchError, match=r"could not be decompressed \(gzip\)"):
        list(decoder.feed(b"\x1f\x8b\x08\x00garbage that is not deflate at all"))
