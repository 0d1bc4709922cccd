"""Serve a fake API on a free local port in a background thread, and log its calls.

The fakes must answer while the code under test blocks or runs its own event loop
(PTB's Application in a pytest-asyncio test, tweepy's synchronous requests, the
demo's main loop). A thread with a private event loop serves them all: nothing the
test does on its own loop can stall the server, and the server never needs the
caller's loop.

Both fakes record every request in a `CallLog`, which tests read and wait on from
any thread or event loop instead of sleeping for a fixed time.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = ["Call", "CallLog", "ServerThread", "wait_until", "wait_until_async"]

_POLL_INTERVAL = 0.005


@dataclass(frozen=True, slots=True)
class Call:
    """One request a fake received.

    Attributes:
        method: Bot API method in its canonical spelling (``sendMessage``) or, for
            the X fake, ``"POST /2/tweets"``-style verb and route.
        params: Parameters with form values converted to the types the API documents.
        time: ``time.monotonic()`` when the request arrived.
        status: HTTP status of the answer.
        description: Error description when the answer was an error.
        result: The answer's result (Bot API ``result``, X ``data``) when it succeeded.
    """

    method: str
    params: Mapping[str, Any]
    time: float
    status: int
    description: str | None = None
    result: Any = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the request succeeded (2xx)."""
        return 200 <= self.status < 300


CallMatch = Callable[[Call], bool] | str


def _matcher(match: CallMatch) -> Callable[[Call], bool]:
    if isinstance(match, str):
        wanted = match.lower()
        return lambda call: call.method.lower() == wanted
    return match


class CallLog:
    """Thread-safe, append-only record of calls that tests can wait on.

    Appending is O(1) and waiting scans only calls not yet examined, so a benchmark
    pushing thousands of requests per second pays nothing for the log.
    """

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._changed = threading.Condition()

    def append(self, call: Call) -> None:
        """Record a call and wake synchronous waiters."""
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def snapshot(self) -> list[Call]:
        """A copy of every call recorded so far, oldest first."""
        with self._changed:
            return list(self._calls)

    def clear(self) -> None:
        """Forget all calls."""
        with self._changed:
            self._calls.clear()

    def __len__(self) -> int:
        with self._changed:
            return len(self._calls)

    def _scan(self, match: Callable[[Call], bool], start: int) -> tuple[Call | None, int]:
        with self._changed:
            calls = self._calls[start:]
        for index, call in enumerate(calls):
            if match(call):
                return call, start + index
        return None, start + len(calls)

    def wait_for(self, match: CallMatch, timeout: float = 5.0) -> Call:
        """Block until a recorded call matches; earlier calls count too.

        Args:
            match: A predicate over `Call`, or a method name (case-insensitive).
            timeout: Seconds to wait before giving up.

        Raises:
            TimeoutError: If no call matched in time.
        """
        predicate, deadline, index = _matcher(match), time.monotonic() + timeout, 0
        while True:
            found, index = self._scan(predicate, index)
            if found is not None:
                return found
            with self._changed:
                if len(self._calls) == index:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(f"no call matching {match!r} within {timeout}s")
                    self._changed.wait(remaining)

    async def wait_for_async(self, match: CallMatch, timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """Like `wait_for`, but yields to the caller's event loop while waiting.

        Use this from async tests: a blocking wait would freeze the loop that runs
        the bot under test, so the awaited call could never be made.
        """
        predicate, deadline, index = _matcher(match), time.monotonic() + timeout, 0
        while True:
            found, index = self._scan(predicate, index)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no call matching {match!r} within {timeout}s")
            await asyncio.sleep(_POLL_INTERVAL)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds, for state that is not a call (a webhook push).

    Raises:
        TimeoutError: If the condition did not hold in time.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        time.sleep(_POLL_INTERVAL)


async def wait_until_async(condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Async `wait_until`, yielding to the caller's loop between polls.

    Raises:
        TimeoutError: If the condition did not hold in time.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(_POLL_INTERVAL)


class ServerThread:
    """Serve one ``aiohttp.web.Application`` on 127.0.0.1 until stopped.

    Use as a context manager, or call ``start()`` and ``stop()`` explicitly.
    The port is chosen by the operating system, so parallel tests never collide.
    """

    def __init__(
        self,
        app: web.Application,
        *,
        host: str = "127.0.0.1",
        startup_timeout: float = 10.0,
        shutdown_timeout: float = 1.0,
    ) -> None:
        self._app = app
        self._host = host
        self._startup_timeout = startup_timeout
        self._shutdown_timeout = shutdown_timeout
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        """Base URL such as ``http://127.0.0.1:54321``; only valid once started."""
        if self._port is None:
            raise RuntimeError("server is not running; call start() first")
        return f"http://{self._host}:{self._port}"

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("server is not running; call start() first")
        return self._port

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server thread's event loop, for scheduling work next to the handlers."""
        if self._loop is None:
            raise RuntimeError("server is not running; call start() first")
        return self._loop

    def start(self) -> Self:
        """Start serving and return once the socket accepts connections.

        Raises:
            RuntimeError: If the server is already running or did not start in time.
        """
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._ready.clear()
        self._failure = None
        self._thread = threading.Thread(target=self._run, name="sandbox-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(self._startup_timeout):
            raise RuntimeError("sandbox server did not start in time")
        if self._failure is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("sandbox server failed to start") from self._failure
        return self

    def stop(self) -> None:
        """Stop serving, run the application's cleanup hooks and join the thread."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        thread.join(self._shutdown_timeout + 10.0)
        self._thread = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start(); a thread cannot raise
            self._failure = exc
            self._ready.set()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                self._loop = None

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=self._shutdown_timeout)
        await runner.setup()
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, 0))
            self._port = sock.getsockname()[1]
            site = web.SockSite(runner, sock, backlog=1024)
            await site.start()
            self._ready.set()
            await self._stopping.wait()
        finally:
            await runner.cleanup()
