"""A local stand-in for the news site: article pages, an RSS feed and images.

`make demo` and the integration tests need a site that behaves like the real
one without touching the network: pages laid out like the site's (so
`bot.adapters.sources.pages.extract_article` reads them with no selectors), a feed
that answers conditional requests, stories that appear over time and read
counters that grow. Everything is deterministic for a given seed and clock,
so a test can say exactly which counts it expects.

The site's state is shared between the server thread (requests) and the demo
driver (`publish_next`, `tick`), so every change happens under one lock.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from importlib import resources
from typing import Any, Final
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from aiohttp import web

from bot.core.model import SocialLinks

DEFAULT_CHANNEL: Final = "nashir_demo"
DEFAULT_X_HANDLE: Final = "nashir_demo"
MOST_READ_ROWS: Final = 10
MOST_READ_TITLE_CHARS: Final = 75

# A 16x9 baseline JPEG in the site's blue: the smallest image every client
# (Telegram, X, browsers) accepts, so posts with photos work offline.
DEMO_JPEG: Final = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERX"
    "RTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAJABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAA"
    "AAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAABf/EABQRAQAAAAAAAAAAAAAAAAAA"
    "AAD/2gAMAwEAAhEDEQA/AIwBAc//2Q=="
)
_MAX_CATCH_UP_TICKS: Final = 10_000


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """One story of the demo site, as written in ``demo_articles.json``."""

    id: int
    section: str
    title: str
    paragraphs: tuple[str, ...]
    credit: str
    outlet: str
    tags: tuple[str, ...]
    published_at: datetime
    reads: int
    rate: int
    breaking: bool = False

    @property
    def path(self) -> str:
        """The mobile page path, the form the real site links to."""
        return f"/mobile/article/{self.id}"

    @property
    def image_path(self) -> str:
        """Where the site serves this story's picture."""
        return f"/images/{self.id}.jpg"


@dataclass(frozen=True, slots=True)
class DemoCatalogue:
    """The bundled stories and the name the demo site goes by."""

    site_name: str
    articles: tuple[DemoArticle, ...]


def load_demo_articles() -> DemoCatalogue:
    """Read the bundled ``demo_articles.json``; a fresh copy on every call."""
    raw = resources.files("sandbox").joinpath("demo_articles.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    articles = tuple(
        DemoArticle(
            id=int(item["id"]),
            section=item["section"],
            title=item["title"],
            paragraphs=tuple(item["paragraphs"]),
            credit=item["credit"],
            outlet=item["outlet"],
            tags=tuple(item["tags"]),
            published_at=datetime.fromisoformat(item["published"]),
            reads=int(item["reads"]),
            rate=int(item["rate"]),
            breaking=bool(item.get("breaking", False)),
        )
        for item in data["articles"]
    )
    return DemoCatalogue(site_name=data["site_name"], articles=articles)


class DemoSite:
    """The demo news site: reveal stories, grow counters, serve it with `app`.

    Args:
        articles: Stories to serve; the bundled twelve by default.
        initially_published: How many (oldest first) are visible at start,
            none by default so a demo shows every story arriving; their times
            are shifted so the newest of them is "now", so the bot does not
            discard them as old. The rest wait for `publish_next`.
        channel: Telegram channel (and YouTube/Facebook page) the pages
            advertise in their follow-us links.
        x_handle: X account the pages advertise.
        seed: Seeds the counter growth, so two runs see the same numbers.
        clock: Returns the current aware time; drives publication times,
            ``Last-Modified`` and time-based counter growth.
        tick_interval: Every interval of `clock` time that passes adds one
            `tick` on the next request; None leaves growth to `tick` calls.
        site_name: The name in titles and ``og:site_name``.
    """

    def __init__(
        self,
        articles: Sequence[DemoArticle] | None = None,
        *,
        initially_published: int = 0,
        channel: str = DEFAULT_CHANNEL,
        x_handle: str = DEFAULT_X_HANDLE,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        tick_interval: timedelta | None = None,
        site_name: str | None = None,
    ) -> None:
        catalogue = load_demo_articles()
        chosen = tuple(articles) if articles is not None else catalogue.articles
        self.site_name = site_name or catalogue.site_name
        self.channel = channel
        self.x_handle = x_handle
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tick_interval = tick_interval
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._articles = sorted(chosen, key=lambda a: (a.published_at, a.id))
        self._reads = {a.id: a.reads for a in self._articles}
        now = self._clock()
        initial = self._articles[: max(0, initially_published)]
        shift = now - max(a.published_at for a in initial) if initial else timedelta(0)
        self._published: dict[int, datetime] = {a.id: a.published_at + shift for a in initial}
        self._feed_changed_at = now
        self._last_tick_at = now

    # -- the demo driver's controls -----------------------------------------

    @property
    def social_links(self) -> SocialLinks:
        """The channels every page advertises in its follow-us links."""
        return SocialLinks(
            youtube=f"https://www.youtube.com/@{self.channel}",
            x=f"https://x.com/{self.x_handle}",
            telegram=f"https://t.me/{self.channel}",
            facebook=f"https://www.facebook.com/{self.channel}",
            google_news=f"https://news.google.com/search?q={quote(self.site_name)}&hl=ar&gl=YE",
        )

    def published(self) -> list[DemoArticle]:
        """Visible stories, newest first, with their shown time and current count."""
        with self._lock:
            return self._visible()

    @property
    def total(self) -> int:
        """How many stories the site has, published or waiting."""
        return len(self._articles)

    @property
    def remaining(self) -> int:
        """How many stories `publish_next` can still reveal."""
        with self._lock:
            return len(self._articles) - len(self._published)

    def reads(self, article_id: int) -> int:
        """The current read count of one story."""
        with self._lock:
            return self._reads[article_id]

    def publish_next(self) -> DemoArticle | None:
        """Reveal the oldest waiting story, dated now; None when all are out."""
        with self._lock:
            for article in self._articles:
                if article.id not in self._published:
                    now = self._clock()
                    self._published[article.id] = now
                    self._feed_changed_at = now
                    return replace(article, published_at=now, reads=self._reads[article.id])
        return None

    def publish_all(self) -> list[DemoArticle]:
        """Reveal every waiting story, oldest first."""
        revealed: list[DemoArticle] = []
        while (article := self.publish_next()) is not None:
            revealed.append(article)
        return revealed

    def tick(self, steps: int = 1) -> None:
        """Grow every visible story's counter by its rate plus seeded jitter, `steps` times."""
        with self._lock:
            self._tick(steps)

    # -- the web application -------------------------------------------------

    def app(self) -> web.Application:
        """An aiohttp application serving the site; serve it with any runner."""
        application = web.Application()
        application.router.add_get("/", self._index)
        application.router.add_get("/rss.xml", self._feed)
        application.router.add_get(r"/mobile/article/{id:\d+}", self._article)
        application.router.add_get(r"/article/{id:\d+}", self._article)
        application.router.add_get(r"/images/{id:\d+}.jpg", self._image)
        application.router.add_get("/tag/{tag}", self._tag)
        return application

    async def _index(self, request: web.Request) -> web.Response:
        return _html(self._listing(self.site_name, self.published()))

    async def _tag(self, request: web.Request) -> web.Response:
        tag = request.match_info["tag"]
        stories = [a for a in self.published() if tag in a.tags]
        return _html(self._listing(f"الوسوم: {tag}", stories))

    async def _image(self, request: web.Request) -> web.Response:
        if int(request.match_info["id"]) not in {a.id for a in self._articles}:
            raise web.HTTPNotFound()
        return web.Response(
            body=DEMO_JPEG,
            content_type="image/jpeg",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def _article(self, request: web.Request) -> web.Response:
        article_id = int(request.match_info["id"])
        with self._lock:
            self._catch_up()
            if article_id not in self._published:
                raise web.HTTPNotFound()
            self._reads[article_id] += 1
            visible = self._visible()
        article = next(a for a in visible if a.id == article_id)
        return _html(self._page(article, visible))

    async def _feed(self, request: web.Request) -> web.Response:
        with self._lock:
            self._catch_up()
            visible = self._visible()
            changed_at = self._feed_changed_at.astimezone(UTC).replace(microsecond=0)
        body = self._rss(visible, str(request.url.origin()), changed_at).encode("utf-8")
        etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        headers = {"ETag": etag, "Last-Modified": format_datetime(changed_at, usegmt=True)}
        if _not_modified(request, etag, changed_at):
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=body, headers=headers, content_type="application/rss+xml", charset="utf-8"
        )

    # -- state (call with the lock held) -------------------------------------

    def _visible(self) -> list[DemoArticle]:
        stories = [
            replace(a, published_at=self._published[a.id], reads=self._reads[a.id])
            for a in self._articles
            if a.id in self._published
        ]
        return sorted(stories, key=lambda a: (a.published_at, a.id), reverse=True)

    def _tick(self, steps: int) -> None:
        for _ in range(steps):
            for article in self._articles:
                if article.id in self._published:
                    self._reads[article.id] += article.rate + self._rng.randint(0, article.rate)

    def _catch_up(self) -> None:
        """Apply the ticks that `clock` time owes since the last request."""
        if self._tick_interval is None or self._tick_interval <= timedelta(0):
            return
        steps = int((self._clock() - self._last_tick_at) / self._tick_interval)
        if steps > 0:
            self._tick(min(steps, _MAX_CATCH_UP_TICKS))
            self._last_tick_at += steps * self._tick_interval

    # -- rendering -------------------------------------------------------------

    def _rss(self, visible: list[DemoArticle], base: str, changed_at: datetime) -> str:
        items = "".join(_rss_item(article, base) for article in visible)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>{xml_escape(self.site_name)}</title><link>{base}/</link>"
            f"<description>{xml_escape(self.site_name)} - آخر الأخبار</description>"
            f"<language>ar</language>"
            f"<lastBuildDate>{format_datetime(changed_at, usegmt=True)}</lastBuildDate>"
            f"{items}</channel></rss>\n"
        )

    def _page(self, article: DemoArticle, visible: list[DemoArticle]) -> str:
        """An article page with the same structure as the site's (and the seed fixture)."""
        title = escape(article.title)
        site = escape(self.site_name)
        social = self.social_links
        paragraphs = "".join(f"<p>{escape(p)}</p>\n" for p in article.paragraphs)
        tags = "".join(f'<a href="/tag/{quote(tag)}">{escape(tag)}</a>\n' for tag in article.tags)
        ranked = sorted(visible, key=lambda a: (-a.reads, a.id))[:MOST_READ_ROWS]
        rows = "".join(
            f'<li><a href="{a.path}"><div class="meta"><span class="source">'
            f'{escape(a.outlet)}</span> | <span class="views">{a.reads} قراءة</span></div>'
            f'<div class="title">{escape(a.title[:MOST_READ_TITLE_CHARS])}</div></a></li>\n'
            for a in ranked
        )
        breaking = next((a for a in visible if a.breaking), None)
        ticker = (
            f'<div class="breaking-bar"><span class="label">عاجل</span>'
            f'<a href="{breaking.path}">{escape(breaking.title)}</a></div>'
            if breaking is not None
            else ""
        )
        published = article.published_at.isoformat()
        section = escape(article.section)
        share_facebook = f"https://www.facebook.com/sharer/sharer.php?u={quote(article.path)}"
        share_x = f"https://x.com/intent/tweet?url={quote(article.path)}"
        return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title>
<meta name="description" content="{escape(article.paragraphs[0])}">
<link rel="canonical" href="/article/{article.id}">
<meta property="og:site_name" content="{site}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title} | {site}">
<meta property="og:description" content="{escape(article.paragraphs[0])}">
<meta property="og:image" content="{article.image_path}">
<meta property="article:section" content="{escape(article.section)}">
<meta property="article:published_time" content="{published}">
<script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body class="mobile article-page">
<header class="site-header"><a class="logo" href="/">{site}</a></header>
<nav class="main-nav"><ul><li><a href="/">الرئيسية</a></li></ul></nav>
{ticker}
<main class="container main-content">
<div class="page-heading"><span>تفاصيل الخبر</span> | <a href="/">{section}</a></div>
<article class="news-details" id="news-{article.id}">
<h1 class="news-title">{title}</h1>
<div class="news-info"><span class="views">{article.reads} قراءة</span>&nbsp; |
<time datetime="{published}"></time></div>
<div class="share-bar">
<a class="share fb" href="{share_facebook}" aria-label="شارك على فيسبوك"></a>
<a class="share tw" href="{share_x}" aria-label="شارك على إكس"></a>
</div>
<figure class="news-image"><img src="{article.image_path}" alt="{title}"></figure>
<div class="news-content">
{paragraphs}<p>&nbsp;</p>
<p><strong>المصدر: {escape(article.credit)}.</strong></p>
</div>
<div class="news-source"><span class="label">المصدر</span>
<a class="source-name" href="/">{escape(article.outlet)} ـ متابعات</a></div>
<div class="news-tags"><span class="label">الوسوم</span>
{tags}</div>
<div class="google-news"><a href="{escape(social.google_news or "")}">
تابعوا آخر أخبارنا المحلية وآخر المستجدات السياسية والإقتصادية عبر Google news</a></div>
<div class="follow-us">
<a class="yt" href="{social.youtube}">تابعنا على يوتيوب</a>
<a class="tw" href="{social.x}">تابعنا على تويتر</a>
<a class="tg" href="{social.telegram}">تابعنا على تيليجرام</a>
<a class="fb" href="{social.facebook}">تابعنا على فيسبوك</a>
</div>
</article>
<section class="most-read"><ul class="news-list">
{rows}</ul></section>
</main>
<footer class="site-footer"><p class="copyright">جميع الحقوق محفوظة &copy; {site}</p></footer>
<script>/* view counter ping */</script>
</body>
</html>
"""

    def _listing(self, heading: str, stories: list[DemoArticle]) -> str:
        links = "".join(
            f'<li><a href="{a.path}">{escape(a.title)}</a> <span>{a.reads} قراءة</span></li>'
            for a in stories
        )
        return (
            f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            f"<title>{escape(self.site_name)}</title>"
            f'<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
            f"<body><h1>{escape(heading)}</h1><ul>{links}</ul></body></html>"
        )


def _rss_item(article: DemoArticle, base: str) -> str:
    link = f"{base}{article.path}"
    body = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    body += f"<p>المصدر: {escape(article.credit)}.</p>"
    categories = "".join(f"<category>{xml_escape(tag)}</category>" for tag in article.tags)
    return (
        f"<item><title>{xml_escape(article.title)}</title><link>{link}</link>"
        f'<guid isPermaLink="true">{link}</guid>'
        f"<pubDate>{format_datetime(article.published_at)}</pubDate>{categories}"
        f"<description>{xml_escape(f'<p>{escape(article.paragraphs[0])}</p>')}</description>"
        f"<content:encoded>{xml_escape(body)}</content:encoded>"
        f'<enclosure url="{base}{article.image_path}" type="image/jpeg" '
        f'length="{len(DEMO_JPEG)}"/></item>'
    )


def _not_modified(request: web.Request, etag: str, changed_at: datetime) -> bool:
    """RFC 9110 order: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return changed_at <= since


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")
