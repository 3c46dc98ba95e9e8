"""Forecasts from the check-in log, combined up the cascade and shown on dashboards."""

from __future__ import annotations

import datetime as dt

from workplan_core.cascade import Cascade, Node, Status
from workplan_core.checkins import CheckinLog, StatusUpdate
from workplan_core.forecasting import FlagPolicy
from workplan_core.forecasting.from_checkins import (
    done_days,
    forecast_cascade,
    forecast_node,
    outlooks,
    tasks_of,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import Period

D = dt.date
ANNA = OwnerRef(OwnerKind.PERSON, "anna")
Q = Period(D(2027, 1, 1), D(2027, 3, 31))
AS_OF = D(2027, 2, 1)  # a Monday


def build() -> tuple[Cascade, CheckinLog]:
    nodes = [Node("o", "Objective", "strategic objective", ANNA, Q)]
    nodes += [Node(g, g, "team goal", ANNA, Q, parent="o") for g in ("fast", "slow")]
    nodes += [Node(f"f{i}", "t", "task", ANNA, Q, parent="fast") for i in range(6)]
    nodes += [Node(f"s{i}", "t", "task", ANNA, Q, parent="slow") for i in range(30)]
    nodes.append(Node("s-x", "t", "task", ANNA, Q, parent="slow", status=Status.CANCELLED))
    updates = []
    # "fast": one task done in each of the last 4 weeks (Tue of each week before AS_OF)
    for i in range(4):
        day = AS_OF - dt.timedelta(days=6 + 7 * i)
        updates.append(StatusUpdate(f"uf{i}", f"f{i}", day, "anna", Status.DONE))
        updates.append(
            StatusUpdate(f"uf{i}b", f"f{i}", day + dt.timedelta(days=1), "anna", Status.DONE)
        )  # confirmed again: the first day counts
    # "slow": one task done four weeks ago, nothing since
    updates.append(StatusUpdate("us0", "s0", AS_OF - dt.timedelta(days=27), "anna", Status.DONE))
    updates.append(
        StatusUpdate("us-late", "s1", AS_OF + dt.timedelta(days=1), "anna", Status.DONE)
    )  # after as_of: not known yet
    return Cascade(nodes), CheckinLog.from_records(updates=updates)


def test_tasks_and_done_days() -> None:
    cascade, log = build()
    assert [t.id for t in tasks_of(cascade, "fast")] == [f"f{i}" for i in range(6)]
    days = done_days(log, ["f0", "s1"], AS_OF)
    assert days == {"f0": AS_OF - dt.timedelta(days=6)}


def test_node_forecast_uses_only_what_was_known() -> None:
    cascade, log = build()
    fast = forecast_node(cascade, log, "fast", as_of=AS_OF, history_periods=4)
    # history 1,1,1,1 per week; 2 tasks left -> exactly 2 weeks
    assert fast.p50 == fast.p95 == AS_OF + dt.timedelta(weeks=2)
    assert fast.on_time_probability == 1.0
    slow = forecast_node(cascade, log, "slow", as_of=AS_OF, history_periods=4)
    # history 1,0,0,0; 29 tasks left (the cancelled one is not counted): 1 task a week with
    # probability 1/4 -> far beyond the due date
    assert slow.on_time_probability is not None
    assert slow.on_time_probability < 0.01


def test_cascade_forecast_flags_the_objective_and_names_the_driver() -> None:
    cascade, log = build()
    forecasts, flags = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4, policy=FlagPolicy()
    )
    assert set(forecasts) == {"fast", "slow", "o"}
    assert set(flags) == {"slow", "o"}
    assert flags["o"].drivers == ("slow",)
    views = outlooks(forecasts, flags)
    assert views["fast"].flag is None
    assert views["fast"].p85 == AS_OF + dt.timedelta(weeks=2)
    assert views["o"].flag == "high"
