"""Reader-visible text of a page or feed fragment, and what of it is story.

Text comes from the parser's text nodes, so entities are decoded exactly once
and markup never reaches a field: ``&lt;b&gt;`` in a headline comes out as the
three characters ``<b>``, and a ``<script>`` element comes out as nothing.
A story's paragraphs leave out furniture (credit, follow-us, "read also",
Google News, copyright, share lines), which pages and feeds both carry.
"""

from __future__ import annotations

import html
import re
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.core.text.arabic import normalize_text
from bot.core.text.summary import is_boilerplate

# Elements whose content is never reader-visible text, or is parsed as raw
# text (so "<b>" inside survives as characters): dropped before reading.
_INVISIBLE_TAGS: Final = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "textarea",
    "title",
    "svg",
    "math",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",
    "object",
    "button",
    "select",
)
# Elements a browser shows on their own line: their text is padded with line
# breaks so "<div>a</div><div>b</div>" reads "a b" (two lines).
_BLOCK_TAGS: Final = (
    "address, article, aside, blockquote, dd, div, dl, dt, figcaption, figure, footer, form, "
    "h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, section, table, td, th, tr, ul, "
    "marquee, center, details, summary"
)
_PARAGRAPH_TAGS: Final = frozenset({"p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6"})

_SHARE_LINE = re.compile(r"^(?:شارك|شاركوا|مشاركة|انشر|share)(?:\s|$)", re.IGNORECASE)
_SHARE_LINE_MAX_CHARS: Final = 60
# A line that only labels an advertisement slot, in the languages of the pages read.
_AD_LABEL = re.compile(
    r"^(?:advertisements?|advertising|sponsored|anzeige|werbung|reklam|reklame|publicidad|"
    r"publicité|publicite|annonce|annons|pubblicità|reclame|إعلان|اعلان|إعلانات|"
    r"(?:story|article) continues below(?: advertisement)?|continue reading below)"
    r"(?:\s*[-:]?\s*\d+)?$",
    re.IGNORECASE,
)
CREDIT = re.compile(r"^(?:ال)?مصدر(?: الخبر)?\s*[:：]\s*(.+)$")


def clean_text(text: str) -> str:
    """Collapse whitespace and drop invisible marks in text a parser already decoded.

    `normalize_text` also decodes HTML entities, which suits raw strings but
    would decode parser output a second time (an outlet's literal "&lt;b&gt;"
    would turn into a tag); escaping first makes that step give the text back.
    """
    return normalize_text(html.escape(text, quote=False))


def clean_lines(text: str) -> list[str]:
    """`clean_text` line by line, dropping blank lines: for text whose lines matter."""
    cleaned = normalize_text(html.escape(text, quote=False), keep_newlines=True)
    return [line for line in cleaned.split("\n") if line]


def is_furniture(text: str) -> bool:
    """Tell page furniture (credit, follow-us, share, read-also) from story text."""
    if not text:
        return True
    if len(text) <= _SHARE_LINE_MAX_CHARS and (_SHARE_LINE.match(text) or _AD_LABEL.match(text)):
        return True
    return is_boilerplate(text)


def trim_credit(text: str) -> str | None:
    """The outlet a credit line names: the line ends like a sentence, the name does not."""
    return clean_text(text).rstrip(" .،,") or None


def html_paragraphs(fragment: str) -> tuple[str, ...]:
    """Split an HTML fragment (a feed's summary or content) into text paragraphs.

    Paragraph-like elements give one paragraph each; text outside them (a
    description written with ``<br>`` only) is split on line breaks.
    Furniture lines are dropped, as on pages.
    """
    tree = LexborHTMLParser(fragment)
    prepare(tree)
    root = tree.body
    if root is None:
        return ()
    blocks = paragraphs(root)
    if blocks:
        return blocks
    return tuple(line for line in clean_lines(root.text()) if not is_furniture(line))


def prepare(tree: LexborHTMLParser) -> None:
    """Drop invisible elements and make line structure visible to ``text()``."""
    for tag in _INVISIBLE_TAGS:
        for node in tree.css(tag):
            node.decompose()
    for node in tree.css("br"):
        node.replace_with("\n")
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.root
    if root is None:
        return
    # Two elements with no text between them are two things a browser shows
    # apart ("<span>المصدر</span><span>2310 قراءة</span>"); text running into
    # an element ("كلم<b>ة</b>") is one word split by markup and stays whole.
    # In a cased script, an element's text ending in a small letter and the
    # text after it starting with a capital ("<span>Demo</span>Der 9. Juli")
    # are two phrases too: no word changes case that way at a tag.
    adjacent = [
        node
        for node in root.traverse(include_text=True)
        if node.prev is not None
        and node.prev.is_element_node
        and node.prev.tag != "br"
        and (node.is_element_node or _case_turns(node.prev, node))
    ]
    for node in adjacent:
        node.insert_before(" ")


def _case_turns(element: LexborNode, text: LexborNode) -> bool:
    """Whether an element's text ends in a small letter and the next text opens with a capital."""
    after = text.text_content or ""
    if not after[:1].isupper():
        return False
    last: LexborNode | None = element.last_child
    while last is not None and last.is_element_node:
        last = last.last_child
    words = (last.text_content or "").split() if last is not None else []
    # A one-letter element is a prefix styled apart ("<b>i</b>Phone"), not a phrase.
    return bool(words) and len(words[-1]) > 1 and words[-1][-1].islower()


def paragraphs(container: LexborNode) -> tuple[str, ...]:
    """Text of the container's outermost paragraph-like elements, furniture removed."""
    taken: set[int] = set()
    result: list[str] = []
    for node in container.traverse():
        if node.tag not in _PARAGRAPH_TAGS or _inside(node, taken, container):
            continue
        taken.add(node.mem_id)
        text = clean_text(node.text())
        if not is_furniture(text) and not all_link_text(node, text):
            result.append(text)
    return tuple(result)


def all_link_text(node: LexborNode, text: str) -> bool:
    """Whether a paragraph is only links: a "read also" teaser, not prose."""
    anchors = node.css("a")
    return bool(anchors) and clean_text(" ".join(a.text() for a in anchors)) == text


def _inside(node: LexborNode, ids: set[int], stop: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent.mem_id != stop.mem_id:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False
