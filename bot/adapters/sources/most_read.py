"""The "most read" block: three or more sibling rows that each carry one counter and a link.

It is read first, then removed, so that neither its counters nor its links
are mistaken for the article's. A source's ``most_read`` selector, when it
matches, names the rows instead.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborNode

from bot.adapters.sources.page_text import clean_lines, clean_text
from bot.adapters.sources.page_tree import LABEL_TRIM, ElementTexts, absolute_link
from bot.adapters.sources.read_counter import COUNTER, count, find_counters
from bot.core.model import MostReadEntry

_MOST_READ_MIN_ROWS: Final = 3
_MOST_READ_ROW_MAX_CHARS: Final = 400


def take_most_read(
    texts: ElementTexts, selector: str | None, url: str
) -> tuple[MostReadEntry, ...]:
    """Read the most-read block, then drop every counter list from the tree.

    Args:
        texts: The page's element texts; they are forgotten once rows are removed.
        selector: The source's CSS selector for the block's rows, if it has one.
        url: Where the page was fetched; the rows' links resolve against it.
    """
    rows = texts.root.css(selector) if selector else []
    groups = [[[row] for row in rows]] if rows else _counter_rows(texts)
    if not groups:
        return ()
    best = max(groups, key=len)
    entries = tuple(e for e in (_row_entry(extent, url) for extent in best) if e is not None)
    for group in groups:
        for extent in group:
            for node in extent:
                node.decompose()
    texts.forget()
    return entries


def _counter_rows(texts: ElementTexts) -> list[list[list[LexborNode]]]:
    """Lists of rows (runs of sibling elements) that carry one counter each."""
    root = texts.root
    found = find_counters(texts)
    counter_ids = {c.mem_id for c in found}
    by_parent: dict[int, list[LexborNode]] = {}
    for counter in found:
        row = counter
        while row.parent is not None and row.parent.mem_id != root.mem_id:
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


def _row_entry(extent: list[LexborNode], url: str) -> MostReadEntry | None:
    """One most-read row: its link's text is the title, its counter line the rest."""
    lines = clean_lines("\n".join(node.text() for node in extent))
    links = [(clean_text(a.text()), a.attributes.get("href")) for a in _links(extent)]
    titled = [(text, href) for text, href in links if text and not COUNTER.search(text)]
    if titled:
        title, href = max(titled, key=lambda pair: len(pair[0]))
    else:
        plain = [line for line in lines if not COUNTER.search(line)]
        if not plain:
            # Outlet, counter and title in one link as adjacent elements: the
            # title is the longest element in the row that is not the counter.
            plain = [
                text
                for node in extent
                for inner in node.traverse()
                if (text := clean_text(inner.text())) and not COUNTER.search(text)
            ]
        title = max(plain, key=len) if plain else ""
        href = links[0][1] if links else None
    outlet: str | None = None
    reads: int | None = None
    for line in lines:
        match = COUNTER.search(line.replace(title, " ") if title else line)
        if match is None:
            continue
        rest = line.replace(title, " ") if title else line
        reads = count(match)
        outlet = clean_text(rest[: match.start()]).strip(LABEL_TRIM) or None
        if outlet is None:
            outlet = clean_text(rest[match.end() :]).strip(LABEL_TRIM) or None
        break
    if not title:
        return None
    return MostReadEntry(title=title, url=absolute_link(url, href), outlet=outlet, reads=reads)


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
