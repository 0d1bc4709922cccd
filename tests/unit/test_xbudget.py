"""The X budget's rules, as a pure function of what is left."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.xbudget import BudgetOptions, BudgetStatus, Importance, judge

MID_MONTH = datetime(2026, 4, 16, 0, 0, tzinfo=UTC)  # half of April has passed


def status(posts_left: int, *, spent: float = 0.0, money: float | None = None) -> BudgetStatus:
    return BudgetStatus(
        posts_per_day=20,
        posts_last_24h=20 - posts_left,
        posts_left_today=posts_left,
        money_per_month=money,
        spent_month=spent,
        money_left_month=None if money is None else money - spent,
    )


OPTIONS = BudgetOptions(posts_per_day=20, reserve=0.25)


@pytest.mark.parametrize(
    ("left", "ordinary", "most_read", "breaking"),
    [
        (20, True, True, True),
        (6, True, True, True),
        (5, False, True, True),
        (2, False, False, True),
        (0, False, False, False),
    ],
)
def test_daily_posts_keep_a_reserve_for_what_matters(
    left: int, ordinary: bool, most_read: bool, breaking: bool
) -> None:
    verdicts = [
        judge(status(left), OPTIONS, importance, with_link=True, now=MID_MONTH).allowed
        for importance in (Importance.ORDINARY, Importance.MOST_READ, Importance.BREAKING)
    ]
    assert verdicts == [ordinary, most_read, breaking]


def test_a_post_with_a_link_costs_the_link_price() -> None:
    options = BudgetOptions(money_per_month=10, price_post=0.01, price_post_with_link=0.2)
    assert (
        judge(
            status(20, money=10), options, Importance.BREAKING, with_link=True, now=MID_MONTH
        ).cost
        == 0.2
    )
    assert (
        judge(
            status(20, money=10), options, Importance.BREAKING, with_link=False, now=MID_MONTH
        ).cost
        == 0.01
    )


def test_ordinary_posts_are_paced_over_the_month() -> None:
    options = BudgetOptions(money_per_month=100, price_post_with_link=1.0, reserve=0.2)
    # by mid-month ordinary posts may have spent half of their 80: 40
    assert judge(
        status(20, spent=38, money=100), options, Importance.ORDINARY, with_link=True, now=MID_MONTH
    ).allowed
    refused = judge(
        status(20, spent=40, money=100), options, Importance.ORDINARY, with_link=True, now=MID_MONTH
    )
    assert not refused.allowed
    assert "paced" in refused.reason
    assert judge(
        status(20, spent=40, money=100), options, Importance.BREAKING, with_link=True, now=MID_MONTH
    ).allowed


def test_nothing_is_posted_past_the_money_or_while_x_caps_the_day() -> None:
    options = BudgetOptions(money_per_month=1, price_post_with_link=0.5)
    assert not judge(
        status(20, spent=0.75, money=1), options, Importance.BREAKING, with_link=True, now=MID_MONTH
    ).allowed
    capped = BudgetStatus(
        20, 3, 17, None, 0.0, None, capped_until=datetime(2026, 4, 16, 5, tzinfo=UTC)
    )
    assert not judge(capped, OPTIONS, Importance.BREAKING, with_link=True, now=MID_MONTH).allowed
