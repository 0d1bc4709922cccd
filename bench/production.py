"""The production path, measured: `nashir run` processes against the fake Bot API.

Every figure here comes from what a deployment runs: each Nashir instance is
a `nashir run` process (its scheduler, its delivery loop, its update poller,
settings from the environment), the fake Bot API and the demo site serve from
a process of their own with Telegram's limits switched on and scaled, and the
benchmark only seeds subscribers and triggers the post the way the world
would:

* "followed tag": the site publishes a story; the bot polls the feed, stores
  it and queues a DM to every subscriber following one of its tags, plus the
  post in the site's channel (the channel post with its DMs);
* "/broadcast": an admin sends ``/broadcast`` and presses "send".

Each runs at Telegram's limits (×1, 300 subscribers: 10 s of sending) and at
limits ×10 (10,000 subscribers), with one instance on SQLite and with two
instances on one PostgreSQL (set NASHIR_BENCH_DATABASE_URL to a server's
URL; without it those rows are skipped). The fake records arrivals: the rate
counts from the first DM's arrival to the last, as a share of the overall
rate the fake allows; 429s and 409s are the fake's answers; lost is a
subscriber with no DM, duplicated a DM more than once; peak RSS is the
largest VmHWM of the instances. PTB's ``AIORateLimiter`` on the same fake is
`bench.broadcast`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN = "123456789:TEST-token_for_the_fake"
FIRST_USER = 20_000_000
ADMIN = 900_001
CHANNEL = "nashir_demo"
PG_ENV = "NASHIR_BENCH_DATABASE_URL"
PROFILE_ENV = "NASHIR_BENCH_PROFILE"  # a folder: each instance writes a cProfile there
NASHIR = Path(sys.executable).with_name("nashir")
SETTLE = 20.0  # seconds without a new DM before a run is declared finished
RUNS = (  # (scale, subscribers)
    (1, 300),
    (10, 10_000),
)
MANY = (40, 100_000)  # BENCH_FULL=1: memory of /broadcast to 100,000 (limits ×40: 1,200/s)


@dataclass(frozen=True, slots=True)
class Result:
    """One run as the fake saw it."""

    scenario: str
    scale: int
    users: int
    instances: int
    store: str
    delivered: int
    rate: float
    count_429: int
    count_409: int
    lost: int
    duplicated: int
    peak_mb: float
    seconds: float

    @property
    def share(self) -> float:
        """The achieved rate as a share of the overall rate the fake allows."""
        return self.rate / (30 * self.scale)


SCENARIOS = ("followed tag", "/broadcast")


def run(scenarios: tuple[str, ...] = SCENARIOS, scales: tuple[int, ...] = (1, 10)) -> list[str]:
    """Report lines: every scenario, scale and instance count that applies (or those chosen)."""
    pg = os.environ.get(PG_ENV)
    results: list[Result] = []
    lines = [
        "production path: `nashir run` processes, fake Bot API and demo site in a process "
        "of their own; rate from first to last arrival at the fake",
    ]
    with _fake() as url:
        for scenario in scenarios:
            for scale, users in (run for run in RUNS if run[0] in scales):
                results.append(_measure(url, scenario, scale, users, None))
                if pg:
                    results.append(_measure(url, scenario, scale, users, pg))
        if os.environ.get("BENCH_FULL") == "1":
            results.append(_measure(url, "/broadcast", *MANY, None))
    header = f"  {'scenario':13} {'limits':>6} {'DMs':>7} {'instances':>15} {'rate':>6} "
    header += f"{'share':>6} {'429s':>5} {'409s':>5} {'lost':>6} {'dup':>4} {'peak MB':>8}"
    lines.append(header)
    lines.extend(_row(result) for result in results)
    if not pg:
        lines.append(f"  two instances on PostgreSQL: skipped (set {PG_ENV} to a server URL)")
    if os.environ.get("BENCH_FULL") != "1":
        lines.append("  a fanout to 100,000 (peak memory): skipped (BENCH_FULL=1 runs it)")
    return lines


def _row(result: Result) -> str:
    where = f"{result.instances} on {result.store}"
    return (
        f"  {result.scenario:13} {'×' + str(result.scale):>6} {result.users:>7,} "
        f"{where:>15} {result.rate:6.1f} {result.share:6.3f} {result.count_429:5d} "
        f"{result.count_409:5d} {result.lost:6d} {result.duplicated:4d} "
        f"{result.peak_mb:8.0f}"
    )


# ----------------------------------------------------------------- one run


def _measure(url: str, scenario: str, scale: int, users: int, pg: str | None) -> Result:
    control = _Control(url)
    site = control.call("setup", {"users": users, "first": FIRST_USER, "scale": scale})["site"]
    with _database(pg) as database_url:
        env = _environment(database_url, url, site, scale)
        instances = 2 if pg else 1
        with _instances(env, instances) as processes:
            asyncio.run(_wait_until_primed(database_url, scenario))
            asyncio.run(_seed(database_url, users, follow=scenario == "followed tag"))
            started = time.monotonic()
            if scenario == "followed tag":
                control.call("publish", {})
            else:
                control.call("broadcast", {"admin": ADMIN, "text": "نشرة عاجلة إلى كل المشتركين"})
            stats = _wait_for_delivery(control, users)
            print(f"  ... {scenario} ×{scale}, {users:,}: {json.dumps(stats)}", file=sys.stderr)
            if stats.get("refused"):
                print(f"{scenario} ×{scale}: refused {stats['refused']}", file=sys.stderr)
            seconds = time.monotonic() - started
            peak = max(_peak_mb(process.pid) for process in processes)
    return Result(
        scenario=scenario,
        scale=scale,
        users=users,
        instances=instances,
        store="PostgreSQL" if pg else "SQLite",
        delivered=stats["delivered"],
        rate=stats["rate"],
        count_429=stats["count_429"],
        count_409=stats["count_409"],
        lost=stats["lost"],
        duplicated=stats["duplicated"],
        peak_mb=peak,
        seconds=seconds,
    )


def _environment(database_url: str, telegram: str, site: str, scale: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PTB_TIMEDELTA": "true",
        "NASHIR_DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram,
        "NASHIR_SOURCES": f"{site}/rss.xml",
        "NASHIR_POLL_INTERVAL": "1",
        "NASHIR_POLL_JITTER": "0",
        "NASHIR_ALLOW_PRIVATE_URLS": "true",
        "NASHIR_ADMIN_IDS": str(ADMIN),
        "NASHIR_MIN_GAP": "0",
        "NASHIR_DIGEST_TIMES": "off",
        "NASHIR_LEADER_CHECK": "1",
        "NASHIR_LOG_LEVEL": "INFO",
        "NASHIR_TELEGRAM_RATE": str(30 * scale),
        "NASHIR_PRIVATE_RATE": str(1 * scale),
        "NASHIR_GROUP_RATE": str(20 * scale),
        "NASHIR_DELIVERY_BATCH": "200",
        "NASHIR_DELIVERY_CONCURRENCY": "64",
    }


@contextlib.contextmanager
def _instances(env: dict[str, str], count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    folder = Path(tempfile.mkdtemp(prefix="nashir-bench-run-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for number in range(count):
            log = folder / f"instance-{number}.log"
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [*_command(folder, number), "--env-file", os.devnull, "run"],
                        cwd=folder,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            _wait_for_line(log, processes[-1], b"Nashir is running")
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if all(process.returncode == 0 for process in processes):
            shutil.rmtree(folder, ignore_errors=True)  # logs stay when an instance failed


def _command(folder: Path, number: int) -> list[str]:
    """`nashir`, or under cProfile when NASHIR_BENCH_PROFILE names a folder for the profiles."""
    profiles = os.environ.get(PROFILE_ENV)
    if not profiles:
        return [str(NASHIR)]
    target = Path(profiles) / f"{folder.name}-{number}.prof"
    return [sys.executable, "-m", "cProfile", "-o", str(target), "-m", "bot.cli"]


def _wait_for_line(log: Path, process: subprocess.Popen[bytes], line: bytes) -> None:
    started = time.monotonic()
    while line not in log.read_bytes():
        if process.poll() is not None:
            raise RuntimeError(f"nashir run stopped: {log.read_text()[-2000:]}")
        if time.monotonic() - started > 60:
            raise RuntimeError(f"nashir run did not start within 60 s: {log}")
        time.sleep(0.1)


def _wait_for_delivery(control: _Control, users: int) -> dict[str, Any]:
    """Poll the fake's send counter (cheap: the fake's timing must not suffer), then read stats."""
    body = {"first": FIRST_USER, "users": users}
    last_count, last_change = -1, time.monotonic()
    while True:
        sent = int(control.call("progress", {})["sent"])
        if sent != last_count:
            last_count, last_change = sent, time.monotonic()
        if sent >= users and control.call("stats", body)["delivered"] >= users:
            time.sleep(1.0)  # anything sent twice arrives now
            return control.call("stats", body)
        if time.monotonic() - last_change > SETTLE + (60 if last_count <= 0 else 0):
            return control.call("stats", body)
        time.sleep(0.5)


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ------------------------------------------------------------ the database


@contextlib.contextmanager
def _database(pg: str | None) -> Iterator[str]:
    if pg is None:
        folder = Path(tempfile.mkdtemp(prefix="nashir-bench-db-"))
        try:
            yield f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import asyncpg

    plain = pg.replace("postgresql+asyncpg://", "postgresql://")
    name = f"nashir_bench_{uuid.uuid4().hex[:8]}"

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{plain.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _wait_until_primed(database_url: str, scenario: str) -> None:
    """The first poll has stored the site's stories (their tags exist) and the bot is idle."""
    from sqlalchemy import func, select

    from bot.adapters.storage.database import Database
    from bot.adapters.storage.tables import ArticleRow

    db = Database(database_url)
    try:
        started = time.monotonic()
        while scenario == "followed tag":
            async with db.session() as session:
                stored = await session.scalar(select(func.count(ArticleRow.id)))
            if stored:
                break
            if time.monotonic() - started > 60:
                raise RuntimeError("the bot stored no story within 60 s")
            await asyncio.sleep(0.2)
    finally:
        await db.close()


async def _seed(database_url: str, users: int, *, follow: bool) -> None:
    """Subscribers with their private chats; with `follow`, each follows every known tag."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, literal, select, true

    from bot.adapters.storage.database import Database
    from bot.adapters.storage.tables import DestinationRow, SubscriberRow, SubscriptionRow, TagRow

    db = Database(database_url)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            for start in range(0, users, 5000):
                chunk = range(FIRST_USER + start, FIRST_USER + min(start + 5000, users))
                await session.execute(
                    insert(SubscriberRow),
                    [
                        {
                            "user_id": user,
                            "chat_id": user,
                            "language": "ar",
                            "state": "active",
                            "digest": "off",
                            "digest_hour": 21,
                            "created_at": now,
                        }
                        for user in chunk
                    ],
                )
                await session.execute(
                    insert(DestinationRow),
                    [
                        {
                            "platform": "telegram",
                            "kind": "private",
                            "address": str(user),
                            "thread_id": 0,
                            "state": "active",
                            "created_at": now,
                        }
                        for user in chunk
                    ],
                )
            if follow:
                pairs = (
                    select(SubscriberRow.id, TagRow.id)
                    .join(TagRow, true())  # everyone follows the next story's known tags
                    .where(
                        SubscriberRow.user_id >= literal(FIRST_USER),
                        TagRow.name.in_(_next_story_tags()),
                    )
                )
                await session.execute(
                    insert(SubscriptionRow).from_select(["subscriber_id", "tag_id"], pairs)
                )
            await session.commit()
    finally:
        await db.close()


def _next_story_tags() -> list[str]:
    """The tags of the story the demo site publishes next (the twelfth, oldest first)."""
    from sandbox.demo_site import load_demo_articles

    stories = sorted(load_demo_articles().articles, key=lambda a: (a.published_at, a.id))
    return list(stories[11].tags)


# ---------------------------------------------------------------- the fake


class _Control:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        import httpx

        response = httpx.post(f"{self.url}/_bench/{action}", json=body, timeout=600)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@contextlib.contextmanager
def _fake() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.production", "fake"],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = process.stdout.readline().decode().strip() if process.stdout else ""
        if not url:
            raise RuntimeError("the fake Bot API did not start")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def _serve_fake() -> None:
    from aiohttp import web

    from sandbox import FakeTelegram, ServerThread
    from sandbox.demo_site import DemoSite

    fake = FakeTelegram(TOKEN)
    fake.add_user(ADMIN, "Admin")
    fake.add_channel(f"@{CHANNEL}")
    declared = 0
    sites: list[tuple[DemoSite, ServerThread]] = []

    async def setup(request: web.Request) -> web.Response:
        nonlocal declared
        body = await request.json()
        for user in range(body["first"] + declared, body["first"] + body["users"]):
            fake.add_user(user)
        declared = max(declared, body["users"])
        fake.reset()
        fake.limits(scale=body["scale"])
        if body.get("new_site", True) or not sites:
            for _, old in sites:
                old.__exit__(None, None, None)
            sites.clear()
            site = DemoSite(initially_published=11, channel=CHANNEL)
            server = ServerThread(site.app())
            server.__enter__()
            sites.append((site, server))
        # The fake stands in for Telegram's servers: a pause of its own collector
        # (60 ms once its call records pile up) holds arrivals back and then counts
        # them as a burst the bot never sent. The heap is frozen between runs and
        # no full collection runs during one.
        gc.collect()
        gc.freeze()
        gc.set_threshold(700, 10, 1_000_000)
        return web.json_response({"site": sites[-1][1].url})

    async def publish(request: web.Request) -> web.Response:
        article = sites[-1][0].publish_next()
        return web.json_response({"published": article.id if article else None})

    async def broadcast(request: web.Request) -> web.Response:
        body = await request.json()
        admin = body["admin"]
        fake.user_sends(admin, f"/broadcast {body['text']}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for message in reversed(fake.messages(admin)):
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        data = button.get("callback_data", "")
                        if ":ok:" in data:
                            fake.user_presses(admin, message["message_id"], data)
                            return web.json_response({"pressed": True})
            await asyncio.sleep(0.1)
        return web.json_response({"pressed": False}, status=504)

    async def progress(request: web.Request) -> web.Response:
        return web.json_response({"sent": fake.sent_count})

    async def stats(request: web.Request) -> web.Response:
        body = await request.json()
        first, users = body["first"], body["users"]
        delivered = fake.delivered_counts()
        wanted = range(first, first + users)
        times = [
            call.time
            for call in fake.calls
            if call.ok
            and call.method in ("sendMessage", "sendPhoto")
            and _is_user(call.params.get("chat_id"), first, users)
        ]
        span = (max(times) - min(times)) if len(times) > 1 else 0.0
        return web.json_response(
            {
                "delivered": sum(1 for user in wanted if delivered.get(user, 0) > 0),
                "lost": sum(1 for user in wanted if delivered.get(user, 0) == 0),
                "duplicated": sum(max(delivered.get(user, 0) - 1, 0) for user in wanted),
                "count_429": fake.count_429,
                "count_409": fake.count_409,
                "rate": (len(times) - 1) / span if span else 0.0,
                "refused": [
                    [call.method, str(call.params.get("chat_id")), call.time - min(times or [0])]
                    for call in fake.calls
                    if call.status == 429
                ][:10],
            }
        )

    application = fake.app()
    application.router.add_post("/_bench/setup", setup)
    application.router.add_post("/_bench/publish", publish)
    application.router.add_post("/_bench/broadcast", broadcast)
    application.router.add_post("/_bench/progress", progress)
    application.router.add_post("/_bench/stats", stats)
    with ServerThread(application) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


def _is_user(chat: Any, first: int, users: int) -> bool:
    try:
        return first <= int(chat) < first + users
    except (TypeError, ValueError):
        return False


def main() -> None:
    """`python -m bench.production [fake]`: the whole benchmark, or its fake's process."""
    parser = argparse.ArgumentParser(prog="python -m bench.production")
    parser.add_argument("role", nargs="?", choices=["fake"])
    parser.add_argument("--scenario", choices=SCENARIOS, action="append", help="only these")
    parser.add_argument("--scale", type=int, choices=[s for s, _ in RUNS], action="append")
    args = parser.parse_args()
    if args.role == "fake":
        _serve_fake()
        return
    chosen = tuple(args.scenario or SCENARIOS), tuple(args.scale or [s for s, _ in RUNS])
    for line in run(*chosen):
        print(line, flush=True)


if __name__ == "__main__":
    main()
