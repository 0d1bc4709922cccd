"""`POST /hooks/article`: the site's CMS announces an article the moment it is published.

The request body is JSON. Each request carries ``X-Nashir-Timestamp`` (Unix
seconds when it was signed), ``X-Nashir-Delivery`` (an id unique to this
announcement) and ``X-Nashir-Signature: sha256=<hex>``, the HMAC-SHA256 with
`NASHIR_HOOK_SECRET` of ``<timestamp>.<delivery>.<raw body>`` (as Stripe and
GitHub sign their webhooks). A signature older than `TOLERANCE`, or a
delivery id already received within that window, is refused, so a captured
request cannot be replayed to put an old headline back. Delivery ids are
remembered in the shared database for that window, so a replay sent to
another instance is refused too. The body names the article
by ``url`` and may carry what the CMS knows (``title``, ``summary``,
``section``, ``outlet``, ``tags``, ``image``, ``published_at`` in ISO 8601,
``guid``); what it lacks is read from the article page. The article then
takes the path a polled one takes (`Ingestor.store`: one dedup, then the
outbox), so a story announced here and polled later is one story; polling
stays on as the safety net.

Answers: 202 with ``{"status": "stored" | "known", "article": id}``, 401 for
a missing, wrong or expired signature, 409 for a delivery already received,
400 for a body that is not an article, 422 for an article whose link may not
be posted, 502 when the page cannot be read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.adapters.sources.sanitise import ItemRefused, shown_link
from bot.adapters.storage.articles import ArticleRepository
from bot.adapters.storage.database import Database
from bot.adapters.storage.flags import claim_once
from bot.adapters.web import RouteSetup
from bot.core.errors import NashirError
from bot.core.links import canonical_url
from bot.core.model import ArticleDraft
from bot.core.ports import Clock
from bot.services.ingest import Ingestor

log = logging.getLogger(__name__)

PATH = "/hooks/article"
SIGNATURE_HEADER = "X-Nashir-Signature"
TIMESTAMP_HEADER = "X-Nashir-Timestamp"
DELIVERY_HEADER = "X-Nashir-Delivery"
TOLERANCE = timedelta(minutes=5)
MAX_DELIVERY_ID = 200


def sign(secret: str, body: bytes, *, timestamp: int, delivery: str) -> str:
    """The signature header value of `body` sent at `timestamp` as `delivery`."""
    message = f"{timestamp}.{delivery}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str | None, *, timestamp: int, delivery: str) -> bool:
    """Whether `header` signs `body`, `timestamp` and `delivery` (constant-time comparison)."""
    expected = sign(secret, body, timestamp=timestamp, delivery=delivery)
    return bool(header) and hmac.compare_digest(expected, (header or "").strip())


class ReplayGuard:
    """Refuses signatures outside `window` of now, and delivery ids any instance saw within it."""

    def __init__(self, db: Database, window: timedelta = TOLERANCE) -> None:
        self.db = db
        self.window = window

    async def refusal(self, delivery: str, signed_at: datetime, now: datetime) -> str | None:
        """Why this delivery must be refused, or None (and it is remembered)."""
        if abs(now - signed_at) > self.window:
            minutes = int(self.window.total_seconds() // 60)
            return f"signature timestamp is more than {minutes} minutes from now"
        # A timestamp may lie up to `window` ahead: keep the id for twice the window.
        name = "hook:" + hashlib.sha256(delivery.encode()).hexdigest()[:40]
        if not await claim_once(self.db, name, now, forget_before=now - 2 * self.window):
            return "delivery already received"
        return None


def hook_routes(secret: SecretStr, db: Database, clock: Clock, ingestor: Ingestor) -> RouteSetup:
    """The route setup that `WebServer.add` takes."""
    replays = ReplayGuard(db)

    async def article_hook(request: web.Request) -> web.Response:
        body = await request.read()
        stamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
        delivery = request.headers.get(DELIVERY_HEADER, "").strip()
        if not stamp.isdigit() or not delivery or len(delivery) > MAX_DELIVERY_ID:
            log.warning("article hook refused: no timestamp or delivery id from %s", request.remote)
            error = f"{TIMESTAMP_HEADER} (Unix seconds) and {DELIVERY_HEADER} are required"
            return web.json_response({"error": error}, status=401)
        signature = request.headers.get(SIGNATURE_HEADER)
        if not verify(
            secret.get_secret_value(), body, signature, timestamp=int(stamp), delivery=delivery
        ):
            log.warning("article hook refused: bad signature from %s", request.remote)
            return web.json_response({"error": "bad signature"}, status=401)
        signed_at = datetime.fromtimestamp(min(int(stamp), 2**33), tz=UTC)
        refusal = await replays.refusal(delivery, signed_at, clock.now())
        if refusal is not None:
            log.warning("article hook refused (%s): delivery %r", refusal, delivery[:80])
            status = 409 if refusal == "delivery already received" else 401
            return web.json_response({"error": refusal}, status=status)
        try:
            draft = parse_announcement(body)
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        try:
            return web.json_response(await receive(db, ingestor, draft), status=202)
        except ItemRefused as exc:
            log.warning("article hook: %s refused: %s", shown_link(draft.url), exc)
            return web.json_response({"error": str(exc)}, status=422)
        except NashirError as exc:
            log.warning("article hook: could not read %s: %s", draft.url, exc)
            return web.json_response({"error": str(exc)}, status=502)

    def setup(application: web.Application) -> None:
        application.router.add_post(PATH, article_hook)

    return setup


async def receive(db: Database, ingestor: Ingestor, draft: ArticleDraft) -> dict[str, Any]:
    """Store the announced article (dedup as for a poll) and queue it when new."""
    if not draft.title:
        draft = await ingestor.read_url(draft.url)
    article = await ingestor.store(draft, source=None, announce=True)
    if article is not None:
        log.info("article hook: stored article %d", article.id)
        return {"status": "stored", "article": article.id}
    async with db.session() as session:
        known = await ArticleRepository(session).by_url(canonical_url(draft.url))
    return {"status": "known", "article": known.id if known else None}


def parse_announcement(body: bytes) -> ArticleDraft:
    """The draft a CMS announcement describes.

    Raises:
        ValueError: The body is not a JSON object with an http(s) ``url``.
    """
    try:
        data = json.loads(body)
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) address")
    published = None
    if data.get("published_at"):
        try:
            published = datetime.fromisoformat(str(data["published_at"]))
        except ValueError:
            raise ValueError("published_at must be ISO 8601") from None
        if published.tzinfo is None:
            raise ValueError("published_at must carry a time zone")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("tags must be a list of texts")
    body_text = data.get("body")
    return ArticleDraft(
        url=url,
        title=_text(data, "title") or "",
        guid=_text(data, "guid"),
        summary=_text(data, "summary"),
        section=_text(data, "section"),
        outlet=_text(data, "outlet"),
        image=_text(data, "image"),
        published_at=published,
        tags=tuple(tags),
        body=tuple(p for p in body_text.split("\n\n") if p.strip())
        if isinstance(body_text, str)
        else (),
    )


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a text")
    return value.strip() or None
