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
    work_begun,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import Period

D = dt.date
ANNA = OwnerRef(OwnerKind.PERSON, "anna")
Q = Period(D(2027, 1, 1), D(2027, 3, 31))
AS_OF = D(2027, 2, 1)  # a Monday


def build() -> tuple[Cascade, CheckinLog]:
    nodes, updates = parts()
    return Cascade(nodes), CheckinLog.from_records(updates=updates)


def parts() -> tuple[list[Node], list[StatusUpdate]]:
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
    return nodes, updates


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


def build_with_later_work() -> tuple[Cascade, CheckinLog]:
    """`build()` plus "next": a team goal of next quarter, its tasks reported "not started"."""
    nodes, updates = parts()
    q2 = Period(D(2027, 4, 1), D(2027, 6, 30))
    nodes[0] = Node("o", "Objective", "strategic objective", ANNA, Period(Q.start, q2.end))
    nodes.append(Node("next", "Next", "team goal", ANNA, q2, parent="o"))
    nodes += [Node(f"n{i}", "t", "task", ANNA, q2, parent="next") for i in range(4)]
    on = AS_OF - dt.timedelta(days=3)
    updates.append(StatusUpdate("un0", "n0", on, "anna", Status.NOT_STARTED))
    return Cascade(nodes), CheckinLog.from_records(updates=updates)


def test_work_begun_means_more_than_not_started() -> None:
    _, log = build_with_later_work()
    assert not work_begun(log, ["n0", "n1"], AS_OF)  # only "not started" so far
    assert work_begun(log, ["n0", "s0"], AS_OF)  # s0 was reported done
    assert not work_begun(log, ["s1"], AS_OF)  # its update comes after as_of


def test_work_not_begun_borrows_a_reference_and_starts_with_its_period() -> None:
    cascade, log = build_with_later_work()
    alone = forecast_node(cascade, log, "next", as_of=AS_OF, history_periods=4)
    assert alone.never  # no history of its own and none lent
    borrowed = forecast_node(
        cascade, log, "next", as_of=AS_OF, history_periods=4, reference=[1, 1, 1, 1]
    )
    # 4 tasks at 1 a week, from the week holding 1 April (AS_OF is Monday 1 Feb: 8 whole
    # working weeks lie before 1 April, which is a Thursday) -> done after 12 weeks
    assert not borrowed.never
    assert borrowed.p50 == borrowed.p95 == AS_OF + dt.timedelta(weeks=12)
    assert any("no task has begun yet" in w for w in borrowed.warnings)
    assert any("work starts on 2027-04-01" in w for w in borrowed.warnings)
    # work that has begun keeps its own history even when a reference is offered: "slow"
    # finished one task in four weeks and is not rescued by a better reference
    slow = forecast_node(cascade, log, "slow", as_of=AS_OF, history_periods=4, reference=[5] * 4)
    own = forecast_node(cascade, log, "slow", as_of=AS_OF, history_periods=4)
    assert slow.cdf == own.cdf
    assert not any("no task has begun" in w for w in slow.warnings)


def test_cascade_forecast_lends_siblings_history_to_work_not_begun() -> None:
    cascade, log = build_with_later_work()
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    # siblings "fast" (1,1,1,1) and "slow" (1,0,0,0) pool to eight periods: 1 five times, 0
    # three times; "next" has 4 tasks and cannot finish before its quarter starts
    nxt = forecasts["next"]
    assert not nxt.never
    assert any("comparable work (8 periods)" in w for w in nxt.warnings)
    assert nxt.probability_by(D(2027, 3, 29)) == 0.0
    assert 0.0 < nxt.probability_by(D(2027, 6, 30)) < 1.0
    assert not forecasts["o"].never
