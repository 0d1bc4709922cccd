"""`python -m bench`: run every benchmark module in bench/ and print its lines.

A module takes part by defining `run() -> list[str]`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    """Run each benchmark module in name order; a failing one is reported, not fatal."""
    failed = 0
    folder = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        run = getattr(module, "run", None)
        if not callable(run):
            continue
        print(f"== {info.name}", flush=True)
        try:
            for line in run():
                print(line, flush=True)
        except Exception as exc:
            failed += 1
            print(f"{info.name} failed: {exc!r}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
