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
import traceback
from collections.abc import Callable, Coroutine, Sequence
from contextlib import suppress
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.errors import ConfigError, NashirError, UserInputError

if TYPE_CHECKING:
    from bot.core.model import ArticleDraft, Selectors
    from bot.services.ingest import Ingestor

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
    except Exception as exc:
        return _fail(exc, args)


def _fail(exc: Exception, args: argparse.Namespace) -> int:
    """One line on stderr naming what to fix (and, with --debug, the traceback), no secret."""
    from bot.core.redaction import RedactingFilter
    from bot.failures import explain, with_hint

    settings = getattr(args, "settings", None)
    redactor = RedactingFilter(settings.secrets() if settings is not None else ())
    explained = explain(exc, settings)
    if explained is not None:
        line, code = explained, EXIT_CONFIG
    elif isinstance(exc, NashirError):
        line, code = (
            with_hint(str(exc)),
            EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_ERROR,
        )
    else:
        line, code = f"unexpected error: {type(exc).__name__}: {exc}", EXIT_ERROR
    if args.debug:
        trace = "".join(traceback.format_exception(exc))
        print(redactor.redact(trace), end="", file=sys.stderr)
    print(f"nashir: {redactor.redact(line)}", file=sys.stderr)
    return code


def _version() -> str:
    try:
        return version("nashir")
    except PackageNotFoundError:
        return "unknown"


class _Command(argparse.ArgumentParser):
    """A command's parser: takes --debug too, so it works wherever it is typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,  # keep the value given before the command
            help="show tracebacks and debug logs",
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nashir", description="Publishes a news site's articles to Telegram and X."
    )
    parser.add_argument("--version", action="version", version=f"nashir {_version()}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument(
        "--env-file",
        metavar="FILE",
        help="settings file (default: .env in the current directory, when there is one)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Command)

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
    demo.add_argument(
        "--seconds", type=float, default=30.0, metavar="S", help="how long to run (default 30)"
    )
    demo.add_argument(
        "--save-posts",
        type=Path,
        metavar="FILE",
        help="also write the posts the fakes received as JSON (docs/render_posts.py reads it)",
    )
    demo.set_defaults(handler=_demo)

    ingest = commands.add_parser(
        "ingest", help="read pages or feeds once and print one JSON line per page"
    )
    ingest.add_argument(
        "targets", nargs="+", metavar="url", help="page or feed URLs, or saved pages"
    )
    ingest.add_argument("--store", action="store_true", help="also store them in the database")
    ingest.add_argument(
        "--selector",
        action="append",
        default=[],
        metavar="FIELD=CSS",
        help="read the pages with this CSS selector for FIELD, as a source's would be "
        "(repeatable), to try it before `nashir sources select`",
    )
    ingest.set_defaults(handler=_ingest)

    preview = commands.add_parser("preview", help="show the posts an article would get")
    preview.add_argument("target", help="article URL or saved HTML file")
    preview.add_argument(
        "--platform",
        choices=("telegram", "x", "all"),
        default="all",
        help="which post to show (default: all)",
    )
    preview.add_argument(
        "--raw", action="store_true", help="show the Telegram post as HTML, not as it renders"
    )
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
    sources = commands.add_parser(
        "sources", help="list, add or remove sources; import or export them as OPML"
    )
    sources_commands = sources.add_subparsers(title="sources commands", metavar="ACTION")
    listed = sources_commands.add_parser(
        "list", help="every source: active, retired or disabled, and how its polls fare"
    )
    listed.set_defaults(handler=_sources_list)
    added = sources_commands.add_parser("add", help="add a feed or page to poll")
    added.add_argument("url", help="the feed or page URL (http, https or feed)")
    added.set_defaults(handler=_sources_add)
    removed = sources_commands.add_parser(
        "remove", help="stop polling a source and forget it (its articles stay)"
    )
    removed.add_argument("url", help="the source's URL, as `nashir sources list` shows it")
    removed.set_defaults(handler=_sources_remove)
    selected = sources_commands.add_parser(
        "select", help="set the CSS selectors a source's pages are read with (and show them)"
    )
    selected.add_argument("url", help="the source's URL, as `nashir sources list` shows it")
    selected.add_argument(
        "pairs",
        nargs="*",
        metavar="FIELD=CSS",
        help="a field and its selector, e.g. title='meta[property=\"og:title\"]'; "
        "FIELD= removes that field's selector",
    )
    selected.add_argument(
        "--clear", action="store_true", help="remove the source's selectors first"
    )
    selected.set_defaults(handler=_sources_select)
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
    from bot.adapters.logs import configure_logging
    from bot.adapters.settings import load_settings, read_environment, unknown_variables

    env_file = args.env_file if args.env_file is not None else ".env"
    settings = load_settings(env_file=env_file, required=args.env_file is not None)
    args.settings = settings  # the error line redacts its secrets
    configure_logging(
        level="DEBUG" if args.debug else settings.log_level,
        fmt=settings.log_format,
        secrets=settings.secrets(),
    )
    for warning in unknown_variables(read_environment(env_file=env_file)):
        log.warning("%s", warning)
    return settings


async def _run(args: argparse.Namespace) -> int:
    from bot.app import build
    from bot.runner import serve, settle_heap, stop_on_signals

    settings = _settings(args)
    app = build(settings, backfill=args.backfill, webhook=args.webhook)
    settle_heap()
    stop = asyncio.Event()
    stop_on_signals(stop)
    try:
        await serve(app, stop)
    except BaseException:
        # A start that failed half way (a port in use, a rejected token) leaves
        # connections open; close them so the one line below is all that shows.
        with suppress(Exception):
            await app.stop()
        raise
    return 0


async def _demo(args: argparse.Namespace) -> int:
    try:
        from sandbox.demo import run_demo
    except ModuleNotFoundError as exc:
        if exc.name not in ("sandbox", "sandbox.demo"):
            raise
        raise UserInputError(
            "the demo needs the repository checkout (its fakes are not installed in the "
            "production image): run `make demo` in a clone"
        ) from None

    return await run_demo(seconds=args.seconds, debug=args.debug, save_posts=args.save_posts)


async def _ingest(args: argparse.Namespace) -> int:
    from bot.app import build

    settings = _settings(args)
    selectors = tuple(sorted((f, css) for f, css in _selectors(args.selector).items() if css))
    app = build(settings, polling=False)
    failed = 0
    try:
        if args.store:
            await app.db.upgrade()
        for target in args.targets:
            try:
                draft = await _read_target(app.ingestor, target, selectors)
            except NashirError as exc:
                # One page failing is reported (a JSON line, and the usual
                # one-line error on stderr) and the others are still read.
                failed = _fail(exc, args)
                print(json.dumps({"target": target, "error": str(exc)}, ensure_ascii=False))
                continue
            print(json.dumps(_jsonable(draft), ensure_ascii=False), flush=True)
            if args.store:
                article = await app.ingestor.store(draft, source=None, announce=False)
                where = f"stored as article {article.id}" if article else "already stored"
                print(f"{target}: {where}", file=sys.stderr)
    finally:
        await app.fetcher.aclose()
        await app.db.close()
    return failed


async def _read_target(ingestor: Ingestor, target: str, selectors: Selectors) -> ArticleDraft:
    """One page: a saved file is read from disk, anything else is fetched as a URL."""
    saved = _read_saved_page(target, selectors)
    return saved if saved is not None else await ingestor.read_url(target, selectors)


def _read_saved_page(target: str, selectors: Selectors) -> ArticleDraft | None:
    """The page saved at `target`, or None when `target` names no file (it is a URL)."""
    from bot.adapters.sources.pages import extract_article

    path = Path(target)
    if "://" in target or not path.is_file():
        return None
    return extract_article(path.read_bytes(), path.resolve().as_uri(), selectors=dict(selectors))


async def _preview(args: argparse.Namespace) -> int:
    from bot.preview import preview_target

    settings = _settings(args)
    return await preview_target(settings, args.target, args.platform, raw=args.raw)


async def _schedule(args: argparse.Namespace) -> int:
    from bot.adapters.storage.source_setting import register_setting_sources
    from bot.app import build
    from scheduler.setup import schedule_lines

    settings = _settings(args)
    app = build(settings, polling=False)
    try:
        await app.db.upgrade()
        await register_setting_sources(app.db, settings.sources, app.clock.now())
        lines = await schedule_lines(
            app.db, app.jobs, app.schedule, timezone=settings.timezone, as_json=args.json
        )
        for line in lines:
            print(line)
    finally:
        await app.fetcher.aclose()
        app.outbox.close()
        await app.db.close()
    return 0


async def _sources_list(args: argparse.Namespace) -> int:
    from bot.adapters.storage.database import Database
    from bot.adapters.storage.source_setting import SettingSources

    settings = _settings(args)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            entries = await SettingSources(session).entries()
    finally:
        await db.close()
    for entry in entries:
        origin = "NASHIR_SOURCES" if entry.from_setting else "added"
        health = f"{entry.failures} failed polls" if entry.failures else "ok"
        if entry.retired_at is not None:
            health = f"retired {entry.retired_at:%Y-%m-%d %H:%M} UTC"
        print(f"{entry.state:<8}  {origin:<14}  {health:<24}  {entry.url}")
        for field, selector in entry.selectors:
            print(f"{'':<52}  {field}: {selector}")
    count = len(entries)
    print(f"{count} {'source' if count == 1 else 'sources'}", file=sys.stderr)
    return 0


async def _sources_add(args: argparse.Namespace) -> int:
    from bot.adapters.netguard import check_public_url
    from bot.adapters.settings import source_url
    from bot.adapters.storage.database import Database
    from bot.adapters.storage.source_setting import SettingSources
    from bot.core.clock import SystemClock

    settings = _settings(args)
    try:
        url = source_url(args.url)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
    await check_public_url(url, allow_private=settings.allow_private_urls)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            added = await SettingSources(session).add(url, SystemClock().now())
            await session.commit()
    finally:
        await db.close()
    print(f"{'added' if added else 'already known:'} {url}", file=sys.stderr)
    return 0


async def _sources_select(args: argparse.Namespace) -> int:
    from bot.adapters.storage.database import Database
    from bot.adapters.storage.source_setting import SettingSources

    settings = _settings(args)
    changes = _selectors(args.pairs)
    url = args.url.strip()
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            sources = SettingSources(session)
            current = await sources.selectors(url)
            if current is None:
                raise UserInputError(f"no source {url}: `nashir sources list` shows them")
            chosen = {} if args.clear else current
            chosen.update(changes)
            chosen = {field: css for field, css in chosen.items() if css}
            await sources.set_selectors(url, chosen)
            await session.commit()
    finally:
        await db.close()
    for field, selector in sorted(chosen.items()):
        print(f"{field}: {selector}")
    print(f"{url}: {len(chosen)} selectors", file=sys.stderr)
    return 0


def _selectors(pairs: Sequence[str]) -> dict[str, str]:
    """FIELD=CSS pairs as a mapping, each checked; an empty CSS marks a field to remove."""
    from bot.adapters.sources.page_selectors import validate_selectors

    chosen: dict[str, str] = {}
    for pair in pairs:
        field, equals, selector = pair.partition("=")
        if not equals:
            raise UserInputError(
                f"selector {pair!r}: write FIELD=CSS, for example title=h1.headline"
            )
        chosen[field.strip()] = selector.strip()
    validate_selectors({field: css or "*" for field, css in chosen.items()})
    return chosen


async def _sources_remove(args: argparse.Namespace) -> int:
    from bot.adapters.storage.database import Database
    from bot.adapters.storage.sources import SourceRepository

    settings = _settings(args)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            removed = await SourceRepository(session).remove(args.url.strip())
            await session.commit()
    finally:
        await db.close()
    if not removed:
        raise UserInputError(f"no source {args.url.strip()}: `nashir sources list` shows them")
    print(f"removed {args.url.strip()}", file=sys.stderr)
    if args.url.strip() in settings.sources:
        log.warning(
            "%s is still in NASHIR_SOURCES and comes back at the next start: remove it there too",
            args.url.strip(),
        )
    return 0


async def _sources_import(args: argparse.Namespace) -> int:
    from bot.adapters.storage.database import Database
    from bot.adapters.storage.source_list import SqlSourceList
    from bot.core.clock import SystemClock
    from bot.failures import with_hint
    from bot.services.opml import OpmlError, import_sources, parse_opml

    settings = _settings(args)
    try:
        outlines, duplicates = parse_opml(args.file.read_bytes())
    except OSError as exc:
        raise OpmlError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except OpmlError as exc:
        raise OpmlError(f"{args.file}: {exc}") from None
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        report = await import_sources(
            SqlSourceList(db), SystemClock(), outlines, allow_private=settings.allow_private_urls
        )
    finally:
        await db.close()
    report.duplicates = duplicates
    for url, reason in report.refused:
        print(f"refused {url}: {with_hint(reason)}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return EXIT_ERROR if report.refused and not (report.added or report.known) else 0


async def _sources_export(args: argparse.Namespace) -> int:
    from datetime import UTC

    from bot.adapters.storage.database import Database
    from bot.adapters.storage.source_list import SqlSourceList
    from bot.services.opml import export_sources, write_opml

    settings = _settings(args)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        document = write_opml(await export_sources(SqlSourceList(db)), created=datetime.now(UTC))
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
    from bot.adapters.storage.database import Database, location

    settings = _settings(args)
    db = Database(settings.database_url)
    try:
        before = await db.revision()
        await db.upgrade()
        after = await db.revision()
    finally:
        await db.close()
    where = location(settings.database_url)
    if before == after:
        print(f"database {where} was already at migration {after}", file=sys.stderr)
    elif before is None:
        print(f"database {where} created at migration {after}", file=sys.stderr)
    else:
        print(f"database {where} upgraded from migration {before} to {after}", file=sys.stderr)
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
