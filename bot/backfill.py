"""`nashir backfill`: fetch every source once now and store what it holds.

For a new installation (or sources just imported from OPML) this fills the
archive that `/latest`, search and digests read, without waiting for the
scheduler. Each source is polled exactly as the running bot polls it, so
the rules stay the same: on a source's first poll what it holds is stored,
not posted, except its `--post N` newest items, which are queued for every
destination (as `nashir run --backfill N` does; the next `nashir run` sends
them, freshness window permitting). A source polled before is simply polled
again: what is new there is queued as the bot would queue it. Backoff is
ignored: the operator asked for this poll.

While the progress bar runs, log lines go through the bar's own console, so
they print above it instead of cutting through it. The command exits 1 when
any source failed, after a table naming each one and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.adapters.settings import Settings
from bot.adapters.storage.database import Database
from bot.adapters.storage.outbox import OutboxRepository
from bot.adapters.storage.source_setting import register_setting_sources
from bot.adapters.storage.sources import SourceRepository
from bot.app import build
from bot.core.model import Article, Source
from bot.services.ingest import Ingestor, PollReport


@dataclass(slots=True)
class Backfill:
    """What a backfill did, per source and in total."""

    reports: list[PollReport] = field(default_factory=list)
    queued: dict[str, int] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        """New articles stored."""
        return sum(len(report.new) for report in self.reports)

    @property
    def failed(self) -> int:
        """Sources that could not be read."""
        return len(self.failures)

    @property
    def failures(self) -> list[PollReport]:
        """The reports of the sources that could not be read."""
        return [report for report in self.reports if report.status == "error"]


async def sources_to_fill(db: Database, configured: Sequence[str], now: datetime) -> list[Source]:
    """Every enabled source, after migrating and registering the configured ones."""
    await db.upgrade()
    await register_setting_sources(db, configured, now)
    async with db.session() as session:
        return [source for source in await SourceRepository(session).all() if source.enabled]


async def backfill(
    db: Database,
    ingestor: Ingestor,
    sources: list[Source],
    *,
    post: int = 0,
    on_source: Callable[[Source, PollReport], None] | None = None,
) -> Backfill:
    """Poll each source once, in order; `on_source` hears about each as it is done."""
    result = Backfill()
    for source in sources:
        report = await ingestor.poll(source, backfill=post)
        result.reports.append(report)
        # Only announced articles have deliveries, so the new ones' rows are what was queued.
        result.queued[source.url] = await _queued(db, report.new)
        if on_source is not None:
            on_source(source, report)
    return result


async def _queued(db: Database, articles: list[Article]) -> int:
    """Deliveries waiting for these articles."""
    async with db.session() as session:
        outbox = OutboxRepository(session)
        count = 0
        for article in articles:
            count += len(await outbox.for_article(article.id))
        return count


async def run_backfill(settings: Settings, *, post: int, console: Console) -> int:
    """The command: a progress bar while sources are polled, then a summary table."""
    app = build(settings, polling=False)
    try:
        with (
            logs_through(console),
            Progress(
                TextColumn("[bold]backfill[/bold]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=console,
                transient=True,
            ) as progress,
        ):
            sources = await sources_to_fill(app.db, settings.sources, app.clock.now())
            task = progress.add_task("", total=len(sources))

            def advance(source: Source, report: PollReport) -> None:
                progress.update(task, advance=1, description=source.url)

            done = await backfill(app.db, app.ingestor, sources, post=post, on_source=advance)
    finally:
        await app.fetcher.aclose()
        app.outbox.close()
        await app.db.close()
    console.print(summary(done))
    queued = sum(done.queued.values())
    polled = len(done.reports)
    console.print(
        f"{polled} {'source' if polled == 1 else 'sources'} polled, {done.failed} failed; "
        f"{done.stored} new {'article' if done.stored == 1 else 'articles'} stored; "
        f"{queued} {'post' if queued == 1 else 'posts'} queued"
        + (" (`nashir run` sends them)" if queued else ""),
        soft_wrap=True,
    )
    if done.failures:
        console.print(failures(done))
        return 1
    return 0


def failures(done: Backfill) -> Table:
    """The sources that failed, each with its error, to fix or remove."""
    table = Table(title="Failed sources", title_style="bold red")
    table.add_column("source", overflow="fold")
    table.add_column("error", overflow="fold")
    for report in done.failures:
        table.add_row(report.source, report.error or "failed")
    return table


class ConsoleHandler(logging.Handler):
    """Writes formatted records with `console.print`, so a live progress bar stays whole."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record above whatever the console is showing live."""
        try:
            line = self.format(record)
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)
        except Exception:
            self.handleError(record)


@contextmanager
def logs_through(console: Console) -> Iterator[None]:
    """Route the root logger's handlers through `console` (same format, same redaction)."""
    root = logging.getLogger()
    replaced = list(root.handlers)
    for handler in replaced:
        through = ConsoleHandler(console)
        through.setLevel(handler.level)
        through.setFormatter(handler.formatter)
        for kept in handler.filters:
            through.addFilter(kept)
        root.addHandler(through)
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if isinstance(handler, ConsoleHandler):
                root.removeHandler(handler)
        for handler in replaced:
            root.addHandler(handler)


def summary(done: Backfill) -> Table:
    """One row per source: result, items found, new articles, posts queued."""
    table = Table(title="Backfill")
    table.add_column("source")
    table.add_column("result")
    table.add_column("items", justify="right")
    table.add_column("new", justify="right")
    table.add_column("queued", justify="right")
    for report in done.reports:
        result = report.status if report.error is None else f"error: {report.error}"
        table.add_row(
            report.source,
            result,
            str(report.found),
            str(len(report.new)),
            str(done.queued.get(report.source, 0)),
        )
    return table
