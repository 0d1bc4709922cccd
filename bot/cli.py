"""The `nashir` command line.

Every failure a person can cause (a bad setting, an unreachable URL, a page
that is not an article) ends in one clear line on stderr and a non-zero
exit; a traceback appears only with `--debug`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.errors import ConfigError, NashirError

log = logging.getLogger("nashir")

EXIT_ERROR = 1
EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nashir` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_ERROR
    handler: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.handler
    try:
        return asyncio.run(handler(args))
    except KeyboardInterrupt:
        return 130
    except NashirError as exc:
        if args.debug:
            raise
        print(f"nashir: {exc}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(f"nashir: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nashir", description="Publishes a news site's articles to Telegram and X."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot: scheduler and handlers")
    run.add_argument(
        "--backfill",
        type=int,
        default=0,
        metavar="N",
        help="on a source's first poll, post its N newest articles too",
    )
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive Telegram updates at this public HTTPS URL instead of long polling "
        "(served on NASHIR_HTTP_PORT, default 8080, with a secret token)",
    )
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="run the whole bot against a bundled demo site")
    demo.add_argument("--seconds", type=float, default=30.0, help="how long to run (default 30)")
    demo.set_defaults(handler=_demo)

    ingest = commands.add_parser("ingest", help="fetch a page or feed once and print it as JSON")
    ingest.add_argument("url")
    ingest.add_argument("--store", action="store_true", help="also store it in the database")
    ingest.set_defaults(handler=_ingest)

    preview = commands.add_parser("preview", help="show the posts an article would get")
    preview.add_argument("target", help="article URL or saved HTML file")
    preview.add_argument("--platform", choices=("telegram", "x", "all"), default="all")
    preview.set_defaults(handler=_preview)

    schedule = commands.add_parser(
        "schedule", help="list every scheduled job, its next run and its last result"
    )
    schedule.add_argument("--json", action="store_true", help="print the list as JSON")
    schedule.set_defaults(handler=_schedule)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=_db_upgrade)

    # -- operations: sources as OPML, backfill ---------------------------------------------
    sources = commands.add_parser("sources", help="import or export the sources as OPML")
    sources_commands = sources.add_subparsers(title="sources commands", metavar="ACTION")
    imported = sources_commands.add_parser("import", help="add the feeds an OPML file lists")
    imported.add_argument("file", type=Path, help="an OPML file (from a feed reader)")
    imported.set_defaults(handler=_sources_import)
    exported = sources_commands.add_parser("export", help="print every source as OPML 2.0")
    exported.add_argument("-o", "--output", type=Path, help="write to this file instead")
    exported.set_defaults(handler=_sources_export)
    backfill = commands.add_parser(
        "backfill", help="fetch every source once now and store what it holds"
    )
    backfill.add_argument(
        "--post",
        type=int,
        default=0,
        metavar="N",
        help="queue the N newest items of each source's first poll for posting",
    )
    backfill.set_defaults(handler=_backfill)
    return parser


def _settings(args: argparse.Namespace) -> Any:
    from bot.logs import configure_logging
    from bot.settings import load_settings

    settings = load_settings(env_file=args.env_file)
    configure_logging(
        level="DEBUG" if args.debug else settings.log_level,
        fmt=settings.log_format,
        secrets=settings.secrets(),
    )
    return settings


async def _run(args: argparse.Namespace) -> int:
    from bot.app import build
    from bot.runner import serve, settle_heap, stop_on_signals

    settings = _settings(args)
    if not settings.sources:
        log.warning("NASHIR_SOURCES is empty: nothing will be polled")
    app = build(settings, backfill=args.backfill, webhook=args.webhook)
    settle_heap()
    stop = asyncio.Event()
    stop_on_signals(stop)
    await serve(app, stop)
    return 0


async def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return await run_demo(seconds=args.seconds, debug=args.debug)


async def _ingest(args: argparse.Namespace) -> int:
    from bot.app import build

    settings = _settings(args)
    app = build(settings, polling=False)
    try:
        draft = await app.ingestor.read_url(args.url)
        print(json.dumps(_jsonable(draft), ensure_ascii=False, indent=2))
        if args.store:
            await app.db.upgrade()
            article = await app.ingestor.store(draft, source=None, announce=False)
            where = f"stored as article {article.id}" if article else "already stored"
            print(where, file=sys.stderr)
    finally:
        await app.fetcher.aclose()
        await app.db.close()
    return 0


async def _preview(args: argparse.Namespace) -> int:
    from bot.preview import preview_target

    settings = _settings(args)
    return await preview_target(settings, args.target, args.platform)


async def _schedule(args: argparse.Namespace) -> int:
    from bot.app import build
    from scheduler.setup import schedule_lines

    app = build(_settings(args), polling=False)
    try:
        for line in await schedule_lines(app, as_json=args.json):
            print(line)
    finally:
        await app.fetcher.aclose()
        app.outbox.close()
        await app.db.close()
    return 0


async def _sources_import(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.opml import OpmlError, import_sources, read_opml
    from bot.storage.database import Database

    settings = _settings(args)
    try:
        outlines = read_opml(args.file.read_bytes())
    except OSError as exc:
        raise OpmlError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        report = await import_sources(
            db, SystemClock(), outlines, allow_private=settings.allow_private_urls
        )
    finally:
        await db.close()
    for url, reason in report.refused:
        print(f"refused {url}: {reason}", file=sys.stderr)
    print(
        f"{len(report.added)} sources added, {len(report.known)} already known, "
        f"{len(report.refused)} refused",
        file=sys.stderr,
    )
    return EXIT_ERROR if report.refused and not (report.added or report.known) else 0


async def _sources_export(args: argparse.Namespace) -> int:
    from datetime import UTC

    from bot.opml import export_sources, write_opml
    from bot.storage.database import Database

    settings = _settings(args)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        document = write_opml(await export_sources(db), created=datetime.now(UTC))
    finally:
        await db.close()
    if args.output is not None:
        args.output.write_bytes(document)
    else:
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    return 0


async def _backfill(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.backfill import run_backfill

    settings = _settings(args)
    return await run_backfill(settings, post=max(args.post, 0), console=Console(stderr=True))


async def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.storage.database import Database

    settings = _settings(args)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
    finally:
        await db.close()
    print("database is up to date", file=sys.stderr)
    return 0


def _jsonable(value: Any) -> Any:
    """Dataclasses, tuples and datetimes as JSON-friendly values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


if __name__ == "__main__":
    sys.exit(main())
