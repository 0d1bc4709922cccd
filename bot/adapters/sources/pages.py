"""Read one article page of the site into an `ArticleDraft`.

The site republishes stories from many outlets on pages that share a layout,
but neither the layout nor its class names are promised, so the extractor
works from what a reader sees rather than from one template:

* the headline is the visible ``<h1>`` the metadata names, as shown, else
  the metadata's headline without the site's name, or the heading nearest
  before the read counter (`read_counter`);
* the date is the published stamp in the metadata, else the dateline the
  page prints by the headline; "Updated ..." dates only a page that gives
  nothing else;
* the most-read block is read first, then removed (`most_read`);
* the body is the element holding the most paragraph text, minus furniture
  (`page_text`);
* the outlet and the tags follow the labels "المصدر" and "الوسوم"; the
  section follows "تفاصيل الخبر |", else a breadcrumb, else metadata
  (`page_meta`);
* the outlet's follow-us links are told from share buttons (`social_links`).

Per-source CSS selectors (`page_selectors`) win over a heuristic when they match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.adapters.sources.charset import decode_body
from bot.adapters.sources.most_read import take_most_read
from bot.adapters.sources.page_body import main_text
from bot.adapters.sources.page_dates import visible_date
from bot.adapters.sources.page_meta import (
    SITE_TIMEZONE,
    author,
    keywords,
    parse_datetime,
    read_json_ld,
    read_meta,
)
from bot.adapters.sources.page_selectors import pick, validate_selectors
from bot.adapters.sources.page_text import (
    CREDIT,
    clean_text,
    prepare,
    trim_credit,
)
from bot.adapters.sources.page_tree import (
    LABEL_TRIM,
    ElementTexts,
    absolute_link,
    after,
    text_after,
)
from bot.adapters.sources.read_counter import COUNTER, count, find_counters
from bot.adapters.sources.social_links import social_links
from bot.core.errors import NashirError, ParseError
from bot.core.model import ArticleDraft
from bot.core.text.arabic import parse_count

_HEADING_TAGS: Final = frozenset({"h1", "h2", "h3"})
_CREDIT_MAX_CHARS: Final = 120

_SECTION_HEADER = re.compile(r"^تفاصيل (?:الخبر|المقال|الموضوع)\s*[|»›/:\-–]\s*(.+)$")
_HOME_CRUMBS: Final = frozenset({"الرئيسية", "الصفحة الرئيسية", "home"})
_SOURCE_LABELS: Final = frozenset({"المصدر", "مصدر الخبر", "المصدر الأصلي"})
_TAG_LABELS: Final = frozenset(
    {"الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "كلمات دلالية", "الكلمات الدلالية"}
)
_TAG_BLOCK_MAX_CHARS: Final = 600
_OUTLET_SUFFIX = re.compile(r"\s*[ـ\-–—|/:]+\s*(?:متابعات|خاص|وكالات)\s*$")
_TAG_TRIM: Final = " #،,؛;:.|/\\\"'«»()[]{}"
_PUBLISHED_META: Final = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "citation_publication_date",
    "citation_online_date",
    "citation_date",
    "date",
    "published",
)
_MODIFIED_META: Final = ("article:modified_time", "og:updated_time", "datemodified", "lastmod")
# Other <meta> names that say "published" (w-published-date, published_on, publication-date).
_PUBLISHED_NAME = re.compile(r"publi(?:shed|sh[-_.]?date|cation[-_.]?date)", re.IGNORECASE)
# Machine-readable publication stamps outside <time> (<lit-timestamp publishdate=...>).
_PUBLISHED_ATTRIBUTES: Final = (
    "publishdate",
    "data-publishdate",
    "data-published",
    "data-publish-date",
)
_DATE_ELEMENTS: Final = (
    "time, [itemprop=datePublished], [class*=date], [class*=Date], [class*=publish], "
    "[class*=posted], [id*=date], [class*=dateline], [class*=byline], [class*=time]"
)
_DATE_TEXT_MAX_CHARS: Final = 100
# Every date has a digit (any script's) but a relative one ("منذ ساعتين", "an hour ago").
_MAYBE_DATE = re.compile(r"\d|منذ|قبل|\bago\b", re.IGNORECASE)
_DATE_ABOVE_MAX_ELEMENTS: Final = 12  # a date header just above the headline, not a menu
_DATELINE_MAX_WORDS: Final = 15  # an unlabelled dateline; a longer text is a subtitle or a teaser
# What follows these words is when the story was changed, not when it was published.
_UPDATED_LABEL = re.compile(
    r"\b(?:last\s+)?(?:updated|modified|revised|edited)\b|آخر تحديث|تم التحديث|تحديث|عُدِّل|عدل في",
    re.IGNORECASE,
)
_AUTHOR_ELEMENTS: Final = (
    "[rel~=author], [itemprop=author] [itemprop=name], [itemprop=author], "
    "[class*=author-name], [class*=author_name], [class*=byline__name], [class*=byline] a, "
    "[class*=byline], [class*=author] a, [class*=author], [class*=writeBy], [class*=writer]"
)
_AUTHOR_MAX_CHARS: Final = 60
_HEADLINE_MIN_CHARS: Final = 10
# A byline element holding a date, a bare "By" or a label is no name.
_NOT_A_NAME = re.compile(
    r"\d|^(?:by|the author|author|authors|written by|posted by|sign in|name\s*\*?|بقلم|كتب"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\.?$",
    re.IGNORECASE,
)
# Between a title's segments: spaced dashes, pipes, guillemets and bullets, or a bare pipe.
_TITLE_SPLIT = re.compile(r"\s+[|\-–—»·•]\s+|\s*\|\s*|\s+::\s+")
_HOST_LABEL_MIN_CHARS: Final = 4
# An <h1> much shorter than the metadata's headline is a kicker or a section name.
_SHORT_HEADING_SHARE: Final = 0.6
# <h1>s that templates give to widgets, not stories.
_NOT_HEADLINES: Final = frozenset(
    {"menu", "main menu", "search", "blog", "our blog", "the blog", "contact us", "home",
     "navigation", "open menu close menu", "القائمة", "بحث", "الرئيسية"}
)  # fmt: skip
_WORD = re.compile(r"\w+")
_BYLINE_PREFIX = re.compile(
    r"^(?:written\s+by|posted\s+by|reviewed\s+by|by|بقلم|كتب|كتبت|إعداد|اعداد)\s*[:：]?\s+",
    re.IGNORECASE,
)
_BYLINE_TAIL = re.compile(r"\s+[|·•—–]\s+|\n|\s+(?:on|في)\s+\d|\s+\d{1,2}\s")


def decode_page(content: bytes) -> str:
    """Decode a raw page body as a browser would (BOM, ``<meta charset>``, detection)."""
    return decode_body(content, None)[0]


def extract_article(
    html: str | bytes,
    url: str,
    *,
    selectors: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ArticleDraft:
    """Read an article page laid out like the site's into a draft.

    Args:
        html: The page as text, or its raw body, which is then decoded by its
            BOM, ``<meta charset>`` or detection (windows-1256 pages work).
        url: Where the page was fetched; relative links resolve against it.
        selectors: Optional per-source CSS selectors keyed by
            `page_selectors.FIELDS`. A selector that matches wins; one that
            matches nothing falls back to the heuristics, so a small layout
            change degrades, not fails.
        now: When the page was read, for dates printed as "منذ ساعتين";
            the current time if not given.

    Raises:
        ParseError: The page has no recognisable headline.
        ConfigError: `selectors` names an unknown field or invalid CSS.
    """
    chosen = dict(selectors or {})
    validate_selectors(chosen)
    try:
        text = decode_page(html) if isinstance(html, bytes) else html
        return _Page(LexborHTMLParser(text), url, chosen, now or datetime.now(UTC)).draft()
    except NashirError:
        raise
    except (ValueError, TypeError, LookupError, ArithmeticError, RecursionError) as exc:
        # A field reader met markup it did not foresee. Each known case degrades
        # its own field; this keeps an unforeseen one from escaping as a bare
        # library error that no caller handles, and still names the page.
        raise ParseError(f"the page's markup could not be read ({_reason(exc)})", url=url) from exc


def _reason(exc: Exception) -> str:
    """A short, secret-free account of what went wrong, for the one-line error."""
    words = str(exc).splitlines()[0][:80] if str(exc) else ""
    kind = "nesting too deep" if isinstance(exc, RecursionError) else "unexpected value"
    return f"{kind}: {words}" if words else kind


class _Page:
    """One parsed page; each field is read by one method, in dependency order."""

    def __init__(
        self, tree: LexborHTMLParser, url: str, selectors: dict[str, str], now: datetime
    ) -> None:
        self.url = url
        self.now = now
        self.selectors = selectors
        self.meta = read_meta(tree)
        self.json_ld = read_json_ld(tree)
        self.head_title = _document_title(tree)
        prepare(tree)
        root = tree.body
        if root is None:
            raise ParseError("no headline found", url=url)
        self.root = root
        self.texts = ElementTexts(root)
        self.picked = pick(tree.root or root, selectors)

    def draft(self) -> ArticleDraft:
        most_read = take_most_read(self.texts, self.selectors.get("most_read"), self.url)
        title, heading = self._title()
        container, body = self._body(title)
        return ArticleDraft(
            url=self.url,
            title=title,
            body=body,
            summary=self._summary(),
            section=self._section(title),
            outlet=self._outlet(),
            source_credit=self._credit(container),
            image=self._image(container),
            published_at=self._published(heading),
            tags=self._tags(),
            reads=self._reads(heading),
            social=social_links(self.root, container, self.url),
            most_read=most_read,
            author=self._author(),
        )

    # -- helpers -----------------------------------------------------------

    def _picked_text(self, field: str) -> str | None:
        values = self.picked.get(field)
        return values[0] if values else None

    # -- fields ------------------------------------------------------------

    def _title(self) -> tuple[str, LexborNode | None]:
        """The headline, and the heading element that shows it when there is one.

        A visible ``<h1>`` that the metadata (``og:title``, ``twitter:title``,
        ``<title>``) names, or that shares its words, is the headline readers
        see and is taken as shown, unless it is much shorter than the
        metadata's (a kicker or a section name rather than the story). With no
        such ``<h1>``, the metadata's headline is its first part that is not
        the site's name: "Story | Site", "Site » Story" and "Story - Subtitle
        - Site" give "Story".
        """
        picked = self._picked_text("title")
        if picked is not None:
            return picked, None
        meta_title = self.meta.get("og:title") or self.meta.get("twitter:title") or ""
        site_names = [
            n for n in (self.meta.get("og:site_name"), self.meta.get("application-name")) if n
        ]
        h1s = [(node, clean_text(node.text())) for node in self.root.css("h1")]
        segments = _site_segments(meta_title, self.head_title)
        site_names.extend(text for _, text in h1s if text.casefold() in segments)
        site = _SiteName(site_names, self.url)
        named = [site.without_name(t) for t in (meta_title, self.head_title) if t]
        named += [site.story(t) for t in (meta_title, self.head_title) if t]
        named = [t for t in named if t]
        # Without og:title, a <title> reading "Site | Story" still names the story.
        head_story = site.without_name(self.head_title)
        story = site.story(meta_title or (head_story if head_story != self.head_title else ""))
        h1s = [
            (node, text)
            for node, text in h1s
            if text
            and text.casefold() not in _NOT_HEADLINES
            and (
                any(_same_words(text, t) for t in named)
                or (text not in site_names and not site.names(text))
            )
        ]
        for node, text in h1s:
            if any(_same_words(site.without_name(text), t) for t in named):
                return text, node
        titles = f"{meta_title} {self.head_title}"
        for node, text in h1s:
            if _names_the_story(text, titles):
                shown = site.without_name(text)
                if story and len(site.story(shown)) < _SHORT_HEADING_SHARE * len(story):
                    return story, self._heading_with_text(story) or node
                return shown, node
        if story:
            return story, self._heading_with_text(story)
        counters = find_counters(self.texts)
        heading = _heading_before(self.root, counters[0]) if counters else None
        if heading is None and h1s:
            heading = h1s[0][0]
        if heading is not None:
            return clean_text(heading.text()), heading
        fallback = site.story(self.head_title) or clean_text(
            str(self.json_ld.get("headline") or "")
        )
        if fallback:
            return fallback, None
        if meta_title or self.head_title:
            return meta_title or self.head_title, None
        raise ParseError("no headline found", url=self.url)

    def _heading_with_text(self, text: str) -> LexborNode | None:
        for node in self.root.traverse():
            if node.tag in _HEADING_TAGS and clean_text(node.text()) == text:
                return node
        return None

    def _reads(self, heading: LexborNode | None) -> int | None:
        selected = self._picked_text("reads")
        if selected is not None:
            match = COUNTER.search(selected)
            return count(match) if match else parse_count(selected)
        counters = find_counters(self.texts)
        if not counters:
            return None
        chosen = counters[0]
        if heading is not None:
            later = after(self.root, heading, counters)
            chosen = later[0] if later else chosen
        match = COUNTER.search(clean_text(chosen.text()))
        return count(match) if match else None

    def _body(self, title: str) -> tuple[LexborNode | None, tuple[str, ...]]:
        if "body" in self.picked:
            return None, tuple(self.picked["body"])
        return main_text(self.root, title)

    def _summary(self) -> str | None:
        return self.meta.get("og:description") or self.meta.get("description") or None

    def _section(self, title: str) -> str | None:
        selected = self._picked_text("section")
        if selected is not None:
            match = _SECTION_HEADER.match(selected)
            return clean_text(match.group(1)) if match else selected
        for node in self.texts.minimal(lambda text: bool(_SECTION_HEADER.match(text)), 120):
            match = _SECTION_HEADER.match(clean_text(node.text()))
            if match:
                return clean_text(match.group(1))
        crumbs = self.root.css(
            '[class*="crumb"], [id*="crumb"], [aria-label*="crumb"], [itemtype*="BreadcrumbList"]'
        )
        for crumb in crumbs:
            names = [clean_text(a.text()) for a in crumb.css("a")]
            names = [n for n in names if n and n.lower() not in _HOME_CRUMBS and n != title]
            if names:
                return names[-1]
        section = self.meta.get("article:section") or self.json_ld.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        return clean_text(str(section)) or None if section else None

    def _credit(self, container: LexborNode | None) -> str | None:
        selected = self._picked_text("credit")
        if selected is not None:
            match = CREDIT.match(selected)
            return trim_credit(match.group(1) if match else selected)
        candidates = self.texts.minimal(lambda text: bool(CREDIT.match(text)), _CREDIT_MAX_CHARS)
        if container is not None:
            inside = {n.mem_id for n in container.traverse()}
            candidates.sort(key=lambda node: node.mem_id not in inside)
        for node in candidates:
            match = CREDIT.match(clean_text(node.text()))
            if match:
                return trim_credit(match.group(1))
        return None

    def _outlet(self) -> str | None:
        text = self._picked_text("outlet")
        if text is None:
            label = self.texts.label(_SOURCE_LABELS)
            text = text_after(self.root, label) if label is not None else None
        if not text:
            return None
        for label_text in _SOURCE_LABELS:
            if text.startswith(label_text):
                text = text[len(label_text) :].lstrip(LABEL_TRIM)
        return _OUTLET_SUFFIX.sub("", text).strip(LABEL_TRIM) or None

    def _tags(self) -> tuple[str, ...]:
        if "tags" in self.picked:
            return _unique_tags(self.picked["tags"])
        label = self.texts.label(_TAG_LABELS)
        scope = label.parent if label is not None else None
        for _ in range(3):
            if label is None or scope is None:
                break
            anchors = after(scope, label, scope.css("a"))
            if anchors:
                return _unique_tags(a.text() for a in anchors)
            scope = scope.parent
        for block in self.texts.minimal(_starts_with_tag_label, _TAG_BLOCK_MAX_CHARS):
            anchors = block.css("a")
            if anchors:
                return _unique_tags(a.text() for a in anchors)
        rel_tags = [
            a for a in self.root.css("a[rel]") if "tag" in (a.attributes.get("rel") or "").split()
        ]
        if rel_tags:
            return _unique_tags(a.text() for a in rel_tags)
        return _unique_tags(keywords(self.meta, self.json_ld))

    def _image(self, container: LexborNode | None) -> str | None:
        for value in self.picked.get("image", []):
            found = absolute_link(self.url, value)
            if found:
                return found
        for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
            found = absolute_link(self.url, self.meta.get(key))
            if found:
                return found
        image = self.json_ld.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        if isinstance(image, dict):
            image = image.get("url")
        if isinstance(image, str) and absolute_link(self.url, image):
            return absolute_link(self.url, image)
        for img in container.css("img") if container is not None else []:
            found = absolute_link(
                self.url, img.attributes.get("src") or img.attributes.get("data-src")
            )
            if found:
                return found
        return None

    def _published(self, heading: LexborNode | None) -> datetime | None:
        """When the story was published (not updated): the machine-readable stamps first.

        A stamp written for readers ("Jun 24, 2025") in the metadata comes after
        the date the page prints: site builders fill such fields with the day
        the page was last published, while the dateline shows the story's day.
        """
        picked = self.picked.get("published", [])
        for value in picked:
            found = parse_datetime(value) or visible_date(value, self.now, SITE_TIMEZONE)
            if found is not None:
                return found
        candidates: list[str | None] = [self.meta.get(key) for key in _PUBLISHED_META]
        candidates.extend(self.meta.matching(_PUBLISHED_NAME))
        candidates.append(_json_ld_text(self.json_ld.get("datePublished")))
        candidates.extend(node.attributes.get("datetime") for node in self.root.css("time"))
        for name in _PUBLISHED_ATTRIBUTES:
            candidates.extend(node.attributes.get(name) for node in self.root.css(f"[{name}]"))
        stamps = [parsed for parsed in map(parse_datetime, candidates) if parsed is not None]
        if stamps:
            return _in_local_time(stamps[0], stamps[1:])
        printed = self._printed_date(heading)
        if printed is not None:
            return printed
        for raw in candidates:  # "July 17, 2025" in a <meta>: written for readers
            found = visible_date(raw or "", self.now, SITE_TIMEZONE)
            if found is not None and len(raw or "") <= _DATE_TEXT_MAX_CHARS:
                return found
        # The page says only when it was updated: the story is at least that old.
        printed = self._printed_date(heading, updates=True)
        if printed is not None:
            return printed
        modified = [self.meta.get(key) for key in _MODIFIED_META]
        modified.append(_json_ld_text(self.json_ld.get("dateModified")))
        return next(filter(None, map(parse_datetime, modified)), None)

    def _printed_date(
        self, heading: LexborNode | None, *, updates: bool = False
    ) -> datetime | None:
        """The date the page shows: the dateline under the headline, else a dated element.

        Menus and "latest stories" cards carry dates of other stories, so the
        first short dated text after the headline is tried before any element
        whose class says "date"; an "Updated ..." part dates a change, not the
        story, and is taken only when `updates` allows it.
        """
        if updates:
            read: Callable[[str], str] = _unchanged
        else:
            read = _before_update
            under = self._date_under_headline(heading or self.root.css_first("h1"))
            if under is not None:
                return under
        for node in self.root.css(_DATE_ELEMENTS):
            text = clean_text(node.text())
            if len(text) <= _DATE_TEXT_MAX_CHARS:
                found = visible_date(read(text), self.now, SITE_TIMEZONE)
                if found is not None:
                    return found
        return None

    def _date_under_headline(self, heading: LexborNode | None) -> datetime | None:
        """The dateline: the first short dated text after the headline.

        When it says only "Updated ...", the block around it may still give
        the publication date ("May 3. <i>Updated: May 7</i>"); if it does not,
        the update is the only day the page gives for the story.
        """
        if heading is None:
            return None
        dated = self.texts.minimal(self._is_dateline, _DATE_TEXT_MAX_CHARS)
        before, later = _around(self.root, heading, dated)
        if before is not None and (not later or before[1] < later[0][1]):
            # A date header just above the headline (blogs), nearer than any below it
            found = visible_date(
                _before_update(clean_text(before[0].text())), self.now, SITE_TIMEZONE
            )
            if found is not None:
                return found
        if not later:
            return None
        later_nodes = [node for node, _ in later]
        first = later_nodes[0]
        text = clean_text(first.text())
        found = visible_date(_before_update(text), self.now, SITE_TIMEZONE)
        if found is not None:
            return found
        block = first.parent
        for _ in range(2):  # the dateline's parent, then its grandparent
            if block is None or len(clean_text(block.text())) > _DATE_TEXT_MAX_CHARS:
                break
            inside = {n.mem_id for n in block.traverse()}
            for node in later_nodes[1:]:
                if node.mem_id in inside:
                    found = visible_date(
                        _before_update(clean_text(node.text())), self.now, SITE_TIMEZONE
                    )
                    if found is not None:
                        return found
            found = visible_date(_before_update(clean_text(block.text())), self.now, SITE_TIMEZONE)
            if found is not None:
                return found
            block = block.parent
        return visible_date(text, self.now, SITE_TIMEZONE)

    def _is_dateline(self, text: str) -> bool:
        """A short dated text: a subtitle or a teaser that mentions a day is no dateline."""
        return (
            _MAYBE_DATE.search(text) is not None
            and len(text.split()) <= _DATELINE_MAX_WORDS
            and visible_date(text, self.now) is not None
        )

    def _author(self) -> str | None:
        picked = self._picked_text("author")
        if picked is not None:
            return _trim_byline(picked)
        declared = author(self.meta, self.json_ld)
        declared = _trim_byline(declared) if declared else None
        names = [self.meta.get("og:site_name"), self.meta.get("application-name")]
        if declared and " " not in declared:  # "akhbarelyom": the host name, not a person
            names.append((urlsplit(self.url).hostname or "").removeprefix("www.").split(".")[0])
        site = {_squeezed(n) for n in names} - {""}
        if declared and _squeezed(declared) not in site:
            return declared
        # No author, or the site named as its own author: a byline may name a person.
        for node in self.root.css(_AUTHOR_ELEMENTS):
            name = _trim_byline(clean_text(node.text()))
            if name and len(name) <= _AUTHOR_MAX_CHARS and not _NOT_A_NAME.search(name):
                if _squeezed(name) not in site:
                    return name
                declared = declared or name
        return declared


# -- page-independent helpers ----------------------------------------------


def _document_title(tree: LexborHTMLParser) -> str:
    """The page's ``<title>`` wherever the parser put it.

    Junk before ``<html>`` (a PHP warning, a stray script) makes the parser
    open the body early, and the ``<title>`` then lands inside ``<body>``;
    an SVG's own ``<title>`` names a picture, not the page.
    """
    for node in tree.css("title"):
        parent = node.parent
        while parent is not None and parent.tag not in ("svg", "math"):
            parent = parent.parent
        if parent is None:
            text = clean_text(node.text())
            if text:
                return text
    return ""


def _unchanged(text: str) -> str:
    return text


def _around(
    root: LexborNode, anchor: LexborNode, nodes: list[LexborNode]
) -> tuple[tuple[LexborNode, int] | None, list[tuple[LexborNode, int]]]:
    """The nearest of `nodes` just before `anchor`, and those after it (outside it).

    Each comes with its distance from `anchor` in elements; one before it
    counts only within `_DATE_ABOVE_MAX_ELEMENTS`.
    """
    wanted = {n.mem_id for n in nodes}
    inside = {n.mem_id for n in anchor.traverse()}
    before: tuple[LexborNode, int] | None = None
    later: list[tuple[LexborNode, int]] = []
    anchor_at = 0
    seen = False
    for position, node in enumerate(root.traverse()):
        if node.mem_id == anchor.mem_id:
            seen, anchor_at = True, position
            if before is not None:
                before = (before[0], position - before[1])
        elif node.mem_id in wanted and node.mem_id not in inside:
            if seen:
                later.append((node, position - anchor_at))
            else:
                before = (node, position)
    if not seen:
        return None, []
    return (before if before is not None and before[1] <= _DATE_ABOVE_MAX_ELEMENTS else None), later


def _before_update(text: str) -> str:
    """A dateline without its "Updated: ..." part, which dates a change, not the story."""
    return _UPDATED_LABEL.split(text, maxsplit=1)[0]


def _in_local_time(stamp: datetime, others: list[datetime]) -> datetime:
    """`stamp`, written in the site's own offset when another stamp gives that instant so.

    A page may give the moment in UTC in one field (``article:published_time``)
    and in local time in another (JSON-LD): the instant is the same, but the
    day the site printed it on is the local one.
    """
    if stamp.utcoffset():
        return stamp
    for other in others:
        if other.utcoffset() and other == stamp:
            return other
    return stamp


def _json_ld_text(value: object) -> str | None:
    """A JSON-LD date as text: a string, or the first of a list of them."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def _trim_byline(text: str) -> str | None:
    """A byline's name: no "By"/"بقلم" before it, no date or role after a separator."""
    text = _BYLINE_PREFIX.sub("", clean_text(text))
    text = _BYLINE_TAIL.split(text, maxsplit=1)[0]
    return text.strip(LABEL_TRIM + ",،") or None


class _SiteName:
    """Tells the site's name from the story in a title: "Story | Site", "Site - Story"."""

    def __init__(self, names: list[str], url: str) -> None:
        self._names = {_squeezed(n) for n in names if _squeezed(n)}
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        self._host = _squeezed(host)
        first = host.split(".")[0]
        self._label = _squeezed(first) if len(first) >= _HOST_LABEL_MIN_CHARS else ""

    def names(self, segment: str) -> bool:
        """Whether a title segment is the site's name (as declared, or its host name)."""
        key = _squeezed(segment)
        if not key:
            return False
        if key in self._names:
            return True
        if len(key) >= _HOST_LABEL_MIN_CHARS and key in self._host:
            return True
        return bool(self._label) and self._label in key and len(key) <= len(self._label) + 12

    def without_name(self, title: str) -> str:
        """The title without the site's name before or after it, as written."""
        bounds = [0, *(i for m in _TITLE_SPLIT.finditer(title) for i in m.span()), len(title)]
        parts = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
        kept = [(start, end) for start, end in parts if title[start:end].strip()]
        while kept and self.names(title[kept[0][0] : kept[0][1]]):
            kept.pop(0)
        while kept and self.names(title[kept[-1][0] : kept[-1][1]]):
            kept.pop()
        return title[kept[0][0] : kept[-1][1]].strip() if kept else ""

    def story(self, title: str) -> str:
        """The title's first segment that is not the site's name ("Story - Subtitle | Site")."""
        segments = [part.strip() for part in _TITLE_SPLIT.split(title) if part.strip()]
        for segment in segments:
            if not self.names(segment):
                return segment
        # A title that is only the site's name names no story; one whose every
        # part looks like the site (a site name set to the headline) starts with it.
        return segments[0] if len(segments) > 1 else ""


def _squeezed(text: str | None) -> str:
    """Letters and digits only, case-folded: "Move.org" and "move org" are one name."""
    return "".join(_WORD.findall((text or "").casefold())).replace("_", "")


def _same_words(a: str, b: str) -> bool:
    return _WORD.findall(a.casefold()) == _WORD.findall(b.casefold())


def _names_the_story(heading: str, titles: str) -> bool:
    """Whether a visible ``<h1>`` is the headline the metadata words differently.

    Sites write one title for search engines and another for readers; the
    reader's is the one on the page. An ``<h1>`` sharing a word with the
    metadata's titles is that headline; one that shares nothing is a logo or
    a section (the site's own name was set aside before, `_is_site_segment`).
    """
    if not titles.strip():
        return len(heading) >= _HEADLINE_MIN_CHARS
    folded = heading.casefold()
    words = {w for w in _WORD.findall(titles.casefold()) if len(w) > 2}
    return any(w in words for w in _WORD.findall(folded) if len(w) > 2)


def _site_segments(meta_title: str, head_title: str) -> set[str]:
    """Segments of the titles that name the site, not the story (case-folded).

    ``<title>`` "Story | Site" beside ``og:title`` "Story" gives "Site"; so
    does "Site » Story". Both titles ending in the same segment end in the
    site's name. Without ``og:title``, what follows the first segment is taken
    for the site.
    """
    head = [part.strip().casefold() for part in _TITLE_SPLIT.split(head_title) if part.strip()]
    meta = [part.strip().casefold() for part in _TITLE_SPLIT.split(meta_title) if part.strip()]
    found: set[str] = set()
    if len(head) < 2:
        return found
    if meta and len(head) > len(meta):
        # <title> is og:title with the name added: "Site | Kicker | Story".
        if head[-len(meta) :] == meta:
            return set(head[: -len(meta)])
        if head[: len(meta)] == meta:
            return set(head[len(meta) :])
    if len(meta) >= 2 and head != meta and head[-1] == meta[-1]:
        # Two stories under one name: the name is the shared end, and the
        # <title>'s first part is the story it words differently.
        found.add(head[-1])
        return found
    if meta_title:
        folded = meta_title.casefold()
        # "Site » Story" when the story is what og:title says, else "Story | Site"
        part = head[0] if head[-1] in folded else head[-1]
        if part not in folded:
            found.add(part)
    else:
        found.update(head[1:])
    return found


def _heading_before(root: LexborNode, anchor: LexborNode) -> LexborNode | None:
    best: LexborNode | None = None
    for node in root.traverse():
        if node.mem_id == anchor.mem_id:
            return best
        if node.tag in _HEADING_TAGS and clean_text(node.text()):
            best = node
    return best


def _starts_with_tag_label(text: str) -> bool:
    """Whether a block opens with a tag label run into its links ("وسوم: عدن، ...")."""
    head = text.split(":", 1)[0].strip() if ":" in text else ""
    return head in _TAG_LABELS


def _unique_tags(texts: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for text in texts:
        tag = clean_text(text).strip(_TAG_TRIM)
        if tag and tag not in _TAG_LABELS:
            seen.setdefault(tag, None)
    return tuple(seen)
