"""Run Nashir and trafilatura over the evaluation set and tabulate the fields side by side."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from bench.extraction.files import corpus_name, read_pages, set_files
from bench.extraction.scoring import Tally, fold, recall, same_author, same_title, shingle_match

ARABIC = "arabic"  # the file of Arabic news pages, also tabulated on its own


@dataclass(frozen=True, slots=True)
class Found:
    """What one extractor read from one page, in the benchmark's terms."""

    body: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None


def nashir(html: str, url: str) -> Found:
    """Nashir's reading of a page, with no per-source selectors."""
    from bot.adapters.sources.pages import extract_article

    draft = extract_article(html, url)
    published = draft.published_at
    return Found(
        body="\n".join(draft.body),
        title=draft.title,
        author=getattr(draft, "author", None),
        date=published.date().isoformat() if published else None,
        tags=draft.tags,
        image=draft.image,
    )


def trafilatura(html: str, url: str) -> Found:
    """trafilatura's reading of the same page, metadata included (its defaults otherwise)."""
    import trafilatura as library

    extracted = library.bare_extraction(html, url=url, with_metadata=True, as_dict=True)
    doc: dict[str, Any] = extracted if isinstance(extracted, dict) else {}
    tags = tuple(t for t in (doc.get("tags") or []) if t)
    return Found(
        body=doc.get("text") or "",
        title=doc.get("title"),
        author=doc.get("author"),
        date=doc.get("date"),
        tags=tags,
        image=doc.get("image"),
    )


EXTRACTORS: dict[str, Callable[[str, str], Found]] = {"Nashir": nashir, "trafilatura": trafilatura}


def pages(limit: int | None) -> Iterator[dict[str, Any]]:
    """Every annotated page, file by file; `limit` pages of each file at most."""
    for path in set_files():
        for page in read_pages(path, limit):
            page["corpus"] = corpus_name(path)
            yield page


def _page_facts(html: str) -> dict[str, str]:
    tree = LexborHTMLParser(html)
    facts: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        key = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
        value = (node.attributes.get("content") or "").strip()
        if key in ("keywords", "og:image") and value and key not in facts:
            facts[key] = value
    return facts


def score(limit: int | None = None) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]], int]:
    """Tallies per extractor overall and per corpus, and the number of pages read."""
    overall = {name: Tally() for name in EXTRACTORS}
    by_corpus: dict[str, dict[str, Tally]] = {}
    count = 0
    for page in pages(limit):
        count += 1
        facts = _page_facts(page["html"])
        corpus = by_corpus.setdefault(page["corpus"], {name: Tally() for name in EXTRACTORS})
        for name, extract in EXTRACTORS.items():
            started = time.perf_counter()
            try:
                found: Found | None = extract(page["html"], page["url"])
            except Exception:
                found = None
            elapsed = time.perf_counter() - started
            for tally in (overall[name], corpus[name]):
                _tally(tally, page, facts, found, elapsed)
    return overall, by_corpus, count


def _tally(
    tally: Tally, page: dict[str, Any], facts: dict[str, str], found: Found | None, elapsed: float
) -> None:
    tally.pages += 1
    tally.seconds += elapsed
    if found is None:
        tally.exceptions += 1
        found = Found(body="")
    shingles = shingle_match(page["body"], found.body)
    tally.bodies.append(shingles)
    tally.empty += int(not found.body.strip())
    tally.none_found += int(recall(shingles) == 0)
    if page.get("title"):
        tally.count("title", same_title(page["title"], found.title))
    if page.get("author"):
        tally.count("author", same_author(page["author"], found.author))
    if page.get("date"):
        tally.count("date", found.date == page["date"])
    if page.get("with"):
        text = fold(found.body)
        tally.count("with", all(fold(s) in text for s in page["with"]))
    if page.get("without"):
        text = fold(found.body)
        tally.count("without", not any(fold(s) and fold(s) in text for s in page["without"]))
    if "keywords" in facts:
        tally.count("tags", bool(found.tags))
    if "og:image" in facts:
        tally.count("image", bool(found.image) and _same_image(facts["og:image"], found.image))


def _same_image(declared: str, found: str | None) -> bool:
    return found is not None and (found == declared or found.endswith(declared.lstrip(".")))


_ROWS: tuple[tuple[str, str], ...] = (
    ("body precision", "p"),
    ("body recall", "r"),
    ("body F1", "f1"),
    ("pages with none of the body", "none"),
    ("empty bodies", "empty"),
    ("pages that raise", "exceptions"),
    ("all must-have sentences found (WCXB, Arabic)", "with"),
    ("no annotated boilerplate (WCXB, Arabic)", "without"),
    ("title equal to the annotated (WCXB, fundus, Arabic)", "title"),
    ("author matches the annotated (WCXB, fundus, Arabic)", "author"),
    ("date equal to the annotated (WCXB, fundus, Arabic)", "date"),
    ("tags when the page has meta keywords", "tags"),
    ("image is the page's og:image", "image"),
    ("pages/s", "speed"),
)


def _cell(tally: Tally, key: str) -> str:
    p, r, f1 = tally.body()
    if key in ("p", "r", "f1"):
        return f"{dict(p=p, r=r, f1=f1)[key]:.3f}"
    if key in ("none", "empty", "exceptions"):
        return str(getattr(tally, {"none": "none_found"}.get(key, key)))
    if key == "speed":
        return f"{tally.pages / tally.seconds:.1f}" if tally.seconds else "-"
    share = tally.share(key)
    return f"{share:.1%} (of {tally.totals[key]})" if share is not None else "-"


def table(tallies: dict[str, Tally]) -> list[str]:
    """A Markdown table, one row per measure and one column per extractor."""
    names = list(tallies)
    lines = ["| measure | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    for label, key in _ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(tallies[n], key) for n in names) + " |")
    return lines


def report(limit: int | None = None) -> list[str]:
    """The whole report: the overall table, then body F1 per corpus."""
    overall, by_corpus, count = score(limit)
    lines = [f"{count} annotated pages from {len(by_corpus)} files", *table(overall), ""]
    for corpus, tallies in sorted(by_corpus.items()):
        cells = []
        for name, tally in tallies.items():
            p, r, f1 = tally.body()
            titles = tally.share("title")
            named = f", titles {titles:.1%}" if titles is not None else ""
            cells.append(f"{name} F1 {f1:.3f} (P {p:.3f} R {r:.3f}{named})")
        lines.append(f"{corpus} ({next(iter(tallies.values())).pages} pages): " + "; ".join(cells))
    if ARABIC in by_corpus:
        lines += ["", f"{ARABIC}: every field on the Arabic pages alone", *table(by_corpus[ARABIC])]
    return lines
