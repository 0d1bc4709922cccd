"""`python -m bench [name ...] [--pages N]`: run benchmark modules in bench/ and print their lines.

A module (or package) takes part by defining `run() -> list[str]`. With
names, only those run; ``--pages N`` reads N pages of each file of the
extraction set, for a quick run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run each chosen benchmark in name order; a failing one is reported, not fatal."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--pages", type=int, help="extraction: pages of each file to read")
    args = parser.parse_args(argv)
    if args.pages is not None:
        os.environ["NASHIR_BENCH_PAGES"] = str(args.pages)
    folder = Path(__file__).parent
    available = sorted(m.name for m in pkgutil.iter_modules([str(folder)]))
    chosen = [n for n in available if not n.startswith("_")]
    unknown = sorted(set(args.names) - set(chosen))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; choose from {', '.join(chosen)}")
    if args.names:
        chosen = [n for n in chosen if n in args.names]
    failed = 0
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if not callable(run):
            continue
        print(f"== {name}", flush=True)
        try:
            for line in run():
                print(line, flush=True)
        except Exception as exc:
            failed += 1
            print(f"{name} failed: {exc!r}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
