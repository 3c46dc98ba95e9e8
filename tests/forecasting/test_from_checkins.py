"""Forecasts from the check-in log, combined up the cascade and shown on dashboards."""

from __future__ import annotations

import datetime as dt

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


def test_a_parent_is_combined_from_all_its_children_at_any_depth() -> None:
    # O has team goal A and supporting goal S as children; S has team goal B. A finished one
    # task a week for four weeks and has 4 left (done in exactly 4 weeks: 1 March); B the
    # same with 1 left (done 8 February). O must wait for A: its CDF is A's times S's.
    nodes = [
        Node("O", "objective", "strategic objective", ANNA, Q),
        Node("S", "support", "supporting goal", ANNA, Q, parent="O"),
        Node("A", "team A", "team goal", ANNA, Q, parent="O"),
        Node("B", "team B", "team goal", ANNA, Q, parent="S"),
    ]
    nodes += [Node(f"a{i}", "t", "task", ANNA, Q, parent="A") for i in range(8)]
    nodes += [Node(f"b{i}", "t", "task", ANNA, Q, parent="B") for i in range(5)]
    log = CheckinLog.from_records(updates=_done_on_tuesdays("a", 4) + _done_on_tuesdays("b", 4))
    forecasts, _ = forecast_cascade(
        Cascade(nodes), log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    assert forecasts["A"].p85 == D(2027, 3, 1)
    assert forecasts["B"].p85 == forecasts["S"].p85 == D(2027, 2, 8)
    assert forecasts["O"].p85 == D(2027, 3, 1)  # was 8 February: A was dropped
    a, s, o = forecasts["A"], forecasts["S"], forecasts["O"]
    for day in o.dates:
        assert o.probability_by(day) == a.probability_by(day) * s.probability_by(day)


def _p85(forecast: Forecast) -> dt.date:
    return forecast.p85 or dt.date.max  # beyond the horizon


@st.composite
def mixed_depth_cascades(draw: st.DrawFn) -> tuple[Cascade, CheckinLog]:
    """An objective, supporting goals and departmental targets beneath it at random, and team
    goals (the base level) beneath any of them: base nodes at depths 1 to 3."""
    nodes = [Node("o", "objective", "strategic objective", ANNA, Q)]
    goals = ["o"]
    for i in range(draw(st.integers(0, 2))):
        nodes.append(Node(f"s{i}", "s", "supporting goal", ANNA, Q, parent="o"))
        goals.append(f"s{i}")
    for i in range(draw(st.integers(0, 3))):
        parent = draw(st.sampled_from(goals))
        nodes.append(Node(f"d{i}", "d", "departmental target", ANNA, Q, parent=parent))
    goals += [n.id for n in nodes if n.level == "departmental target"]
    updates = []
    for j in range(draw(st.integers(1, 5))):
        nodes.append(Node(f"g{j}", "g", "team goal", ANNA, Q, parent=draw(st.sampled_from(goals))))
        for k in range(draw(st.integers(1, 4))):
            task = f"g{j}t{k}"
            nodes.append(Node(task, "t", "task", ANNA, Q, parent=f"g{j}"))
            days_ago = draw(st.none() | st.integers(0, 27))
            if days_ago is not None:
                day = AS_OF - dt.timedelta(days=days_ago)
                updates.append(StatusUpdate(f"u-{task}", task, day, "anna", Status.DONE))
    return Cascade(nodes), CheckinLog.from_records(updates=updates)


def _ancestors(cascade: Cascade, node_id: str) -> set[str]:
    found, parent = set(), cascade.node(node_id).parent
    while parent is not None:
        found.add(parent)
        parent = cascade.node(parent).parent
    return found


@settings(max_examples=60, deadline=None)
@given(mixed_depth_cascades())
def test_no_parent_finishes_before_any_of_its_children(built: tuple[Cascade, CheckinLog]) -> None:
    cascade, log = built
    forecasts, _ = forecast_cascade(
        cascade, log, as_of=AS_OF, base_level="team goal", history_periods=4
    )
    base = [n.id for n in cascade.nodes if n.level == "team goal"]
    above_base = set().union(*(_ancestors(cascade, b) for b in base))
    # exactly the base nodes and every node above one have a forecast
    assert set(forecasts) == set(base) | above_base
    for node_id in above_base:
        forecast = forecasts[node_id]
        kids = [n.id for n in cascade.nodes if n.parent == node_id and n.id in forecasts]
        assert kids
        for kid in kids:
            assert _p85(forecast) >= _p85(forecasts[kid])
        # the product of the CDFs of all its children with a forecast
        for day in forecast.dates:
            product = 1.0
            for kid in kids:
                product *= forecasts[kid].probability_by(day)
            assert forecast.probability_by(day) == pytest.approx(product, abs=1e-12)


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
