"""Broadcast: one post to 10,000 subscribers through the fake Bot API, against PTB's limiter.

Three processes, so the measurement is honest on a small machine: the fake
Bot API serves in a process of its own (with Telegram's limits switched on and
scaled), and each run is a fresh client process that builds Nashir from
settings, fans the post out to every subscriber through the outbox and
delivers it through python-telegram-bot over HTTP. Its peak memory is that
process's peak RSS.

* "nashir": Nashir's own limiter (`bot.ratelimit`).
* "PTB AIORateLimiter": the same engine, our limiter off, PTB's documented
  ``AIORateLimiter`` (set to the same allowed rate, retries on) in the bot.

The fake counts what it received: 429s, early retries, messages per chat
(lost = a subscriber with none, duplicated = more than one). The achieved
rate is messages delivered per second between the first and the last, as a
share of the rate the fake allows.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCALE = int(os.environ.get("BENCH_SCALE", "10"))  # 30 × 10 = 300 messages a second overall
MEMORY_SCALE = 200  # the 100,000 run: limits that never bind, the engine flat out
SUBSCRIBERS = 10_000
MANY = 100_000
TOKEN = "123456789:TEST-token_for_the_fake"
FIRST_USER = 10_000_000


def run() -> list[str]:
    """Report lines: both runs at 10,000 subscribers, then Nashir's memory at 100,000."""
    fake = _start_fake()
    try:
        url = fake.stdout.readline().decode().strip() if fake.stdout else ""
        allowed = 30 * SCALE
        ours = _client(url, "nashir", SUBSCRIBERS, SCALE)
        theirs = _client(url, "ptb", SUBSCRIBERS, SCALE)
        full = os.environ.get("BENCH_FULL") == "1"
        many = _client(url, "nashir" if full else "null", MANY, MEMORY_SCALE)
    finally:
        fake.terminate()
        fake.wait(10)
    lines = [
        f"broadcast: 1 post to {SUBSCRIBERS:,} subscribers, fake Bot API limits ×{SCALE} "
        f"= {allowed}/s overall (the fake serves ~1,100–1,400/s on 2 cores, so it is not "
        "the bottleneck); fake and client in separate processes",
    ]
    header = f"  {'':20} {'rate':>7} {'of allowed':>10} {'429s':>5} {'early':>6} "
    header += f"{'lost':>5} {'dup':>5} {'peak MB':>8} {'seconds':>8}"
    lines.append(header)
    for name, result in (("nashir", ours), ("PTB AIORateLimiter", theirs)):
        lines.append(_row(name, result, allowed))
    ratio = ours["rate"] / theirs["rate"] if theirs["rate"] else float("inf")
    lines.append(
        f"  nashir/PTB: rate ×{ratio:.2f}, 429s {ours['count_429']} vs {theirs['count_429']}"
    )
    how = (
        "through the fake"
        if os.environ.get("BENCH_FULL") == "1"
        else "same engine, database and limiter; the Telegram call a no-op (BENCH_FULL=1 "
        "sends through the fake)"
    )
    lines.append(
        f"broadcast: {MANY:,} subscribers ({how}): peak memory {many['peak_mb']:.0f} MB "
        f"(importing Nashir alone: {many['base_mb']:.0f} MB), "
        f"{many['states'].get('sent', 0):,} sent, {many['seconds']:.0f} s"
    )
    return lines


def _row(name: str, result: dict[str, Any], allowed: int) -> str:
    share = result["rate"] / allowed
    return (
        f"  {name:20} {result['rate']:7.0f} {share:10.1%} {result['count_429']:5d} "
        f"{result['early_retries']:6d} {result['lost']:5d} {result['duplicated']:5d} "
        f"{result['peak_mb']:8.0f} {result['seconds']:8.1f}"
    )


def _start_fake() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.broadcast", "fake"],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _client(url: str, scenario: str, users: int, scale: int) -> dict[str, Any]:
    _control(url, "setup", {"users": users, "first": FIRST_USER, "scale": scale})
    output = subprocess.run(
        [sys.executable, "-m", "bench.broadcast", "client", scenario, url, str(users), str(scale)],
        check=True,
        capture_output=True,
        env={**os.environ, "PTB_TIMEDELTA": "true"},
    )
    client = json.loads(output.stdout.decode().strip().splitlines()[-1])
    stats = _control(url, "stats", {"users": users, "first": FIRST_USER})
    return {**client, **stats}


def _control(url: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    response = httpx.post(f"{url}/_bench/{action}", json=body, timeout=600)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


# --------------------------------------------------------------------- the fake


def _serve_fake() -> None:
    from aiohttp import web

    from sandbox import FakeTelegram, ServerThread

    fake = FakeTelegram(TOKEN)
    declared = 0

    async def setup(request: web.Request) -> web.Response:
        nonlocal declared
        body = await request.json()
        wanted = body["first"] + body["users"]
        for user in range(body["first"] + declared, wanted):
            fake.add_user(user)
        declared = max(declared, body["users"])
        fake.reset()
        fake.limits(scale=body["scale"])
        # Telegram's clock does not stop for our fake's garbage collector: keep the
        # users declared above out of its reach so its arrival times stay true.
        gc.collect()
        gc.freeze()
        return web.json_response({})

    async def stats(request: web.Request) -> web.Response:
        body = await request.json()
        delivered = fake.delivered_counts()
        wanted = range(body["first"], body["first"] + body["users"])
        times = [c.time for c in fake.calls_to("sendMessage") if c.ok]
        span = (max(times) - min(times)) if len(times) > 1 else 0.0
        return web.json_response(
            {
                "delivered": fake.delivered(),
                "lost": sum(1 for user in wanted if delivered.get(user, 0) == 0),
                "duplicated": sum(count - 1 for count in delivered.values() if count > 1),
                "count_429": fake.count_429,
                "early_retries": fake.early_retries,
                "rate": (len(times) - 1) / span if span else 0.0,
            }
        )

    application = fake.app()
    application.router.add_post("/_bench/setup", setup)
    application.router.add_post("/_bench/stats", stats)
    with ServerThread(application) as server:
        print(server.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# -------------------------------------------------------------------- the client


async def _deliver(scenario: str, url: str, users: int, scale: int) -> dict[str, Any]:
    from sqlalchemy import insert
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.adapters.publishers.aiohttp_request import AiohttpRequest
    from bot.adapters.publishers.telegram import TelegramPublisher
    from bot.adapters.settings import load_settings
    from bot.adapters.storage.outbox import OutboxRepository
    from bot.adapters.storage.tables import DestinationRow
    from bot.app import build
    from bot.runner import settle_heap
    from bot.services.fanout import broadcast

    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    folder = tempfile.mkdtemp(prefix="nashir-bench-")
    settings = load_settings(
        {
            "NASHIR_DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": url,
            "NASHIR_TELEGRAM_RATE": str(30 * scale),
            "NASHIR_PRIVATE_RATE": str(1 * scale),
            "NASHIR_GROUP_RATE": str(20 * scale),
            "NASHIR_DELIVERY_BATCH": "200",
            "NASHIR_DELIVERY_CONCURRENCY": "64",
            "NASHIR_LOG_LEVEL": "WARNING",
        },
        env_file=None,
    )
    app = build(settings, polling=False)
    settle_heap()  # as `nashir run` does
    await app.start()
    now = app.clock.now()
    async with app.db.session() as session:
        for start in range(0, users, 5000):
            await session.execute(
                insert(DestinationRow),
                [
                    {
                        "platform": "telegram",
                        "kind": "private",
                        "address": str(FIRST_USER + i),
                        "thread_id": 0,
                        "state": "active",
                        "created_at": now,
                    }
                    for i in range(start, min(start + 5000, users))
                ],
            )
        await session.commit()
    baseline = None
    if scenario == "ptb":
        baseline = ExtBot(
            TOKEN,
            base_url=f"{url}/bot",
            request=AiohttpRequest(connections=72),
            rate_limiter=AIORateLimiter(
                overall_max_rate=30 * scale,
                overall_time_period=1,
                group_max_rate=20 * scale,
                group_time_period=60,
                max_retries=3,
            ),
        )
        await baseline.initialize()
        app.publishers["telegram"] = TelegramPublisher(baseline)
        app.worker.limiter = None
    if scenario == "null":
        app.publishers["telegram"] = _NoCall()
    stop = asyncio.Event()
    delivering = asyncio.create_task(app.worker.serve(stop))  # the loop `nashir run` runs
    started = time.perf_counter()
    await broadcast(app.db, app.clock, "نشرة عاجلة إلى كل المشتركين")
    while True:
        await asyncio.sleep(0.25)
        async with app.db.session() as session:
            states = await OutboxRepository(session).counts()
        if not states.get("pending") and not states.get("sending"):
            break
    seconds = time.perf_counter() - started
    stop.set()
    await delivering
    if baseline is not None:
        await baseline.shutdown()
    await app.stop()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "base_mb": base_mb, "states": states}


class _NoCall:
    """A Telegram publisher that answers at once (the 100,000 memory run)."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, destination: Any, post: Any) -> str:
        self.sent += 1
        return str(self.sent)


def main() -> None:
    """Entry points of the helper processes."""
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast")
    sub = parser.add_subparsers(dest="role", required=True)
    sub.add_parser("fake")
    client = sub.add_parser("client")
    client.add_argument("scenario", choices=["nashir", "ptb", "null"])
    client.add_argument("url")
    client.add_argument("users", type=int)
    client.add_argument("scale", type=int)
    args = parser.parse_args()
    if args.role == "fake":
        _serve_fake()
        return
    result = asyncio.run(_deliver(args.scenario, args.url, args.users, args.scale))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
