"""Rebuild the evaluation set in bench/extraction/data/ from snapshots of its public sources.

Usage: ``python -m bench.extraction.build_corpus SCRAPINGHUB_GIT_DIR WCXB_GIT_DIR``,
each a clone (or bare git directory) of the repository named in the README.
The bench never runs this; it reads the committed files. It is kept so the
set can be checked against, and rebuilt from, its sources.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


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


def _write(name: str, rows: list[dict[str, Any]]) -> None:
    with gzip.open(DATA / f"{name}.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


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


def main(argv: list[str]) -> int:
    """Write one compressed JSON-lines file per source and split."""
    scrapinghub_dir, wcxb_dir = argv
    DATA.mkdir(exist_ok=True)
    _write("scrapinghub", scrapinghub(scrapinghub_dir))
    _write("wcxb-test", wcxb(wcxb_dir, "test"))
    _write("wcxb-dev", wcxb(wcxb_dir, "dev", limit=300))  # the 30 MB budget
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
