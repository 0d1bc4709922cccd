"""The X budget: posts per day and money per month, spent on what matters most.

X bills each post (a post with a link costs more than ten times one without)
and caps posts per 24 hours. Failing at the cap would spend the budget on
whatever came first in the morning and leave breaking news unposted in the
evening, so every X post is judged before it is sent:

* breaking news may use everything that is left;
* most-read re-posts may use all but half of the reserve;
* ordinary articles may not touch the reserve (`reserve`, a share of both
  the daily posts and the monthly money), and their money is paced over the
  month: by day 10 of 30 they may have spent a third of their share.

What does not fit is skipped with the reason, never queued for later. When X
itself answers with its 24-hour cap, every X post is skipped until the reset
X announced, instead of retrying in a loop.

Spending is a ledger (`x_spend`): posts in the last 24 hours (X's own window)
and money in the current calendar month (UTC) are sums over it, so every
instance and every restart sees the same budget. Two instances may both
admit the very last post; at most one post per extra instance over the cap.
"""

from __future__ import annotations

import asyncio
import calendar
import enum
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.delivery_ports import XLedger
from bot.core.events import Events
from bot.core.ports import Clock

log = logging.getLogger(__name__)


class Importance(enum.IntEnum):
    """How much an X post matters when the budget is short."""

    ORDINARY = 0
    MOST_READ = 1
    BREAKING = 2


@dataclass(frozen=True, slots=True)
class BudgetOptions:
    """The budget from the settings; `money_per_month=None` means no money cap."""

    posts_per_day: int = 50
    money_per_month: float | None = None
    price_post: float = 0.0
    price_post_with_link: float = 0.0
    reserve: float = 0.25

    def cost(self, with_link: bool) -> float:
        """What one post costs."""
        return self.price_post_with_link if with_link else self.price_post


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """What is left; read by /stats and the metrics."""

    posts_per_day: int
    posts_last_24h: int
    posts_left_today: int
    money_per_month: float | None
    spent_month: float
    money_left_month: float | None
    capped_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether one post may be sent, what it costs, and why not."""

    allowed: bool
    cost: float
    reason: str = ""


def judge(
    status: BudgetStatus,
    options: BudgetOptions,
    importance: Importance,
    *,
    with_link: bool,
    now: datetime,
) -> Verdict:
    """Decide one post against the budget (pure; the rules of the module docstring)."""
    cost = options.cost(with_link)
    if status.capped_until is not None and now < status.capped_until:
        return Verdict(False, cost, f"X 24-hour cap reached until {status.capped_until:%H:%M} UTC")
    if status.posts_left_today <= 0:
        return Verdict(False, cost, "X posts for the last 24 hours used up")
    if status.money_left_month is not None and cost > status.money_left_month + 1e-9:
        return Verdict(False, cost, "X money for this month used up")
    reserve_posts = math.ceil(options.posts_per_day * options.reserve)
    money = options.money_per_month
    if importance is Importance.MOST_READ:
        if status.posts_left_today <= reserve_posts // 2:
            return Verdict(False, cost, "X posts left are kept for breaking news")
        if money is not None and status.spent_month + cost > money * (1 - options.reserve / 2):
            return Verdict(False, cost, "X money left is kept for breaking news")
    elif importance is Importance.ORDINARY:
        if status.posts_left_today <= reserve_posts:
            return Verdict(False, cost, "X posts left are kept for breaking and most-read")
        if money is not None:
            share = money * (1 - options.reserve)
            paced = share * _month_elapsed(now)
            if status.spent_month + cost > min(share, max(paced, cost)) + 1e-9:
                return Verdict(False, cost, "X money paced over the month: not for this one")
    return Verdict(True, cost)


def _month_elapsed(now: datetime) -> float:
    """Share of the current calendar month (UTC) that has passed."""
    now = now.astimezone(UTC)
    days = calendar.monthrange(now.year, now.month)[1]
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return min((now - start) / timedelta(days=days), 1.0)


def month_start(now: datetime) -> datetime:
    """Midnight UTC on the first of the month."""
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class XBudget:
    """Judges, records and reports X spending; one per app, shared by its workers."""

    def __init__(
        self,
        ledger: XLedger,
        clock: Clock,
        options: BudgetOptions,
        *,
        events: Events | None = None,
    ) -> None:
        self.ledger = ledger
        self.clock = clock
        self.options = options
        self.events = events or Events()
        self.lock = asyncio.Lock()

    async def status(self, now: datetime | None = None) -> BudgetStatus:
        """Posts and money left, from the ledger."""
        now = now or self.clock.now()
        reading = await self.ledger.read(
            day_since=now - timedelta(hours=24), month_since=month_start(now)
        )
        posts, spent, capped = reading.posts, reading.money, reading.capped_until
        if capped is not None and capped <= now:
            capped = None
        money = self.options.money_per_month
        return BudgetStatus(
            posts_per_day=self.options.posts_per_day,
            posts_last_24h=posts,
            posts_left_today=max(self.options.posts_per_day - posts, 0),
            money_per_month=money,
            spent_month=round(spent, 6),
            money_left_month=None if money is None else round(max(money - spent, 0.0), 6),
            capped_until=capped,
        )

    async def decide(self, importance: Importance, *, with_link: bool) -> Verdict:
        """Whether a post of this importance may go now."""
        now = self.clock.now()
        verdict = judge(
            await self.status(now), self.options, importance, with_link=with_link, now=now
        )
        if not verdict.allowed:
            log.info("X post skipped (%s): %s", importance.name.lower(), verdict.reason)
        return verdict

    async def spend(self, verdict: Verdict, *, with_link: bool, delivery_id: int | None) -> None:
        """Write a sent post into the ledger and report what is left."""
        now = self.clock.now()
        await self.ledger.record(
            at=now, cost=verdict.cost, with_link=with_link, delivery_id=delivery_id
        )
        status = await self.status(now)
        self.events.x_budget(status.posts_left_today, status.money_left_month)

    async def capped(self, until: datetime) -> None:
        """X answered with its 24-hour cap: post nothing there before `until`."""
        await self.ledger.cap(until, self.clock.now())
        log.warning("X 24-hour cap reached: X posts are skipped until %s", until.isoformat())
