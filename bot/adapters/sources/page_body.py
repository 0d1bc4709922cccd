"""The story's body on any site: scored text blocks, the best container, its siblings.

Taking the one element with the most ``<p>`` text fails on real pages: the
article is split over sibling blocks, its text sits in ``<div>``s and
``<br>`` lines with no ``<p>``, and a comment form or a "more stories"
teaser can hold more paragraphs than the story. So, as Readability (and
trafilatura's fallback to it) does:

1. Furniture is set aside, not deleted (other fields still read it):
   ``nav``, ``aside``, ``footer``, navigation and complementary roles;
   and, unless they hold half the page's text, hidden elements, figures
   and captions, and elements whose class or id says comment, sidebar,
   share, related, promo, cookie, byline and the like.
2. The page is cut into text blocks at block-element boundaries and line
   breaks, so text in a ``<div>`` or between ``<br>``s counts as much as a
   ``<p>``. Each block of 25 characters or more scores by its length and
   commas; the score goes to its parent in full, its grandparent in half,
   and further ancestors in ever smaller shares.
3. An element's score is scaled by its tag and class, then by how little of
   its text is link text (a teaser list is nearly all links).
4. When several strong candidates share an ancestor, the ancestor wins; and
   the winner widens to an ancestor holding much more prose and few links:
   that is the story split across sibling blocks or nested sections. A
   winner with no prose of its own (its paragraphs sit beside a "read also"
   box of links) is not widened: there is nothing to compare.
5. The winner's siblings join when they score well or read as prose.
6. Their lines are the body, less the headline repeated atop the story in
   any element, datelines, link lines, furniture lines, and captions: a short line in a
   small wrapper around an image.

When the set-aside leaves almost nothing, the page is read again with only
the structural furniture set aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from selectolax.lexbor import LexborNode

from bot.adapters.sources.page_dates import visible_date
from bot.adapters.sources.page_text import clean_text, is_furniture

_SKIPPED_TAGS: Final = frozenset({"nav", "aside", "footer", "dialog", "menu", "form", "header"})
_SKIPPED_ROLES: Final = frozenset(
    {"navigation", "complementary", "contentinfo", "banner", "dialog", "alertdialog", "menu"}
)
_UNLIKELY = re.compile(
    r"-ad-|ad-break|agegate|banner|breadcrumb|combx|comment|community|cookie|consent|disqus|"
    r"footer|gdpr|legends|menu|modal|newsletter|outbrain|pager|pagination|popup|promo|"
    r"related|remark|replies|rss|share(?!able)|sharing|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"subscribe|supplemental|taboola|teaser|recommend|read-?more|most-?read|trending|"
    r"caption|credit|byline|author-?bio|about-?the-?author|dateline",
    re.IGNORECASE,
)
_GRID_CLASSES: Final = frozenset({"column", "columns"})
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow|story|entry|post", re.IGNORECASE)
_NEGATIVE = re.compile(
    r"hidden|banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|media|meta|"
    r"outbrain|promo|related|scroll|share(?!able)|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|"
    r"tool|widget|caption|byline|author|credit",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|news",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Classes that CSS frameworks hide (Bootstrap, WordPress, utility kits): text
# for screen readers ("Article content", "Advertisement") or a paywall held
# back for later, never what a reader sees.
_HIDDEN_CLASSES: Final = frozenset(
    {"hidden", "is-hidden", "visually-hidden", "visuallyhidden", "sr-only", "screen-reader-text",
     "screen-reader-only", "d-none", "u-hidden", "hide", "hidden-xs-up", "invisible"}
)  # fmt: skip
_BLOCK_TAGS: Final = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", "center",
        "details", "summary", "br", "tbody", "thead", "caption", "body", "html",
    }
)  # fmt: skip
_TAG_WEIGHT: Final = {
    "div": 5.0,
    "article": 8.0,
    "main": 5.0,
    "section": 3.0,
    "pre": 3.0,
    "td": 3.0,
    "blockquote": 3.0,
    "ol": -3.0,
    "ul": -3.0,
    "dl": -3.0,
    "li": -3.0,
    "form": -3.0,
    "th": -5.0,
}
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPH_TAGS: Final = frozenset({"p", "pre", "td", "li", "blockquote", "dd", "dt", *_HEADINGS})
_MIN_BLOCK_CHARS: Final = 25
_CAPTION_TAGS: Final = frozenset({"figure", "figcaption", "picture"})
_DATELINE_MAX_CHARS: Final = 60
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
_CLIMB_GAIN: Final = 1.5
_CLIMB_LOOKAHEAD: Final = 6
_CLIMB_MAX_LINK_DENSITY: Final = 0.35
_MIN_BODY_CHARS: Final = 250
_CAPTION_MAX_CHARS: Final = 120
_COMMAS = re.compile(r"[,،、，]")
# Han, kana and hangul: one such character says about as much as a Latin word.
_DENSE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_DENSE_WEIGHT: Final = 3
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?؟。]\s*$")
# "Published on ... 2020", "Updated ... 2020": a dateline by its own words.
_PUBLISHED_LINE = re.compile(
    r"^(?:تم\s+نشره|تم\s+النشر|نُ?شر\s+(?:في|بتاريخ)|تاريخ\s+النشر|آخر\s+تحديث|"
    r"published|posted|updated|last\s+updated)\b.*\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Block:
    """A run of text between block boundaries, with the element that holds it."""

    owner: LexborNode
    text: str
    link_chars: int
    heading: bool


def main_text(root: LexborNode, title: str = "") -> tuple[LexborNode | None, tuple[str, ...]]:
    """The story's container and its paragraphs, furniture removed.

    Args:
        root: The page's body, prepared (`page_text.prepare`).
        title: The headline already found, left out of the body if repeated there.
    """
    structural = _structural_furniture(root)
    blocks = list(_blocks(root, structural))
    named = _named_furniture(root, blocks)
    strict = _read(root, title, list(_blocks(root, structural | named)) if named else blocks)
    if _size(strict[1]) >= _MIN_BODY_CHARS or not named:
        return strict
    relaxed = _read(root, title, blocks)
    return relaxed if _size(relaxed[1]) > _size(strict[1]) else strict


def _read(
    root: LexborNode, title: str, blocks: list[Block]
) -> tuple[LexborNode | None, tuple[str, ...]]:
    chosen = _choose(root, blocks)
    if chosen is None:
        return None, ()
    container, members = chosen
    return container, _paragraphs(blocks, members, title)


def _size(paragraphs: tuple[str, ...]) -> int:
    return sum(len(p) for p in paragraphs)


# -- furniture ----------------------------------------------------------------


def _structural_furniture(root: LexborNode) -> set[int]:
    """Elements whose subtree is furniture by tag or role (nav, aside, footer...)."""
    skipped: set[int] = set()
    for node in root.traverse():
        tag = node.tag
        if tag in ("body", "html") or not node.is_element_node:
            continue
        attrs = node.attributes
        role = (attrs.get("role") or "").lower()
        if tag in _SKIPPED_TAGS or role in _SKIPPED_ROLES:
            if tag in ("header", "form") and not _names_furniture(node):
                continue  # an article's own header, or a page-wide ASP.NET form
            skipped.add(node.mem_id)
    return skipped


def _named_furniture(root: LexborNode, blocks: list[Block]) -> set[int]:
    """Hidden elements, captions, and elements named like furniture, unless they hold most text.

    A wrapper called "share-container" or "newsletter-content" around the
    whole story is a name, not furniture, and a hidden ``<div>`` holding the
    whole page is a server-rendered page waiting for its script: an element
    with half the page's text or more is never set aside for these alone.
    """
    chars = _chars_by_element(root, blocks)
    total = chars.get(root.mem_id, 0)
    skipped: set[int] = set()
    for node in root.traverse():
        if node.tag in ("body", "html", "article", "main", "a") or not node.is_element_node:
            continue
        furniture = node.tag in _CAPTION_TAGS or _is_hidden(node) or _names_furniture(node)
        if furniture and chars.get(node.mem_id, 0) < total * 0.5:
            skipped.add(node.mem_id)
    return skipped


def _chars_by_element(root: LexborNode, blocks: list[Block]) -> dict[int, int]:
    chars: dict[int, int] = {}
    for block in blocks:
        node: LexborNode | None = block.owner
        while node is not None:
            chars[node.mem_id] = chars.get(node.mem_id, 0) + len(block.text)
            if node.mem_id == root.mem_id:
                break
            node = node.parent
    return chars


def _is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    return (
        "hidden" in attrs
        or (attrs.get("aria-hidden") or "").lower() == "true"
        or bool(_HIDDEN_STYLE.search(attrs.get("style") or ""))
        or not _HIDDEN_CLASSES.isdisjoint((attrs.get("class") or "").lower().split())
    )


def _names_furniture(node: LexborNode) -> bool:
    names = _names(node)
    if not names or not _UNLIKELY.search(names):
        return False
    # A grid's "column(s)" class says where a block sits, not what it is:
    # "comments-list columns" is still the comments.
    kept = " ".join(t for t in names.split() if t.lower() not in _GRID_CLASSES)
    return not _MAYBE.search(kept)


def _names(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()


# -- blocks -------------------------------------------------------------------


def _blocks(root: LexborNode, skipped: set[int]) -> Iterator[Block]:
    """The page's text blocks in document order, outside the skipped subtrees."""
    parts: list[str] = []
    link_chars = 0
    owners: list[LexborNode] = [root]
    links = 0  # how many <a> we are inside
    stack: list[tuple[LexborNode, bool]] = [(root, False)]

    def flush() -> Block | None:
        nonlocal parts, link_chars
        text = clean_text("".join(parts))
        block = None
        if text:
            owner = owners[-1]
            block = Block(owner, text, min(link_chars, len(text)), owner.tag in _HEADINGS)
        parts, link_chars = [], 0
        return block

    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node.tag == "a":
                links -= 1
            if node.tag in _BLOCK_TAGS:
                block = flush()
                if block:
                    yield block
                owners.pop()
            continue
        if node.is_text_node:
            text = node.text(deep=False)
            for number, line in enumerate(text.split("\n")):
                if number:
                    block = flush()
                    if block:
                        yield block
                parts.append(line)
                if links:
                    link_chars += len(line.strip())
            continue
        if not node.is_element_node or node.mem_id in skipped:
            continue
        if node.tag in _BLOCK_TAGS:
            block = flush()
            if block:
                yield block
            owners.append(node)
        if node.tag == "a":
            links += 1
        stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    block = flush()
    if block:
        yield block


# -- scoring ------------------------------------------------------------------


def _choose(root: LexborNode, blocks: list[Block]) -> tuple[LexborNode, list[LexborNode]] | None:
    """The best container and the elements (it and chosen siblings) whose blocks are the body."""
    chars: dict[int, int] = {}
    link_chars: dict[int, int] = {}
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for block in blocks:
        node: LexborNode | None = block.owner
        while node is not None:
            chars[node.mem_id] = chars.get(node.mem_id, 0) + len(block.text)
            link_chars[node.mem_id] = link_chars.get(node.mem_id, 0) + block.link_chars
            if node.mem_id == root.mem_id:
                break
            node = node.parent
        if len(block.text) < _MIN_BLOCK_CHARS or block.heading:
            continue
        if block.link_chars > len(block.text) / 2:
            continue
        points = 1 + len(_COMMAS.findall(block.text)) + min(_weight(block.text) / 100, 3)
        # A <p> is a paragraph, scored into its parent; a <div> holding text
        # directly (lines between <br>s) is the paragraphs' parent itself.
        scorer: LexborNode | None = block.owner
        if block.owner.tag in _PARAGRAPH_TAGS:
            scorer = block.owner.parent
        for level in range(5):
            if scorer is None:
                break
            if scorer.mem_id not in scores:
                nodes[scorer.mem_id] = scorer
                scores[scorer.mem_id] = _initial(scorer)
            share = 1.0 if level == 0 else 0.5 if level == 1 else 1 / (level * 3)
            scores[scorer.mem_id] += points * share
            if scorer.mem_id == root.mem_id:
                break
            scorer = scorer.parent
    if not scores:
        return None
    final = {
        key: score * (1 - link_chars.get(key, 0) / max(chars.get(key, 1), 1))
        for key, score in scores.items()
    }
    ranked = sorted(final, key=lambda key: final[key], reverse=True)
    top = nodes[ranked[0]]
    top = _common_ancestor(top, [nodes[k] for k in ranked[1:6]], final, final[ranked[0]], root)
    top = _climb(top, root, blocks, chars, link_chars)
    members = _with_siblings(top, final, chars, link_chars, blocks)
    container = top if len(members) == 1 else (top.parent or top)
    return container, members


def _climb(
    top: LexborNode,
    root: LexborNode,
    blocks: list[Block],
    chars: dict[int, int],
    link_chars: dict[int, int],
) -> LexborNode:
    """Widen `top` to an ancestor while that adds much more prose and few links.

    A story cut into sections (one wrapper per subheading, several levels
    deep) leaves its best-scoring section holding a fraction of the text;
    the ancestor that holds all sections has far more prose, and no more
    links in proportion than a story has.
    """
    prose: dict[int, int] = {}
    for block in blocks:
        if block.heading or len(block.text) < _MIN_BLOCK_CHARS:
            continue
        if block.link_chars > len(block.text) * 0.3:
            continue
        # A teaser's blurb sits beside its headline link: prose among links is no story.
        parent = block.owner.parent
        key = parent.mem_id if parent is not None else root.mem_id
        if key != root.mem_id and link_chars.get(key, 0) > chars.get(key, 0) * 0.3:
            continue
        node: LexborNode | None = block.owner
        while node is not None:
            prose[node.mem_id] = prose.get(node.mem_id, 0) + len(block.text)
            if node.mem_id == root.mem_id:
                break
            node = node.parent
    current = top
    if not prose.get(current.mem_id):
        # Its paragraphs sit among links (a "read also" box inside the story):
        # no measure of how much more prose an ancestor holds, so no widening.
        return current
    while True:
        wider = None
        for level, ancestor in enumerate(_ancestors(current, root)):
            if level >= _CLIMB_LOOKAHEAD:
                break
            size = max(chars.get(ancestor.mem_id, 0), 1)
            if link_chars.get(ancestor.mem_id, 0) / size > _CLIMB_MAX_LINK_DENSITY:
                break
            if prose.get(ancestor.mem_id, 0) >= prose.get(current.mem_id, 0) * _CLIMB_GAIN:
                wider = ancestor
                break
        if wider is None:
            return current
        current = wider


def _weight(text: str) -> int:
    """A block's length in Latin-script terms, so a Japanese paragraph is not a caption."""
    return len(text) + (_DENSE_WEIGHT - 1) * len(_DENSE.findall(text))


def _initial(node: LexborNode) -> float:
    score = _TAG_WEIGHT.get(node.tag or "", 0.0)
    names = _names(node)
    if names:
        if _NEGATIVE.search(names):
            score -= 25
        if _POSITIVE.search(names):
            score += 25
    return score


def _common_ancestor(
    top: LexborNode,
    others: list[LexborNode],
    final: dict[int, float],
    best: float,
    root: LexborNode,
) -> LexborNode:
    """The nearest ancestor of `top` holding three strong candidates: a story split in blocks."""
    strong = [n for n in others if final.get(n.mem_id, 0) >= best * 0.75]
    if len(strong) < 2:
        return top
    for ancestor in _ancestors(top, root):
        inside = sum(1 for n in strong if _is_inside(n, ancestor, root))
        if inside >= 2:
            return ancestor
    return top


def _ancestors(node: LexborNode, root: LexborNode) -> Iterator[LexborNode]:
    parent = node.parent
    while parent is not None and parent.mem_id != root.mem_id:
        yield parent
        parent = parent.parent


def _is_inside(node: LexborNode, ancestor: LexborNode, root: LexborNode) -> bool:
    return any(a.mem_id == ancestor.mem_id for a in _ancestors(node, root))


def _with_siblings(
    top: LexborNode,
    final: dict[int, float],
    chars: dict[int, int],
    link_chars: dict[int, int],
    blocks: list[Block],
) -> list[LexborNode]:
    """`top` and the siblings that belong with it, as Readability joins them."""
    parent = top.parent
    if parent is None:
        return [top]
    threshold = max(10.0, final.get(top.mem_id, 0.0) * 0.2)
    members: list[LexborNode] = []
    for sibling in parent.iter():
        if sibling.mem_id == top.mem_id:
            members.append(sibling)
            continue
        key = sibling.mem_id
        size = chars.get(key, 0)
        if size == 0:
            continue
        density = link_chars.get(key, 0) / size
        strong = final.get(key, 0.0) >= threshold and density < 0.33
        prose = sibling.tag == "p" and size > 80 and density < 0.25
        sentence = sibling.tag == "p" and density == 0 and _ends_sentence(key, blocks)
        if strong or prose or sentence:
            members.append(sibling)
    return members


def _ends_sentence(key: int, blocks: list[Block]) -> bool:
    text = " ".join(b.text for b in blocks if b.owner.mem_id == key)
    return bool(_SENTENCE_END.search(text))


# -- the body -----------------------------------------------------------------


def _paragraphs(blocks: list[Block], members: list[LexborNode], title: str) -> tuple[str, ...]:
    """The member elements' blocks, minus furniture, link lists and the headline."""
    inside: set[int] = set()
    for member in members:
        inside.update(node.mem_id for node in member.traverse())
    body: list[str] = []
    headline = _fold(title)
    started = False  # a paragraph of the story has been read
    for block in blocks:
        if block.owner.mem_id not in inside:
            continue
        text = block.text
        if block.owner.tag == "h1" or is_furniture(text):
            continue
        if headline and not started and _fold(text) == headline:  # the headline atop the story
            continue
        if block.link_chars and block.link_chars >= len(text) * 0.5:
            continue
        if not block.heading and _is_dateline(text):
            continue
        if not block.heading and _is_caption(block):
            continue
        body.append(text)
        started = started or len(text) >= _MIN_BLOCK_CHARS
    return tuple(body)


def _is_caption(block: Block) -> bool:
    """A short line in a small wrapper with an image: the picture's caption or credit."""
    text = block.text
    if len(text) > _CAPTION_MAX_CHARS or _SENTENCE_END.search(text):
        return False
    for node in (block.owner, block.owner.parent):
        if node is None or node.tag in ("body", "html", "p"):
            return False
        if node.css_first("img, picture") is not None:
            return len(clean_text(node.text())) <= _CAPTION_MAX_CHARS * 1.5
    return False


def _fold(text: str) -> str:
    """Words only, case-folded: the headline repeated with other quotes or dashes is the same."""
    return " ".join(_WORD.findall(text.casefold()))


def _is_dateline(text: str) -> bool:
    """A bare dateline ("4:00 am CST, Wednesday, November 20, 2019"), not a story sentence.

    A line that says it is one ("تم نشره الجمعة 24 نيسان / أبريل 2020") is one
    even when its date is written in a way no date reader knows.
    """
    if len(text) > _DATELINE_MAX_CHARS:
        return False
    if _PUBLISHED_LINE.match(text) and len(_NUMBER.findall(text)) >= 2:  # a day and a year
        return True
    return visible_date(text, _EPOCH) is not None
