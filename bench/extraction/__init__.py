"""`python -m bench extraction`: Nashir's page extraction against trafilatura on annotated pages.

The pages are the evaluation set in ``data/`` (see its README): real pages
from public corpora with the article body annotated, and on WCXB pages the
title, author and publication date too. Both extractors read every page in
the same process, one after the other; the figures compare, they do not
promise. ``NASHIR_BENCH_PAGES=N`` (or ``python -m bench extraction --pages N``)
reads only the first N pages of each file, for a quick look.
"""

from __future__ import annotations

import os

from bench.extraction.runner import report


def run() -> list[str]:
    """Report lines: the per-field table, Nashir beside trafilatura."""
    limit = os.environ.get("NASHIR_BENCH_PAGES")
    return report(int(limit) if limit else None)
