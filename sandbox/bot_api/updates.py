"""How updates reach the bot: ``getUpdates`` long polling or a webhook push.

Telegram keeps an update until the bot confirms it (a later ``offset``, or a 2xx
from the webhook) and allows one consumer at a time, answering 409 to the other;
the fake keeps the same rules, so restarts and mode switches can be tested.
Every 409 that reaches a live client is counted (``count_409``, in `fake`):
benchmarks of several instances report it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import time
from typing import Any

import aiohttp

from sandbox.bot_api.models import (
    DEFAULT_UPDATE_TYPES,
    JSON,
    Webhook,
    WebhookDelivery,
    update_type,
)
from sandbox.bot_api.state import FakeState
from sandbox.bot_api.wire import ApiError, Described, bad_request

__all__ = ["Updates"]

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Updates(FakeState):
    """The update queue, getUpdates, the webhook methods and the webhook's sender."""

    def _enqueue(self, update: JSON) -> None:
        with self._lock:
            self._updates.append(update)
        self._notify()

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        for event in self._waiters:
            event.set()
        if self._webhook_wakeup is not None:
            self._webhook_wakeup.set()

    async def _get_updates(self, params: JSON) -> list[JSON]:
        with self._lock:
            if self._webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        self._wake()  # a poll that was waiting is now terminated by this one
        offset = params.get("offset")
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        try:
            wait = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            wait = 0.0
        deadline = time.monotonic() + wait
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            while True:
                with self._lock:
                    if generation != self._poll_generation:
                        raise ApiError(
                            409,
                            "Conflict: terminated by other getUpdates request; make sure "
                            "that only one bot instance is running",
                        )
                    if self._webhook is not None:
                        raise ApiError(409, "Conflict: terminated by setWebhook request")
                    ready = self._take_updates(offset, limit)
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return ready
                event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            self._waiters.discard(event)

    def _take_updates(self, offset: Any, limit: int) -> list[JSON]:
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        self._updates = [u for u in self._updates if update_type(u) in self._allowed_updates]
        return copy.deepcopy(self._updates[:limit])

    def _set_webhook(self, params: JSON) -> Described:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if params.get("drop_pending_updates"):
            self._updates.clear()
        max_connections = params.get("max_connections")
        self._webhook = Webhook(
            url=url,
            secret_token=str(secret) if secret is not None else None,
            max_connections=max_connections if isinstance(max_connections, int) else 40,
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self._wake()
        return Described(True, "Webhook was set")

    def _delete_webhook(self, params: JSON) -> Described:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if self._webhook is None:
            return Described(True, "Webhook is already deleted")
        self._webhook = None
        return Described(True, "Webhook was deleted")

    def _get_webhook_info(self, params: JSON) -> JSON:
        hook = self._webhook
        info: JSON = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _webhook_worker(self, session: aiohttp.ClientSession) -> None:
        """Push queued updates to the webhook one at a time, retrying failures.

        Runs on the server's loop for the server's lifetime; like Telegram, an
        update stays queued until the webhook answers 2xx.
        """
        assert self._webhook_wakeup is not None
        wakeup = self._webhook_wakeup
        while True:
            await wakeup.wait()
            wakeup.clear()
            while True:
                with self._lock:
                    hook = self._webhook
                    queued = [u for u in self._updates if update_type(u) in self._allowed_updates]
                    if hook is None or not queued:
                        break
                    update = queued[0]
                status, error = await _push(session, hook, update)
                with self._lock:
                    self._webhook_deliveries.append(
                        WebhookDelivery(update["update_id"], status, error, time.monotonic())
                    )
                    if status is not None and 200 <= status < 300:
                        self._updates = [
                            u for u in self._updates if u["update_id"] != update["update_id"]
                        ]
                        continue
                    hook.last_error_date = int(time.time())
                    hook.last_error_message = error or f"Wrong response from the webhook: {status}"
                await asyncio.sleep(self.webhook_retry_delay)


async def _push(
    session: aiohttp.ClientSession, hook: Webhook, update: JSON
) -> tuple[int | None, str | None]:
    headers = {"Content-Type": "application/json"}
    if hook.secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
    try:
        async with session.post(
            hook.url,
            data=json.dumps(update, ensure_ascii=False).encode(),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=10),
        ) as response:
            await response.read()
            return response.status, None
    except (aiohttp.ClientError, TimeoutError) as error:
        return None, f"Connection failed: {error!r}"
