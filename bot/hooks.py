"""`POST /hooks/article`: the site's CMS announces an article the moment it is published.

The request body is JSON, signed with HMAC-SHA256 over the raw bytes using
`NASHIR_HOOK_SECRET`, the hex digest sent as ``X-Nashir-Signature:
sha256=<hex>`` (the GitHub webhook convention). The body names the article
by ``url`` and may carry what the CMS knows (``title``, ``summary``,
``section``, ``outlet``, ``tags``, ``image``, ``published_at`` in ISO 8601,
``guid``); what it lacks is read from the article page. The article then
takes the path a polled one takes (`Ingestor.store`: one dedup, then the
outbox), so a story announced here and polled later is one story; polling
stays on as the safety net.

Answers: 202 with ``{"status": "stored" | "known", "article": id}``, 401 for
a missing or wrong signature, 400 for a body that is not an article, 502 when
the page cannot be read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.errors import NashirError
from bot.links import canonical_url
from bot.model import ArticleDraft
from bot.storage.articles import ArticleRepository
from bot.web import RouteSetup

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

PATH = "/hooks/article"
SIGNATURE_HEADER = "X-Nashir-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header value of `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` (constant-time comparison)."""
    return bool(header) and hmac.compare_digest(sign(secret, body), (header or "").strip())


def hook_routes(app: App) -> RouteSetup:
    """The route setup that `WebServer.add` takes."""

    async def article_hook(request: web.Request) -> web.Response:
        secret = app.settings.hook_secret
        if secret is None:
            raise web.HTTPNotFound()
        body = await request.read()
        if not verify(secret.get_secret_value(), body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("article hook refused: bad signature from %s", request.remote)
            return web.json_response({"error": "bad signature"}, status=401)
        try:
            draft = parse_announcement(body)
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        try:
            return web.json_response(await receive(app, draft), status=202)
        except NashirError as exc:
            log.warning("article hook: could not read %s: %s", draft.url, exc)
            return web.json_response({"error": str(exc)}, status=502)

    def setup(application: web.Application) -> None:
        application.router.add_post(PATH, article_hook)

    return setup


async def receive(app: App, draft: ArticleDraft) -> dict[str, Any]:
    """Store the announced article (dedup as for a poll) and queue it when new."""
    if not draft.title:
        draft = await app.ingestor.read_url(draft.url)
    article = await app.ingestor.store(draft, source=None, announce=True)
    if article is not None:
        log.info("article hook: stored article %d", article.id)
        return {"status": "stored", "article": article.id}
    async with app.db.session() as session:
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
