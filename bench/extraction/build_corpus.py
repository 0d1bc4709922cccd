"""Rebuild the evaluation set in bench/extraction/data/ from snapshots of its public sources.

Usage: ``python -m bench.extraction.build_corpus SCRAPINGHUB_GIT_DIR WCXB_GIT_DIR FUNDUS_GIT_DIR``,
each a clone (or bare git directory) of the repository named in the README.
The bench never runs this; it reads the committed files. It is kept so the
set can be checked against, and rebuilt from, its sources.
"""

from __future__ import annotations

import gzip
import html
import itertools
import json
import re
import subprocess
import sys
from typing import Any

from bench.extraction.files import write_pages


def _show(git_dir: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def _names(git_dir: str, folder: str) -> list[str]:
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "--name-only", f"HEAD:{folder}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(out.split())


def scrapinghub(git_dir: str) -> list[dict[str, Any]]:
    """All 181 pages of scrapinghub/article-extraction-benchmark (body annotated by hand)."""
    truth = json.loads(_show(git_dir, "ground-truth.json"))
    rows = []
    for key, item in sorted(truth.items()):
        raw = gzip.decompress(_show(git_dir, f"html/{key}.html.gz"))
        rows.append(
            {
                "id": f"sh-{key[:12]}",
                "url": item["url"],
                "html": raw.decode("utf-8", "replace"),
                "body": item.get("articleBody", ""),
            }
        )
    return rows


def wcxb(git_dir: str, split: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The first `limit` article pages of one WCXB split (body, title, author, date annotated)."""
    meta = json.loads(_show(git_dir, "metadata.json"))["files"]
    rows: list[dict[str, Any]] = []
    for key, info in sorted(meta.items()):
        if info["split"] != split or info["page_type"] != "article" or info.get("spa"):
            continue
        if limit is not None and len(rows) >= limit:
            break
        item = json.loads(_show(git_dir, f"{split}/ground-truth/{key}.json"))
        truth = item["ground_truth"]
        raw = gzip.decompress(_show(git_dir, f"{split}/html/{key}.html.gz"))
        rows.append(
            {
                "id": f"wcxb-{key}",
                "url": item["url"],
                "html": raw.decode("utf-8", "replace"),
                "body": truth.get("main_content", ""),
                "title": truth.get("title"),
                "author": truth.get("author"),
                "date": truth.get("publish_date"),
                "with": truth.get("with", []),
                "without": truth.get("without", []),
            }
        )
    return rows


_FUNDUS_DATA = "tests/resources/parser/test_data"
_WORDS = re.compile(r"\w+")


def fundus(git_dir: str) -> list[dict[str, Any]]:
    """Every news page of fundus's parser tests, with what its per-site parser reads.

    Each publisher has one expectations file keyed by parser version and one
    saved page per version; a version is paired with the page that shows its
    title (the version keys do not follow the pages' dates). Lebanon's page
    is left out: it is in the Arabic file already.
    """
    rows: list[dict[str, Any]] = []
    for country in (n for n in _names(git_dir, _FUNDUS_DATA) if "." not in n):
        folder = f"{_FUNDUS_DATA}/{country}"
        names = _names(git_dir, folder)
        if country == "lb" or "meta.info" not in names:
            continue
        urls = json.loads(_show(git_dir, f"{folder}/meta.info"))
        for expected in (n for n in names if n.endswith(".json")):
            publisher = expected.removesuffix(".json")
            versions = json.loads(_show(git_dir, f"{folder}/{expected}"))
            saved = [n for n in names if n.startswith(f"{publisher}_") and n.endswith(".html.gz")]
            pages = {n: gzip.decompress(_show(git_dir, f"{folder}/{n}")).decode() for n in saved}
            for name, truth in _pair(pages, list(versions.values())):
                rows.append(
                    _fundus_row(
                        f"fundus-{country}-{name[:-8]}", urls[name]["url"], pages[name], truth
                    )
                )
    return rows


def _pair(
    pages: dict[str, str], versions: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """Each saved page with the expectations whose title it shows.

    A page that names the title in its ``<head>`` beats one that only links
    to the same story; the pairing that agrees best over all pages wins.
    """
    names = sorted(pages)
    if len(names) != len(versions):
        raise ValueError(f"fundus: {len(names)} pages for {len(versions)} parser versions")

    def agreement(name: str, truth: dict[str, Any]) -> int:
        title = _folded(truth.get("title") or "")
        head, _, rest = html.unescape(pages[name]).partition("</head>")
        return 2 * (title in _folded(head)) + (title in _folded(rest)) if title else 0

    best = max(
        itertools.permutations(range(len(versions))),
        key=lambda order: sum(agreement(n, versions[i]) for n, i in zip(names, order, strict=True)),
    )
    pairs = [(name, versions[i]) for name, i in zip(names, best, strict=True)]
    for name, truth in pairs:
        if not agreement(name, truth):
            raise ValueError(f"fundus: {name} does not show the title {truth.get('title')!r}")
    return pairs


def _fundus_row(key: str, url: str, page: str, truth: dict[str, Any]) -> dict[str, Any]:
    body = truth.get("body") or {}
    lines = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        lines += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return {
        "id": key,
        "url": url,
        "html": page,
        "body": "\n".join(lines),
        "title": truth.get("title"),
        "author": ", ".join(truth.get("authors") or []) or None,
        "date": (truth.get("publishing_date") or "")[:10] or None,
    }


def _folded(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def main(argv: list[str]) -> int:
    """Write one compressed JSON-lines file per source and split."""
    scrapinghub_dir, wcxb_dir, fundus_dir = argv
    write_pages("scrapinghub", scrapinghub(scrapinghub_dir))
    write_pages("wcxb-test", wcxb(wcxb_dir, "test"))
    write_pages("wcxb-dev", wcxb(wcxb_dir, "dev", limit=300))  # the 30 MB budget
    write_pages("fundus", fundus(fundus_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
