"""Synthetic delivery histories driven by a known hidden process, for forecasts and backtests.

Each generated node has a hidden delivery rate ``λ`` (tasks per working week, uniform between
`rate_range`); in every week it finishes a Poisson(``λ``) number of tasks, each on a random
working day of that week. The generator records `periods` weeks of history before `as_of`, the
backlog left at `as_of`, and then keeps simulating until the backlog is done, so backtests have a
ground truth: the true completion dates of every task.

The same arguments and seed always give the same histories. O(count × weeks × λ).
"""

from __future__ import annotations

import datetime as dt
import math
import random

import attrs

from workplan_core.periods import WorkCalendar

__all__ = ["DeliveryHistory", "generate_deliveries"]

_DEFAULT_AS_OF = dt.date(2027, 3, 29)  # a Monday


@attrs.frozen
class DeliveryHistory:
    """One node's synthetic delivery: what was seen by `as_of`, and what happened after.

    Attributes:
        node_id: the node.
        rate: the hidden mean number of tasks finished per week (the ground truth).
        weekly: tasks finished in each of the weeks before `as_of`, oldest first.
        remaining: tasks still open at `as_of`.
        completions: the day every task finished, past and future, in order.
        due: the node's due date.
        as_of: the day the history ends.
    """

    node_id: str
    rate: float
    weekly: tuple[int, ...]
    remaining: int
    completions: tuple[dt.date, ...]
    due: dt.date
    as_of: dt.date

    @property
    def finished_on(self) -> dt.date:
        """The day the last task finished (the true completion date)."""
        return self.completions[-1]


def _poisson(rng: random.Random, rate: float) -> int:
    """Inverse-transform Poisson draw; O(rate)."""
    threshold, k, product = math.exp(-rate), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k


def _week_days(calendar: WorkCalendar, monday: dt.date) -> list[dt.date]:
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    worked = [d for d in days if calendar.is_working_day(d)]
    return worked or [monday]


def generate_deliveries(
    count: int,
    *,
    seed: int = 0,
    periods: int = 26,
    as_of: dt.date = _DEFAULT_AS_OF,
    backlog: tuple[int, int] = (20, 200),
    rate_range: tuple[float, float] = (1.0, 10.0),
    calendar: WorkCalendar | None = None,
) -> list[DeliveryHistory]:
    """Generate `count` delivery histories.

    Args:
        count: how many nodes.
        seed: the random seed.
        periods: weeks of history before `as_of`.
        as_of: the day the observed history ends (use a Monday).
        backlog: the range of tasks open at `as_of`.
        rate_range: the range of hidden weekly rates.
        calendar: working days (default: Monday to Friday).
    """
    rng = random.Random(seed)
    work = calendar or WorkCalendar()
    start = as_of - dt.timedelta(weeks=periods)
    week_cache: dict[dt.date, list[dt.date]] = {}

    def days_of(monday: dt.date) -> list[dt.date]:
        if monday not in week_cache:
            week_cache[monday] = _week_days(work, monday)
        return week_cache[monday]

    histories = []
    for n in range(count):
        rate = rng.uniform(*rate_range)
        remaining = rng.randint(*backlog)
        weekly, completions = [], []
        for w in range(periods):
            monday = start + dt.timedelta(weeks=w)
            k = _poisson(rng, rate)
            weekly.append(k)
            completions.extend(rng.choices(days_of(monday), k=k))
        left, w = remaining, periods
        while left > 0:
            monday = start + dt.timedelta(weeks=w)
            k = min(left, _poisson(rng, rate))
            completions.extend(rng.choices(days_of(monday), k=k))
            left -= k
            w += 1
        expected_weeks = remaining / rate
        slack = rng.uniform(0.7, 1.4)
        due = as_of + dt.timedelta(weeks=math.ceil(expected_weeks * slack))
        histories.append(
            DeliveryHistory(
                node_id=f"node-{n:06d}",
                rate=rate,
                weekly=tuple(weekly),
                remaining=remaining,
                completions=tuple(sorted(completions)),
                due=due,
                as_of=as_of,
            )
        )
    return histories
