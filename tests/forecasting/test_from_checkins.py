"""Forecasts from the check-in log, combined up the cascade and shown on dashboards."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.cascade import Cascade, Node, Status
from workplan_core.checkins import CheckinLog, StatusUpdate, node_dashboard
from workplan_core.errors import ValidationError
from workplan_core.forecasting import FlagPolicy, Forecast
from workplan_core.forecasting.from_checkins import (
    done_days,
    forecast_cascade,
    forecast_node,
    outlooks,
    status_as_of,
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


# --- base nodes at different depths -----------------------------------------------------------


def _done_on_tuesdays(prefix: str, count: int) -> list[StatusUpdate]:
    """Tasks prefix0 … done one a week, on the Tuesdays of the weeks before AS_OF."""
    return [
        StatusUpdate(
            f"u-{prefix}{i}",
            f"{prefix}{i}",
            AS_OF - dt.timedelta(days=6 + 7 * i),
            "anna",
            Status.DONE,
        )
        for i in range(count)
    ]


def mixed_depth(
    *updates: StatusUpdate, planned: dict[str, Status] | None = None
) -> tuple[Cascade, CheckinLog]:
    """O has team goal A and supporting goal S as children; S has team goal B. A finished one
    task a week for four weeks and has 4 left (done in exactly 4 weeks: 1 March); B the same
    with 1 left (done 8 February). `planned` gives nodes their planned status."""
    status = planned or {}
    nodes = [
        Node("O", "objective", "strategic objective", ANNA, Q),
        Node("S", "support", "supporting goal", ANNA, Q, parent="O"),
        Node("A", "team A", "team goal", ANNA, Q, parent="O"),
        Node("B", "team B", "team goal", ANNA, Q, parent="S"),
    ]
    nodes += [Node(f"a{i}", "t", "task", ANNA, Q, parent="A") for i in range(8)]
    nodes += [Node(f"b{i}", "t", "task", ANNA, Q, parent="B") for i in range(5)]
    nodes = [attrs.evolve(n, status=status.get(n.id, n.status)) for n in nodes]
    done = _done_on_tuesdays("a", 4) + _done_on_tuesdays("b", 4)
    return Cascade(nodes), CheckinLog.from_records(updates=[*done, *updates])


def test_a_parent_is_combined_from_all_its_children_at_any_depth() -> None:
    # O must wait for A: its CDF is A's times S's.
    cascade, log = mixed_depth()
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert forecasts["A"].p85 == D(2027, 3, 1)
    assert forecasts["B"].p85 == forecasts["S"].p85 == D(2027, 2, 8)
    assert forecasts["O"].p85 == D(2027, 3, 1)  # was 8 February: A was dropped
    a, s, o = forecasts["A"], forecasts["S"], forecasts["O"]
    for day in o.dates:
        assert o.probability_by(day) == a.probability_by(day) * s.probability_by(day)


# --- cancelled work drops out -----------------------------------------------------------------


def _cancel(node_id: str, day: dt.date) -> StatusUpdate:
    return StatusUpdate(f"x-{node_id}", node_id, day, "anna", Status.CANCELLED)


def _same_cdf(a: Forecast, b: Forecast) -> bool:
    return all(a.probability_by(d) == b.probability_by(d) for d in a.dates + b.dates)


def test_a_team_goal_cancelled_in_a_checkin_drops_out_of_its_parent_and_is_not_flagged() -> None:
    nodes, updates = parts()
    # "slow" is flagged, and drives the objective's flag (see above); it is cancelled the
    # day after AS_OF
    log = CheckinLog.from_records(updates=[*updates, _cancel("slow", AS_OF + dt.timedelta(1))])
    cascade = Cascade(nodes)
    forecasts, flags = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert set(flags) == {"slow", "o"}  # not known yet on AS_OF: a past forecast is kept
    later = AS_OF + dt.timedelta(days=1)
    forecasts, flags = forecast_cascade(
        cascade, log, as_of=later, base_level="team goal", history_periods=4
    )
    assert set(forecasts) == {"fast", "o"}  # no forecast of its own
    assert flags == {}
    assert _same_cdf(forecasts["o"], forecasts["fast"])  # combined from "fast" alone
    assert outlooks(forecasts, flags).keys() == {"fast", "o"}
    with pytest.raises(ValidationError) as info:
        forecast_node(cascade, log, "slow", as_of=later, history_periods=4)
    assert [str(p) for p in info.value.problems] == [
        f"$.node_id: 'slow' is cancelled on {later}: cancelled work has no forecast"
    ]


def test_a_team_goal_cancelled_in_the_plan_drops_out_unless_reported_active() -> None:
    cascade, log = mixed_depth(planned={"A": Status.CANCELLED})
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert set(forecasts) == {"B", "S", "O"}
    assert forecasts["O"].p85 == D(2027, 2, 8)  # S alone: A dropped out
    assert _same_cdf(forecasts["O"], forecasts["S"])
    # reported under way after it was planned cancelled: it counts again
    revived = StatusUpdate("r-A", "A", AS_OF - dt.timedelta(1), "anna", Status.ON_TRACK)
    cascade, log = mixed_depth(revived, planned={"A": Status.CANCELLED})
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert forecasts["O"].p85 == D(2027, 3, 1)


def test_a_cancelled_intermediate_goal_drops_out_and_its_team_goals_count_up_to_it() -> None:
    cascade, log = mixed_depth(_cancel("S", AS_OF - dt.timedelta(1)))
    forecasts, flags = forecast_cascade(
        cascade,
        log,
        as_of=AS_OF,
        base_level="team goal",
        history_periods=4,
        policy=FlagPolicy(threshold=1.0),  # flag anything short of certain
    )
    # B is not cancelled itself and keeps its forecast (as its dashboard row keeps its status)
    assert set(forecasts) == {"A", "B", "O"}
    assert "S" not in flags
    assert _same_cdf(forecasts["O"], forecasts["A"])
    # a supporting goal as base level: a cancelled team goal's tasks are not its work
    cascade, log = mixed_depth(_cancel("A", AS_OF - dt.timedelta(1)))
    whole = forecast_node(cascade, log, "O", as_of=AS_OF, history_periods=4)
    only_b = forecast_node(cascade, log, "S", as_of=AS_OF, history_periods=4)
    assert whole.p85 == only_b.p85 == D(2027, 2, 8)  # A's 4 remaining tasks are not counted


def test_a_parent_all_of_whose_children_are_cancelled() -> None:
    # S's only team goal is cancelled: S has nothing to forecast and drops out of O
    cascade, log = mixed_depth(_cancel("B", AS_OF - dt.timedelta(1)))
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert set(forecasts) == {"A", "O"}
    assert _same_cdf(forecasts["O"], forecasts["A"])
    # ... unless S itself was reported done: then it reads as finished, on that day
    done_day = AS_OF - dt.timedelta(days=3)
    s_done = StatusUpdate("d-S", "S", done_day, "anna", Status.DONE)
    cascade, log = mixed_depth(_cancel("B", AS_OF - dt.timedelta(1)), s_done)
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert set(forecasts) == {"A", "S", "O"}
    s = forecasts["S"]
    assert (s.done, s.finished, s.on_time_probability) == (True, done_day, 1.0)
    assert _same_cdf(forecasts["O"], forecasts["A"])
    # every team goal cancelled: nothing is left to forecast, and nothing is flagged
    cascade, log = mixed_depth(
        _cancel("A", AS_OF - dt.timedelta(1)), _cancel("B", AS_OF - dt.timedelta(1))
    )
    forecasts, flags = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert (forecasts, flags) == ({}, {})


def _p85(forecast: Forecast) -> dt.date:
    return forecast.p85 or dt.date.max  # beyond the horizon


FATES = ("live", "planned cancelled", "cancelled", "cancelled later", "revived", "done")
"""What may happen to a goal: nothing; cancelled in the plan; cancelled in a check-in before
AS_OF; cancelled in one after it (not known yet); cancelled in the plan and reported active
again; reported done."""


def _fate(draw: st.DrawFn, node: Node, updates: list[StatusUpdate]) -> Node:
    fate = draw(st.sampled_from(FATES))
    day = AS_OF - dt.timedelta(days=draw(st.integers(0, 20)))
    if fate in ("planned cancelled", "revived"):
        node = attrs.evolve(node, status=Status.CANCELLED)
    said = {
        "cancelled": (day, Status.CANCELLED),
        "cancelled later": (AS_OF + dt.timedelta(days=1), Status.CANCELLED),
        "revived": (day, Status.ON_TRACK),
        "done": (day, Status.DONE),
    }.get(fate)
    if said is not None:
        updates.append(StatusUpdate(f"u-{node.id}", node.id, said[0], "anna", said[1]))
    return node


@st.composite
def mixed_depth_cascades(draw: st.DrawFn) -> tuple[Cascade, CheckinLog]:
    """An objective, supporting goals and departmental targets beneath it at random, and team
    goals (the base level) beneath any of them: base nodes at depths 1 to 3. Any goal may be
    cancelled (in the plan or in a check-in), revived or reported done, and any task cancelled.
    """
    updates: list[StatusUpdate] = []
    nodes = [_fate(draw, Node("o", "objective", "strategic objective", ANNA, Q), updates)]
    goals = ["o"]
    for i in range(draw(st.integers(0, 2))):
        goal = Node(f"s{i}", "s", "supporting goal", ANNA, Q, parent="o")
        nodes.append(_fate(draw, goal, updates))
        goals.append(f"s{i}")
    for i in range(draw(st.integers(0, 3))):
        goal = Node(
            f"d{i}", "d", "departmental target", ANNA, Q, parent=draw(st.sampled_from(goals))
        )
        nodes.append(_fate(draw, goal, updates))
    goals += [n.id for n in nodes if n.level == "departmental target"]
    for j in range(draw(st.integers(1, 5))):
        goal = Node(f"g{j}", "g", "team goal", ANNA, Q, parent=draw(st.sampled_from(goals)))
        nodes.append(_fate(draw, goal, updates))
        for k in range(draw(st.integers(1, 4))):
            task = f"g{j}t{k}"
            nodes.append(Node(task, "t", "task", ANNA, Q, parent=f"g{j}"))
            days_ago = draw(st.none() | st.integers(0, 27))
            status = draw(st.sampled_from([Status.DONE] * 3 + [Status.CANCELLED]))
            if days_ago is not None:
                day = AS_OF - dt.timedelta(days=days_ago)
                updates.append(StatusUpdate(f"u-{task}", task, day, "anna", status))
    return Cascade(nodes), CheckinLog.from_records(updates=updates)


def _ancestors(cascade: Cascade, node_id: str) -> set[str]:
    found, parent = set(), cascade.node(node_id).parent
    while parent is not None:
        found.add(parent)
        parent = cascade.node(parent).parent
    return found


def _forecast_expected(cascade: Cascade, log: CheckinLog) -> set[str]:
    """The nodes that must have a forecast: every base node not cancelled on AS_OF, and every
    node above one that is not cancelled and has a child with a forecast or is itself done."""
    status = {n.id: status_as_of(log, n, AS_OF) for n in cascade.nodes}
    base = {n.id for n in cascade.nodes if n.level == "team goal"}
    above = set().union(*(_ancestors(cascade, b) for b in base))

    def has(node_id: str) -> bool:
        if status[node_id] is Status.CANCELLED:
            return False
        if node_id in base:
            return True
        kids = [n.id for n in cascade.nodes if n.parent == node_id and n.id in base | above]
        return any(has(k) for k in kids) or status[node_id] is Status.DONE

    return {n for n in base | above if has(n)}


@settings(max_examples=80, deadline=None)
@given(mixed_depth_cascades())
def test_no_parent_finishes_before_any_of_its_children(built: tuple[Cascade, CheckinLog]) -> None:
    cascade, log = built
    forecasts, flags = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    # exactly the live base nodes, and the live nodes above them with something to show, have
    # a forecast: no node cancelled on AS_OF has one, or a flag
    assert set(forecasts) == _forecast_expected(cascade, log)
    assert all(status_as_of(log, cascade.node(n), AS_OF) is not Status.CANCELLED for n in forecasts)
    assert set(flags) <= set(forecasts)
    for node_id, forecast in forecasts.items():
        if cascade.node(node_id).level == "team goal":
            continue
        kids = [n.id for n in cascade.nodes if n.parent == node_id and n.id in forecasts]
        assert set(flags[node_id].drivers if node_id in flags else ()) <= set(kids)
        if not kids:  # every child dropped out: done by its own status
            assert forecast.done
            continue
        for kid in kids:
            assert _p85(forecast) >= _p85(forecasts[kid])
        # the product of the CDFs of all its children with a forecast (none cancelled)
        for day in forecast.dates:
            product = 1.0
            for kid in kids:
                product *= forecasts[kid].probability_by(day)
            assert forecast.probability_by(day) == pytest.approx(product, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(mixed_depth_cascades())
def test_no_cancelled_team_goal_contributes_to_any_forecast(
    built: tuple[Cascade, CheckinLog],
) -> None:
    # whatever the work of a cancelled team goal: without its tasks and their check-ins, every
    # forecast and flag is exactly the same
    cascade, log = built
    found = forecast_cascade(cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4)
    cancelled = {
        n.id
        for n in cascade.nodes
        if n.level == "team goal" and status_as_of(log, n, AS_OF) is Status.CANCELLED
    }
    kept = [n for n in cascade.nodes if n.parent not in cancelled]
    timelines = [log.timeline(n.id) for n in kept]
    updates = [u for t in timelines if t is not None for u in t.history()]
    again = forecast_cascade(
        Cascade(kept),
        CheckinLog.from_records(updates=updates),
        as_of=AS_OF,
        base_level="team goal",
        history_periods=4,
    )
    assert again == found


# --- statuses as of the forecast day ----------------------------------------------------------

G_NODES = [Node("G", "g", "team goal", ANNA, Q)] + [
    Node(f"t{i}", "t", "task", ANNA, Q, parent="G") for i in range(3)
]


def _update(uid: str, task: str, day: dt.date, status: Status, **kw: str) -> StatusUpdate:
    return StatusUpdate(uid, task, day, "anna", status, **kw)  # type: ignore[arg-type]


def test_a_task_cancelled_by_an_update_is_not_remaining_work() -> None:
    updates = [
        _update("u0", "t0", D(2027, 2, 1), Status.DONE),
        _update("u1", "t1", D(2027, 2, 8), Status.DONE),
        _update("u2", "t2", D(2027, 2, 8), Status.CANCELLED),
    ]
    cascade, log = Cascade(G_NODES), CheckinLog.from_records(updates=updates)
    f = forecast_node(cascade, log, "G", as_of=D(2027, 2, 15), history_periods=4)
    assert f.cdf[0] == 1.0  # done, as the dashboard shows it
    assert (f.done, f.finished, f.on_time_probability) == (True, D(2027, 2, 8), 1.0)
    row = node_dashboard("G", as_of=D(2027, 2, 15), cascade=cascade, log=log).row("G")
    assert row is not None
    assert row.status is Status.DONE
    # before t2 was cancelled it was remaining work
    before = forecast_node(cascade, log, "G", as_of=D(2027, 2, 7), history_periods=4)
    assert before.cdf[0] == 0.0


def test_a_task_planned_cancelled_and_reported_active_is_remaining_work() -> None:
    nodes = [*G_NODES[:3], Node("t2", "t", "task", ANNA, Q, parent="G", status=Status.CANCELLED)]
    updates = [
        _update("u0", "t0", D(2027, 2, 1), Status.DONE),
        _update("u1", "t1", D(2027, 2, 8), Status.DONE),
    ]
    log = CheckinLog.from_records(updates=updates)
    assert forecast_node(Cascade(nodes), log, "G", as_of=D(2027, 2, 15)).done
    revived = CheckinLog.from_records(
        updates=[*updates, _update("u2", "t2", D(2027, 2, 9), Status.ON_TRACK)]
    )
    assert not forecast_node(Cascade(nodes), revived, "G", as_of=D(2027, 2, 15)).done


def test_a_team_goal_with_every_task_cancelled_reads_by_its_own_status() -> None:
    cancelled = [_update(f"c{i}", f"t{i}", D(2027, 2, 1), Status.CANCELLED) for i in range(3)]
    cascade, as_of = Cascade(G_NODES), D(2027, 2, 15)
    # reported done: finished on the day it was reported done, as the dashboard shows it
    done = CheckinLog.from_records(
        updates=[*cancelled, _update("g", "G", D(2027, 2, 3), Status.DONE)]
    )
    f = forecast_node(cascade, done, "G", as_of=as_of, history_periods=4)
    assert (f.done, f.finished, f.on_time_probability) == (True, D(2027, 2, 3), 1.0)
    row = node_dashboard("G", as_of=as_of, cascade=cascade, log=done).row("G")
    assert row is not None
    assert row.status is Status.DONE
    # not reported done: it is its own one remaining task (it is not finished: the dashboard
    # shows its own status, not started)
    log = CheckinLog.from_records(updates=cancelled)
    f = forecast_node(cascade, log, "G", as_of=as_of, history_periods=4)
    assert not f.done
    assert any("every task beneath it is cancelled" in w for w in f.warnings)
    row = node_dashboard("G", as_of=as_of, cascade=cascade, log=log).row("G")
    assert row is not None
    assert row.status is Status.NOT_STARTED


def test_a_team_goal_reported_done_with_tasks_remaining_is_not_finished() -> None:
    updates = [
        _update("u0", "t0", D(2027, 2, 1), Status.DONE),
        _update("u1", "t1", D(2027, 2, 8), Status.DONE),
        _update("g", "G", D(2027, 2, 9), Status.DONE),  # t2 is still open
    ]
    cascade, log = Cascade(G_NODES), CheckinLog.from_records(updates=updates)
    f = forecast_node(cascade, log, "G", as_of=D(2027, 2, 15), history_periods=4)
    assert not f.done
    row = node_dashboard("G", as_of=D(2027, 2, 15), cascade=cascade, log=log).row("G")
    assert row is not None
    assert row.status is not Status.DONE  # rolled up from its tasks


def test_a_reopened_task_is_not_done_until_reported_done_again() -> None:
    updates = [
        _update("u0", "t0", D(2027, 2, 1), Status.DONE),
        _update("u0b", "t0", D(2027, 2, 2), Status.DONE),  # confirmed: still done since 1 Feb
        _update("u1", "t0", D(2027, 2, 8), Status.ON_TRACK),  # reopened
        _update("u2", "t0", D(2027, 2, 10), Status.DONE),  # done again
    ]
    log = CheckinLog.from_records(updates=updates)
    assert done_days(log, ["t0"], D(2027, 2, 5)) == {"t0": D(2027, 2, 1)}
    assert done_days(log, ["t0"], D(2027, 2, 9)) == {}
    assert done_days(log, ["t0"], D(2027, 2, 12)) == {"t0": D(2027, 2, 10)}
    # as of 9 February, with t0 reopened, nothing is done: all three tasks remain and the
    # history (four weeks ending 9 Feb) holds no finish -> a stall, no finish in sight
    f = forecast_node(Cascade(G_NODES), log, "G", as_of=D(2027, 2, 9), history_periods=4)
    assert f.never


def test_a_correction_changes_the_status_from_the_day_it_was_recorded() -> None:
    updates = [
        _update("u0", "t0", D(2027, 2, 1), Status.DONE),
        _update("fix", "t0", D(2027, 2, 3), Status.ON_TRACK, corrects="u0"),
    ]
    log = CheckinLog.from_records(updates=updates)
    assert done_days(log, ["t0"], D(2027, 2, 2)) == {"t0": D(2027, 2, 1)}
    assert done_days(log, ["t0"], D(2027, 2, 4)) == {}
    assert status_as_of(log, G_NODES[1], D(2027, 2, 4)) is Status.ON_TRACK
    assert status_as_of(log, G_NODES[2], D(2027, 2, 4)) is Status.NOT_STARTED  # no update


def test_finished_work_after_its_due_date_is_on_time_and_not_flagged() -> None:
    # every task done on 1 February, due 31 March, forecast as of 10 April
    done = [_update(f"u{i}", f"t{i}", D(2027, 2, 1), Status.DONE) for i in range(3)]
    cascade = Cascade(G_NODES)
    forecasts, flags = forecast_cascade(
        cascade,
        CheckinLog.from_records(updates=done),
        as_of=D(2027, 4, 10),
        base_level="team goal",
        history_periods=4,
    )
    assert forecasts["G"].on_time_probability == 1.0
    assert flags == {}
    # the last task finished on 5 April, after the due date: late, but not flagged
    late = [*done[:2], _update("u2", "t2", D(2027, 4, 5), Status.DONE)]
    forecasts, flags = forecast_cascade(
        cascade,
        CheckinLog.from_records(updates=late),
        as_of=D(2027, 4, 10),
        base_level="team goal",
        history_periods=4,
    )
    assert (forecasts["G"].finished, forecasts["G"].on_time_probability) == (D(2027, 4, 5), 0.0)
    assert flags == {}
    # one task still open after the due date: missed, flagged high
    forecasts, flags = forecast_cascade(
        cascade,
        CheckinLog.from_records(updates=done[:2]),
        as_of=D(2027, 4, 10),
        base_level="team goal",
        history_periods=4,
    )
    assert forecasts["G"].on_time_probability == 0.0
    assert flags["G"].severity.value == "high"


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c, lg: forecast_node(c, lg, "G", as_of=dt.datetime(2027, 2, 1, 9)), "$.as_of"),
        (
            lambda c, lg: forecast_cascade(
                c, lg, as_of=dt.datetime(2027, 2, 1, 9), base_level="team goal"
            ),
            "$.as_of",
        ),
        (lambda c, lg: done_days(lg, ["t0"], dt.datetime(2027, 2, 1, 9)), "$.as_of"),
        (lambda c, lg: work_begun(lg, ["t0"], dt.datetime(2027, 2, 1, 9)), "$.as_of"),
        (
            lambda c, lg: forecast_node(c, lg, "G", as_of=AS_OF, history_periods=0),
            "$.history_periods",
        ),
        (lambda c, lg: forecast_cascade(c, lg, as_of=AS_OF, base_level=None), "$.base_level"),
        (lambda c, lg: forecast_node(c, None, "G", as_of=AS_OF), "$.log"),
    ],
)
def test_bad_arguments_are_validation_errors(call: object, path: str) -> None:
    cascade, log = Cascade(G_NODES), CheckinLog.from_records(updates=[])
    with pytest.raises(ValidationError) as info:
        call(cascade, log)  # type: ignore[operator]
    assert [p.path for p in info.value.problems] == [path]
