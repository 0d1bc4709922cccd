"""Finding things in a parsed page by what they say and where they stand.

The layout and its class names are not promised, so fields are found by
short texts (a counter, a label such as "المصدر") and by document order (the
counter after the headline, the value after its label), never by template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from bot.adapters.sources.page_text import clean_text

LABEL_TRIM: Final = " :：-–—|"
_LABEL_MAX_CHARS: Final = 40


class ElementTexts:
    """Every element under a page's body with its cleaned text, in document order.

    Several fields search the same texts, so they are read once; `forget`
    after pruning the tree keeps removed elements from being found.
    """

    def __init__(self, root: LexborNode) -> None:
        self.root = root
        self._texts: list[tuple[LexborNode, str]] | None = None

    def forget(self) -> None:
        """Read the texts again on the next search: the tree has changed."""
        self._texts = None

    def minimal(self, keep: Callable[[str], bool], max_chars: int) -> list[LexborNode]:
        """Innermost elements whose short text satisfies `keep`, in document order.

        Innermost, because the wrapper of a counter or label has the same
        short text and would otherwise be taken for it.
        """
        found = [node for node, text in self._all() if len(text) <= max_chars and keep(text)]
        ids = {node.mem_id for node in found}
        return [node for node in found if not _has_descendant_in(node, ids)]

    def label(self, labels: frozenset[str]) -> LexborNode | None:
        """The first element that reads as one of `labels`, give or take its colon."""
        found = self.minimal(lambda text: text.strip(LABEL_TRIM) in labels, _LABEL_MAX_CHARS)
        return found[0] if found else None

    def _all(self) -> list[tuple[LexborNode, str]]:
        if self._texts is None:
            self._texts = [
                (node, clean_text(node.text()))
                for node in self.root.traverse()
                if node.is_element_node
            ]
        return self._texts


def absolute_link(base: str, link: str | None) -> str | None:
    """A link resolved against the page, or None for one that leads nowhere to publish."""
    link = (link or "").strip()
    if not link or link.startswith(("data:", "javascript:", "#")):
        return None
    try:
        return urljoin(base, link)
    except ValueError:  # "http://[ccpa-preferences]": a bracketed host that is no IPv6 address
        return None


def after(scope: LexborNode, anchor: LexborNode, nodes: list[LexborNode]) -> list[LexborNode]:
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


def text_after(root: LexborNode, label: LexborNode) -> str | None:
    """The first non-empty text node after `label`: the value a label introduces."""
    inside = {n.mem_id for n in label.traverse(include_text=True)}
    seen = False
    for node in root.traverse(include_text=True):
        if node.mem_id == label.mem_id:
            seen = True
        elif seen and node.is_text_node and node.mem_id not in inside:
            text = clean_text(node.text())
            if text.strip(LABEL_TRIM):
                return text
    return None


def _has_descendant_in(node: LexborNode, ids: set[int]) -> bool:
    return any(child.mem_id in ids for child in node.traverse() if child.mem_id != node.mem_id)
