"""The evaluation set's files: xz-compressed JSON lines, one annotated page a line.

xz rather than gzip keeps the set under its 30 MB budget with room for the
news pages; both are in the standard library.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
SUFFIX = ".jsonl.xz"


def set_files() -> list[Path]:
    """Every file of the set, in a fixed order."""
    return sorted(DATA.glob(f"*{SUFFIX}"))


def corpus_name(path: Path) -> str:
    """A file's short name, as the report shows it ("wcxb-dev")."""
    return path.name.removesuffix(SUFFIX)


def read_pages(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The pages of one file, the first `limit` at most, without reading the rest."""
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            page: dict[str, Any] = json.loads(line)
            yield page


def write_pages(name: str, rows: Iterable[dict[str, Any]]) -> None:
    """Write one file of the set (what the builders call)."""
    DATA.mkdir(exist_ok=True)
    preset = 9 | lzma.PRESET_EXTREME
    with lzma.open(DATA / f"{name}{SUFFIX}", "wt", encoding="utf-8", preset=preset) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
