"""Nashir's own HTTP server: one aiohttp app that features add their routes to.

The site's CMS hook, the Telegram webhook, metrics and health checks each
register routes through `WebServer.add`; nothing listens unless a port is
configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

log = logging.getLogger(__name__)

RouteSetup = Callable[[web.Application], None]


class WebServer:
    """An aiohttp server started and stopped with the app."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.application = web.Application(client_max_size=2 * 1024 * 1024)
        self._runner: web.AppRunner | None = None

    def add(self, setup: RouteSetup) -> None:
        """Let a feature register its routes (before `start`)."""
        setup(self.application)

    async def start(self) -> None:
        """Listen; port 0 picks a free port, readable from `port` afterwards."""
        self._runner = web.AppRunner(self.application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)  # bound sockets are only here
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("HTTP server listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and finish open requests."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The root URL (after `start`)."""
        return f"http://{self.host}:{self.port}"
