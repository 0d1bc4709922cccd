"""Read one article page of the site into an `ArticleDraft`.

The site republishes stories from many outlets on pages that share a layout,
but neither the layout nor its class names are promised, so the extractor
works from what a reader sees rather than from one template:

* the headline is the ``<h1>`` that ``og:title`` starts with, ``og:title``
  minus the site name, or the heading nearest before the read counter;
* the read counter is a short text "N قراءة" (ASCII or Arabic-Indic digits);
* three or more sibling rows that each carry one counter and a link are the
  most-read block: it is read first, then removed, so that neither its
  counters nor its links are mistaken for the article's;
* the body is the element holding the most paragraph text, minus furniture
  (`page_text`);
* the outlet and the tags follow the labels "المصدر" and "الوسوم"; the
  section follows "تفاصيل الخبر |", else a breadcrumb, else metadata
  (`page_meta`);
* follow-us links are recognised by host, share buttons by their path.

Per-source CSS selectors (`FIELDS`) win over a heuristic when they match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Final
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from bot.errors import ConfigError, ParseError
from bot.model import ArticleDraft, MostReadEntry, SocialLinks
from bot.sources.charset import decode_body
from bot.sources.page_meta import parse_datetime, read_json_ld, read_meta
from bot.sources.page_text import (
    CREDIT,
    all_link_text,
    clean_lines,
    clean_text,
    is_furniture,
    paragraphs,
    prepare,
    trim_credit,
)
from bot.text.arabic import parse_count, to_ascii_digits

FIELDS: Final = frozenset(
    {
        "title",
        "section",
        "reads",
        "body",
        "credit",
        "outlet",
        "tags",
        "image",
        "published",
        "most_read",
    }
)

_VALUE_ATTRIBUTES: Final = ("datetime", "content", "src", "data-src", "href")
_HEADING_TAGS: Final = frozenset({"h1", "h2", "h3"})

_DIGIT: Final = "0-9\u0660-\u0669\u06f0-\u06f9"
_COUNTER = re.compile(
    rf"(?P<n>[{_DIGIT}](?:[{_DIGIT},.\u060c\u066b\u066c]*[{_DIGIT}])?)\s*(?P<k>[اأ]لف\s*)?"
    r"(?:قراءة|قراءات|قراءه|مشاهدة|مشاهدات|مشاهده)"
    rf"|(?:عدد القراءات|القراءات|المشاهدات)\s*[:：]?\s*(?P<n2>[{_DIGIT}][{_DIGIT},\u060c\u066c]*)"
)
_COUNTER_MAX_CHARS: Final = 60
_LABEL_MAX_CHARS: Final = 40
_MOST_READ_MIN_ROWS: Final = 3
_MOST_READ_ROW_MAX_CHARS: Final = 400
_CREDIT_MAX_CHARS: Final = 120

_SECTION_HEADER = re.compile(r"^تفاصيل (?:الخبر|المقال|الموضوع)\s*[|»›/:\-–]\s*(.+)$")
_HOME_CRUMBS: Final = frozenset({"الرئيسية", "الصفحة الرئيسية", "home"})
_SOURCE_LABELS: Final = frozenset({"المصدر", "مصدر الخبر", "المصدر الأصلي"})
_TAG_LABELS: Final = frozenset(
    {"الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "كلمات دلالية", "الكلمات الدلالية"}
)
_TAG_BLOCK_MAX_CHARS: Final = 600
_OUTLET_SUFFIX = re.compile(r"\s*[ـ\-–—|/:]+\s*(?:متابعات|خاص|وكالات)\s*$")
_TITLE_SEPARATORS: Final = ("|", "-", "–", "—", "»", "::", ":", "·")
_TAG_TRIM: Final = " #،,؛;:.|/\\\"'«»()[]{}"
_LABEL_TRIM: Final = " :：-–—|"

_FOLLOW_HINTS: Final = ("تابع", "follow", "انضم", "اشترك")
_SHARE_PATH = re.compile(r"/(?:sharer|share|intent|dialog)\b|[?&](?:u|url|text)=", re.IGNORECASE)
_NETWORK_HOSTS: Final = (
    ("google_news", ("news.google.com",)),
    ("youtube", ("youtube.com", "youtu.be")),
    ("x", ("x.com", "twitter.com")),
    ("telegram", ("t.me", "telegram.me", "telegram.dog")),
    ("facebook", ("facebook.com", "fb.com", "fb.me")),
)


def decode_page(content: bytes) -> str:
    """Decode a raw page body as a browser would (BOM, ``<meta charset>``, detection)."""
    return decode_body(content, None)[0]


# -- pages -----------------------------------------------------------------


def validate_selectors(selectors: Mapping[str, str]) -> None:
    """Check per-source selectors when settings load, not on every page.

    Raises:
        ConfigError: A key is not one of `FIELDS` or a selector does not
            parse; the message names the field so the setting can be found.
    """
    probe = LexborHTMLParser("<p></p>")
    for name, selector in selectors.items():
        if name not in FIELDS:
            raise ConfigError(f"unknown page selector field {name!r}; use one of {sorted(FIELDS)}")
        try:
            probe.css(selector)
        except SelectolaxError as exc:
            raise ConfigError(f"page selector for {name!r} is not valid CSS: {selector!r}") from exc


def extract_article(
    html: str | bytes, url: str, *, selectors: Mapping[str, str] | None = None
) -> ArticleDraft:
    """Read an article page laid out like the site's into a draft.

    Args:
        html: The page as text, or its raw body, which is then decoded by its
            BOM, ``<meta charset>`` or detection (windows-1256 pages work).
        url: Where the page was fetched; relative links resolve against it.
        selectors: Optional per-source CSS selectors keyed by `FIELDS`. A
            selector that matches wins; one that matches nothing falls back to
            the heuristics, so a small layout change degrades, not fails.

    Raises:
        ParseError: The page has no recognisable headline.
        ConfigError: `selectors` names an unknown field or invalid CSS.
    """
    chosen = dict(selectors or {})
    validate_selectors(chosen)
    text = decode_page(html) if isinstance(html, bytes) else html
    return _Page(LexborHTMLParser(text), url, chosen).draft()


class _Page:
    """One parsed page; each field is read by one method, in dependency order."""

    def __init__(self, tree: LexborHTMLParser, url: str, selectors: dict[str, str]) -> None:
        self.url = url
        self.selectors = selectors
        self.meta = read_meta(tree)
        self.json_ld = read_json_ld(tree)
        head_title = tree.css_first("head > title")
        self.head_title = clean_text(head_title.text()) if head_title is not None else ""
        prepare(tree)
        root = tree.body
        if root is None:
            raise ParseError("no headline found", url=url)
        self.root = root
        self._texts: list[tuple[LexborNode, str]] | None = None
        self.picked = self._pick()

    def draft(self) -> ArticleDraft:
        most_read = self._most_read()
        title, heading = self._title()
        container, body = self._body()
        return ArticleDraft(
            url=self.url,
            title=title,
            body=body,
            summary=self._summary(),
            section=self._section(title),
            outlet=self._outlet(),
            source_credit=self._credit(container),
            image=self._image(container),
            published_at=self._published(),
            tags=self._tags(),
            reads=self._reads(heading),
            social=self._social(container),
            most_read=most_read,
        )

    # -- helpers -----------------------------------------------------------

    def _pick(self) -> dict[str, list[str]]:
        """Read what the per-source selectors match, before the tree is pruned.

        Values are texts, or for ``image`` and ``published`` the attribute
        values and text to try in order; fields with no match are absent.
        """
        picked: dict[str, list[str]] = {}
        for field, selector in self.selectors.items():
            nodes = self.root.css(selector)
            values: list[str]
            if field == "most_read":
                continue
            if field == "body" and len(nodes) == 1 and nodes[0].css_first("p") is not None:
                values = list(paragraphs(nodes[0]))
            elif field == "body":
                values = [t for t in (clean_text(n.text()) for n in nodes) if not is_furniture(t)]
            elif field == "tags":
                values = [a.text() for node in nodes for a in node.css("a") or [node]]
            elif field in ("image", "published"):
                values = [
                    value
                    for node in nodes
                    for value in (*(node.attributes.get(a) for a in _VALUE_ATTRIBUTES), node.text())
                    if value and value.strip()
                ]
            else:
                values = [t for t in (clean_text(n.text()) for n in nodes) if t]
            if values:
                picked[field] = values
        return picked

    def _picked_text(self, field: str) -> str | None:
        values = self.picked.get(field)
        return values[0] if values else None

    def _absolute(self, link: str | None) -> str | None:
        link = (link or "").strip()
        if not link or link.startswith(("data:", "javascript:", "#")):
            return None
        return urljoin(self.url, link)

    def _element_texts(self) -> list[tuple[LexborNode, str]]:
        """Every element under the body with its cleaned text, in document order."""
        if self._texts is None:
            self._texts = [
                (node, clean_text(node.text()))
                for node in self.root.traverse()
                if node.is_element_node
            ]
        return self._texts

    def _minimal(self, keep: Callable[[str], bool], max_chars: int) -> list[LexborNode]:
        """Innermost elements whose short text satisfies `keep`, in document order."""
        found = [
            node for node, text in self._element_texts() if len(text) <= max_chars and keep(text)
        ]
        ids = {node.mem_id for node in found}
        return [node for node in found if not _has_descendant_in(node, ids)]

    def _counters(self) -> list[LexborNode]:
        return self._minimal(lambda text: bool(_COUNTER.search(text)), _COUNTER_MAX_CHARS)

    def _label(self, labels: frozenset[str]) -> LexborNode | None:
        found = self._minimal(lambda text: text.strip(_LABEL_TRIM) in labels, _LABEL_MAX_CHARS)
        return found[0] if found else None

    # -- fields ------------------------------------------------------------

    def _most_read(self) -> tuple[MostReadEntry, ...]:
        """Read the most-read block, then drop every counter list from the tree."""
        selector = self.selectors.get("most_read")
        rows = self.root.css(selector) if selector else []
        groups = [[[row] for row in rows]] if rows else self._counter_rows()
        if not groups:
            return ()
        best = max(groups, key=len)
        entries = tuple(e for e in (self._row_entry(extent) for extent in best) if e is not None)
        for group in groups:
            for extent in group:
                for node in extent:
                    node.decompose()
        self._texts = None
        return entries

    def _counter_rows(self) -> list[list[list[LexborNode]]]:
        """Lists of rows (runs of sibling elements) that carry one counter each."""
        counters = self._counters()
        counter_ids = {c.mem_id for c in counters}
        by_parent: dict[int, list[LexborNode]] = {}
        for counter in counters:
            row = counter
            while row.parent is not None and row.parent.mem_id != self.root.mem_id:
                inside = sum(1 for n in row.parent.traverse() if n.mem_id in counter_ids)
                if inside != 1:
                    break
                row = row.parent
            parent = row.parent
            if parent is None or len(clean_text(row.text())) > _MOST_READ_ROW_MAX_CHARS:
                continue
            by_parent.setdefault(parent.mem_id, []).append(row)
        groups: list[list[list[LexborNode]]] = []
        for rows in by_parent.values():
            extents = [_extent(row, rows) for row in rows]
            if sum(1 for extent in extents if _links(extent)) >= _MOST_READ_MIN_ROWS:
                groups.append(extents)
        return groups

    def _row_entry(self, extent: list[LexborNode]) -> MostReadEntry | None:
        """One most-read row: its link's text is the title, its counter line the rest."""
        lines = clean_lines("\n".join(node.text() for node in extent))
        links = [(clean_text(a.text()), a.attributes.get("href")) for a in _links(extent)]
        titled = [(text, href) for text, href in links if text and not _COUNTER.search(text)]
        if titled:
            title, href = max(titled, key=lambda pair: len(pair[0]))
        else:
            plain = [line for line in lines if not _COUNTER.search(line)]
            title = max(plain, key=len) if plain else ""
            href = links[0][1] if links else None
        outlet: str | None = None
        reads: int | None = None
        for line in lines:
            match = _COUNTER.search(line.replace(title, " ") if title else line)
            if match is None:
                continue
            rest = line.replace(title, " ") if title else line
            reads = _count(match)
            outlet = clean_text(rest[: match.start()]).strip(_LABEL_TRIM) or None
            if outlet is None:
                outlet = clean_text(rest[match.end() :]).strip(_LABEL_TRIM) or None
            break
        if not title:
            return None
        return MostReadEntry(title=title, url=self._absolute(href), outlet=outlet, reads=reads)

    def _title(self) -> tuple[str, LexborNode | None]:
        picked = self._picked_text("title")
        if picked is not None:
            return picked, None
        og_title = self.meta.get("og:title") or ""
        site_names = [
            n for n in (self.meta.get("og:site_name"), self.meta.get("application-name")) if n
        ]
        h1s = [(node, clean_text(node.text())) for node in self.root.css("h1")]
        h1s = [(node, text) for node, text in h1s if text and text not in site_names]
        for node, text in h1s:
            if og_title and og_title.startswith(text):
                return text, node
        stripped = _strip_site_name(og_title, site_names)
        if stripped:
            return stripped, self._heading_with_text(stripped)
        counters = self._counters()
        heading = _heading_before(self.root, counters[0]) if counters else None
        if heading is None and h1s:
            heading = h1s[0][0]
        if heading is not None:
            return clean_text(heading.text()), heading
        fallback = _strip_site_name(self.head_title, site_names)
        if not fallback:
            fallback = clean_text(str(self.json_ld.get("headline") or ""))
        if fallback:
            return fallback, None
        raise ParseError("no headline found", url=self.url)

    def _heading_with_text(self, text: str) -> LexborNode | None:
        for node in self.root.traverse():
            if node.tag in _HEADING_TAGS and clean_text(node.text()) == text:
                return node
        return None

    def _reads(self, heading: LexborNode | None) -> int | None:
        selected = self._picked_text("reads")
        if selected is not None:
            match = _COUNTER.search(selected)
            return _count(match) if match else parse_count(selected)
        counters = self._counters()
        if not counters:
            return None
        chosen = counters[0]
        if heading is not None:
            later = _after(self.root, heading, counters)
            chosen = later[0] if later else chosen
        match = _COUNTER.search(clean_text(chosen.text()))
        return _count(match) if match else None

    def _body(self) -> tuple[LexborNode | None, tuple[str, ...]]:
        if "body" in self.picked:
            return None, tuple(self.picked["body"])
        scores: dict[int, tuple[int, LexborNode]] = {}
        for paragraph in self.root.css("p"):
            parent = paragraph.parent
            text = clean_text(paragraph.text())
            if parent is None or is_furniture(text) or all_link_text(paragraph, text):
                continue
            score, _ = scores.get(parent.mem_id, (0, parent))
            scores[parent.mem_id] = (score + len(text), parent)
        if not scores:
            return None, ()
        _, container = max(scores.values(), key=lambda pair: pair[0])
        return container, paragraphs(container)

    def _summary(self) -> str | None:
        return self.meta.get("og:description") or self.meta.get("description") or None

    def _section(self, title: str) -> str | None:
        selected = self._picked_text("section")
        if selected is not None:
            match = _SECTION_HEADER.match(selected)
            return clean_text(match.group(1)) if match else selected
        for node in self._minimal(lambda text: bool(_SECTION_HEADER.match(text)), 120):
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
        candidates = self._minimal(lambda text: bool(CREDIT.match(text)), _CREDIT_MAX_CHARS)
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
            label = self._label(_SOURCE_LABELS)
            text = _text_after(self.root, label) if label is not None else None
        if not text:
            return None
        for label_text in _SOURCE_LABELS:
            if text.startswith(label_text):
                text = text[len(label_text) :].lstrip(_LABEL_TRIM)
        return _OUTLET_SUFFIX.sub("", text).strip(_LABEL_TRIM) or None

    def _tags(self) -> tuple[str, ...]:
        if "tags" in self.picked:
            return _unique_tags(self.picked["tags"])
        label = self._label(_TAG_LABELS)
        scope = label.parent if label is not None else None
        for _ in range(3):
            if label is None or scope is None:
                break
            anchors = _after(scope, label, scope.css("a"))
            if anchors:
                return _unique_tags(a.text() for a in anchors)
            scope = scope.parent
        for block in self._minimal(_starts_with_tag_label, _TAG_BLOCK_MAX_CHARS):
            anchors = block.css("a")
            if anchors:
                return _unique_tags(a.text() for a in anchors)
        rel_tags = [
            a for a in self.root.css("a[rel]") if "tag" in (a.attributes.get("rel") or "").split()
        ]
        if rel_tags:
            return _unique_tags(a.text() for a in rel_tags)
        meta_tags = self.meta.get_all("article:tag")
        if meta_tags:
            return _unique_tags(meta_tags)
        keywords = self.json_ld.get("keywords")
        if isinstance(keywords, str):
            return _unique_tags(keywords.split(","))
        if isinstance(keywords, list):
            return _unique_tags(str(k) for k in keywords)
        return ()

    def _image(self, container: LexborNode | None) -> str | None:
        for value in self.picked.get("image", []):
            found = self._absolute(value)
            if found:
                return found
        for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
            found = self._absolute(self.meta.get(key))
            if found:
                return found
        image = self.json_ld.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        if isinstance(image, dict):
            image = image.get("url")
        if isinstance(image, str) and self._absolute(image):
            return self._absolute(image)
        for img in container.css("img") if container is not None else []:
            found = self._absolute(img.attributes.get("src") or img.attributes.get("data-src"))
            if found:
                return found
        return None

    def _published(self) -> datetime | None:
        candidates: list[str | None] = list(self.picked.get("published", []))
        candidates.extend(
            self.meta.get(key)
            for key in ("article:published_time", "og:published_time", "datepublished", "pubdate")
        )
        candidates.append(str(self.json_ld.get("datePublished") or ""))
        candidates.extend(node.attributes.get("datetime") for node in self.root.css("time"))
        for raw in candidates:
            parsed = parse_datetime(raw)
            if parsed is not None:
                return parsed
        return None

    def _social(self, container: LexborNode | None) -> SocialLinks:
        in_body = {n.mem_id for n in container.traverse()} if container is not None else set()
        best: dict[str, tuple[int, str]] = {}
        for anchor in self.root.css("a[href]"):
            href = self._absolute(anchor.attributes.get("href"))
            network = _network(href)
            if href is None or network is None:
                continue
            parent = anchor.parent
            hint = " ".join(
                [
                    anchor.text(),
                    anchor.attributes.get("title") or "",
                    anchor.attributes.get("aria-label") or "",
                    parent.text() if parent is not None else "",
                ]
            ).lower()
            rank = 0 if any(word in hint for word in _FOLLOW_HINTS) else 1
            if anchor.mem_id in in_body:
                rank = 2
            if network not in best or rank < best[network][0]:
                best[network] = (rank, href)
        return SocialLinks(**{name: href for name, (_, href) in best.items()})


# -- page-independent helpers ----------------------------------------------


def _strip_site_name(title: str, site_names: list[str]) -> str:
    for name in site_names:
        for separator in _TITLE_SEPARATORS:
            suffix = f" {separator} {name}"
            if title.endswith(suffix):
                return title[: -len(suffix)].strip()
            prefix = f"{name} {separator} "
            if title.startswith(prefix):
                return title[len(prefix) :].strip()
    return title


def _count(match: re.Match[str]) -> int | None:
    """The number a counter match shows; "1.5 ألف" is a thousand and a half."""
    number = match.group("n") or match.group("n2") or ""
    if match.group("k"):
        try:
            value = float(to_ascii_digits(number).replace("\u066b", ".").replace(",", "."))
        except ValueError:
            return parse_count(number)
        return round(value * 1000)
    return parse_count(number.replace(".", ","))


def _has_descendant_in(node: LexborNode, ids: set[int]) -> bool:
    return any(child.mem_id in ids for child in node.traverse() if child.mem_id != node.mem_id)


def _heading_before(root: LexborNode, anchor: LexborNode) -> LexborNode | None:
    best: LexborNode | None = None
    for node in root.traverse():
        if node.mem_id == anchor.mem_id:
            return best
        if node.tag in _HEADING_TAGS and clean_text(node.text()):
            best = node
    return best


def _after(scope: LexborNode, anchor: LexborNode, nodes: list[LexborNode]) -> list[LexborNode]:
    """The `nodes` that come after `anchor` (and outside it) in document order."""
    wanted = {n.mem_id for n in nodes}
    inside = {n.mem_id for n in anchor.traverse()}
    seen = False
    result: list[LexborNode] = []
    for node in scope.traverse():
        if node.mem_id == anchor.mem_id:
            seen = True
        elif seen and node.mem_id in wanted and node.mem_id not in inside:
            result.append(node)
    return result


def _text_after(root: LexborNode, label: LexborNode) -> str | None:
    """The first non-empty text node after `label`: the value a label introduces."""
    inside = {n.mem_id for n in label.traverse(include_text=True)}
    seen = False
    for node in root.traverse(include_text=True):
        if node.mem_id == label.mem_id:
            seen = True
        elif seen and node.is_text_node and node.mem_id not in inside:
            text = clean_text(node.text())
            if text.strip(_LABEL_TRIM):
                return text
    return None


def _extent(row: LexborNode, rows: list[LexborNode]) -> list[LexborNode]:
    """A row plus, when it has no link itself, its siblings up to the next row."""
    if _links([row]):
        return [row]
    row_ids = {r.mem_id for r in rows}
    extent = [row]
    sibling = row.next
    while sibling is not None and sibling.mem_id not in row_ids:
        if sibling.is_element_node:
            extent.append(sibling)
        sibling = sibling.next
    return extent


def _links(nodes: list[LexborNode]) -> list[LexborNode]:
    found: list[LexborNode] = []
    for node in nodes:
        if node.tag == "a" and node.attributes.get("href"):
            found.append(node)
        found.extend(node.css("a[href]"))
    return found


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


def _network(href: str | None) -> str | None:
    """Which advertised network a link points to; None for shares and the rest."""
    if not href:
        return None
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or _SHARE_PATH.search(href):
        return None
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    for name, hosts in _NETWORK_HOSTS:
        if host in hosts:
            return name
    return None
