"""A status update id identifies one update in the whole log; `add_checkin` is all-or-nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial

import pytest
from _checkin_records import maria_checkin
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade.status import Status
from workplan_core.checkins import (
    CheckIn,
    CheckinLog,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
    Timeline,
)
from workplan_core.errors import Problem, ValidationError

D = dt.date
FIRST = D(2027, 1, 1)
LATER = D(2027, 3, 1)
DAYS = [FIRST + dt.timedelta(days=i) for i in range(24)]
MONDAY = D(2027, 1, 11)


def up(
    update_id: str, node_id: str, on: dt.date, corrects: str | None = None, progress: float = 0.5
) -> StatusUpdate:
    return StatusUpdate(
        update_id, node_id, on, "anna", Status.ON_TRACK, progress=progress, corrects=corrects
    )


def event(event_id: str, impediment_id: str, on: dt.date = MONDAY) -> ImpedimentEvent:
    return ImpedimentEvent(
        event_id,
        impediment_id,
        ImpedimentAction.RAISED,
        on,
        "anna",
        node_id="t1",
        severity=Severity.LOW,
    )


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in error.value.problems]


def _impediments(log: CheckinLog) -> object:
    try:
        return log.all_impediments(LATER)
    except ValidationError as error:  # histories drawn at random need not fold
        return error.problems


def observe(log: CheckinLog) -> object:
    """What the log answers: every node's timeline on every day, check-ins, impediments."""
    timelines = {}
    for node_id in sorted(log.node_ids()):
        timeline = log.timeline(node_id)
        assert timeline is not None
        timelines[node_id] = (
            timeline.latest() if len(timeline) else None,
            list(timeline.history()),
            [list(timeline.history(day)) for day in DAYS],
        )
    return (
        timelines,
        dict(log.checkins),
        _impediments(log),
        sorted(log.impeded_nodes()),
        log.held("c1"),
    )


# ---------------------------------------------------------------------- add_update


def test_add_update_refuses_an_update_id_used_for_another_node() -> None:
    log = CheckinLog()
    log.add_update(up("u1", "t1", D(2027, 1, 4)))
    before = observe(log)
    with pytest.raises(ValidationError) as info:
        log.add_update(up("u1", "t2", D(2027, 1, 5)))
    assert problems_of(info) == [("$.id", "duplicate update id 'u1'")]
    assert observe(log) == before
    assert log.timeline("t2") is None


def test_a_correction_has_an_id_of_its_own_and_names_an_update_of_its_node() -> None:
    log = CheckinLog()
    first = up("u1", "t1", D(2027, 1, 4))
    log.add_update(first)
    log.add_update(up("u2", "t2", D(2027, 1, 4)))
    log.add_update(up("f1", "t1", D(2027, 1, 6), corrects="u1", progress=0.25))
    log.add_update(up("f2", "t1", D(2027, 1, 7), corrects="f1", progress=0.3))  # of a correction
    before = observe(log)
    refused = [
        (up("u2", "t1", D(2027, 1, 8), corrects="u1"), "$.id", "duplicate update id 'u2'"),
        (up("f1", "t2", D(2027, 1, 8), corrects="u2"), "$.id", "duplicate update id 'f1'"),
        (
            up("f3", "t2", D(2027, 1, 8), corrects="u1"),
            "$.corrects",
            "'u1' is an update of node 't1'; a correction must be of the same node",
        ),
        (up("f3", "t3", D(2027, 1, 8), corrects="u9"), "$.corrects", "no update 'u9' to correct"),
        (
            up("f3", "t1", D(2027, 1, 6), corrects="u1"),
            "$.on",
            "a correction must not be recorded before 2027-01-07",
        ),
    ]
    for update, path, message in refused:
        with pytest.raises(ValidationError) as info:
            log.add_update(update)
        assert problems_of(info) == [(path, message)]
        assert observe(log) == before
    assert log.timeline("t3") is None  # no empty timeline is left for a refused update
    timeline = log.timeline("t1")
    assert timeline is not None
    assert timeline.latest().id == "f2"
    assert timeline.latest_version("f1") == (first, timeline.latest())
    assert timeline.latest_version("u2") is None  # t2's


# ---------------------------------------------------------------------- add_checkin


def test_a_refused_update_leaves_the_whole_checkin_out() -> None:
    log = CheckinLog()
    log.add_update(up("u1", "t1", D(2027, 1, 4)))
    before = observe(log)
    checkin = maria_checkin(
        "ci1",
        D(2027, 1, 11),
        "c1",
        updates=(up("u2", "t2", D(2027, 1, 11)), up("f1", "t1", D(2027, 1, 11), corrects="nope")),
        impediments=(event("e1", "imp1"),),
    )
    with pytest.raises(ValidationError) as info:
        log.add_checkin(checkin)
    assert problems_of(info) == [("$.updates[1].corrects", "no update 'nope' to correct")]
    assert observe(log) == before
    assert "ci1" not in log.checkins
    assert log.timeline("t2") is None
    # nothing of it was kept, its ids included: the mended check-in is added whole
    mended = maria_checkin(
        "ci1",
        D(2027, 1, 11),
        "c1",
        updates=(up("u2", "t2", D(2027, 1, 11)), up("f1", "t1", D(2027, 1, 11), corrects="u1")),
        impediments=(event("e1", "imp1"),),
    )
    log.add_checkin(mended)
    assert log.held("c1") == [D(2027, 1, 11)]
    assert [u.id for u in log.timeline("t1").history()] == ["f1"]  # type: ignore[union-attr]
    assert log.impediment("imp1", LATER) is not None


def test_add_checkin_lists_every_problem_at_its_place_and_adds_nothing() -> None:
    log = CheckinLog()
    log.add_checkin(
        maria_checkin(
            "ci0",
            D(2027, 1, 4),
            "c1",
            updates=(up("u1", "t1", D(2027, 1, 4)),),
            impediments=(event("e1", "imp1", D(2027, 1, 4)),),
        )
    )
    log.add_update(up("f1", "t1", D(2027, 1, 10), corrects="u1"))
    before = observe(log)
    checkin = maria_checkin(
        "ci0",  # held already
        D(2027, 1, 11),
        "c1",
        updates=(
            up("u1", "t2", D(2027, 1, 11)),  # u1: logged already, for t1
            up("u2", "t2", D(2027, 1, 11)),
            up("u2", "t1", D(2027, 1, 11)),  # u2: given before in this check-in
            up("f2", "t1", D(2027, 1, 9), corrects="u1"),  # before f1, u1's latest version
            up("f3", "t2", D(2027, 1, 11), corrects="u1"),  # u1 is t1's
            up("f4", "t1", D(2027, 1, 11), corrects="u2"),  # u2 (this check-in's) is t2's
            up("f5", "t2", D(2027, 1, 11), corrects="f9"),  # no f9
            up("f6", "t2", D(2027, 1, 12), corrects="u2"),  # fine
            up("f7", "t2", D(2027, 1, 11), corrects="f6"),  # before f6, given before it
            up("f8", "t2", D(2027, 1, 12), corrects="f6"),  # fine
            up("f9", "t1", D(2027, 1, 12), corrects="f2"),  # fine: f2 was refused for its day
        ),
        impediments=(event("e1", "imp2"), event("e2", "imp3")),
    )
    with pytest.raises(ValidationError) as info:
        log.add_checkin(checkin)
    other = "is an update of node {!r}; a correction must be of the same node"
    assert problems_of(info) == [
        ("$.id", "duplicate check-in id 'ci0'"),
        ("$.updates[0].id", "duplicate update id 'u1'"),
        ("$.updates[2].id", "duplicate update id 'u2'"),
        ("$.updates[3].on", "a correction must not be recorded before 2027-01-10"),
        ("$.updates[4].corrects", "'u1' " + other.format("t1")),
        ("$.updates[5].corrects", "'u2' " + other.format("t2")),
        ("$.updates[6].corrects", "no update 'f9' to correct"),
        ("$.updates[8].on", "a correction must not be recorded before 2027-01-12"),
        ("$.impediments[0].id", "duplicate event id 'e1'"),
    ]
    assert observe(log) == before


def test_add_checkin_applies_corrections_of_its_own_updates_in_order() -> None:
    log = CheckinLog()
    log.add_update(up("u1", "t1", D(2027, 1, 4)))
    checkin = maria_checkin(
        "ci1",
        D(2027, 1, 11),
        updates=(
            up("u2", "t2", D(2027, 1, 11), progress=0.1),
            up("f1", "t2", D(2027, 1, 11), corrects="u2", progress=0.2),
            up("f2", "t2", D(2027, 1, 11), corrects="f1", progress=0.3),
            up("f3", "t1", D(2027, 1, 11), corrects="u1", progress=0.4),
        ),
    )
    log.add_checkin(checkin)
    grown = observe(log)
    t2 = log.timeline("t2")
    assert t2 is not None
    assert t2.latest().id == "f2"
    built = CheckinLog.from_records(checkins=[checkin], updates=[up("u1", "t1", D(2027, 1, 4))])
    assert observe(built) == grown


# ---------------------------------------------------------------------- from_records


def test_from_records_lists_every_reused_update_id_at_its_path() -> None:
    checkins = [
        maria_checkin("ci1", D(2027, 1, 4), updates=(up("u1", "t1", D(2027, 1, 4)),)),
        maria_checkin(
            "ci2",
            D(2027, 1, 11),
            updates=(up("u2", "t1", D(2027, 1, 11)), up("u1", "t2", D(2027, 1, 11))),
        ),
    ]
    with pytest.raises(ValidationError) as info:
        CheckinLog.from_records(
            checkins=checkins,
            updates=[
                up("u3", "t2", D(2027, 1, 4)),
                up("u2", "t2", D(2027, 1, 5), corrects="u3"),  # a correction reusing u2
                up("u3", "t1", D(2027, 1, 5)),
            ],
        )
    assert problems_of(info) == [
        ("$.checkins[1].updates[1].id", "duplicate update id 'u1'"),
        ("$.updates[1].id", "duplicate update id 'u2'"),
        ("$.updates[2].id", "duplicate update id 'u3'"),
    ]


def test_from_records_lists_reused_update_and_event_ids_at_once() -> None:
    checkin = maria_checkin(
        "ci1",
        D(2027, 1, 11),
        updates=(up("u1", "t1", D(2027, 1, 11)),),
        impediments=(event("e1", "imp2"),),
    )
    with pytest.raises(ValidationError) as info:
        CheckinLog.from_records(
            checkins=[checkin],
            updates=[up("u1", "t2", D(2027, 1, 4))],
            impediment_events=[event("e1", "imp1")],
        )
    assert problems_of(info) == [
        ("$.updates[0].id", "duplicate update id 'u1'"),
        ("$.checkins[0].impediments[0].id", "duplicate event id 'e1'"),
    ]


def test_from_records_without_carried_updates_does_not_count_them_twice() -> None:
    updates = (up("u1", "t1", D(2027, 1, 4)), up("f1", "t1", D(2027, 1, 5), corrects="u1"))
    checkin = maria_checkin("ci1", D(2027, 1, 4), updates=updates)
    log = CheckinLog.from_records(checkins=[checkin], updates=updates, carried=False)
    timeline = log.timeline("t1")
    assert timeline is not None
    assert timeline.latest().id == "f1"
    with pytest.raises(ValidationError, match="duplicate update id 'u1'"):
        CheckinLog.from_records(checkins=[checkin], updates=updates)


# ---------------------------------------------------------------------- properties

_NODES = ["t0", "t1"]
_Op = StatusUpdate | ImpedimentEvent | CheckIn


def _update(draw: st.DrawFn, drawn: list[StatusUpdate]) -> StatusUpdate:
    """An update, or a correction mostly naming one `drawn` before, of its node, near its day.

    Ids come from small pools: some repeat, for one node or two, also between an update and
    a correction.
    """
    corrects, node_id = None, draw(st.sampled_from(_NODES))
    if draw(st.booleans()) and drawn:
        named = draw(st.sampled_from(drawn))
        corrects = draw(st.sampled_from([named.id, named.id, named.id, "nope"]))
        if draw(st.integers(0, 4)):
            node_id = named.node_id
        update_id = draw(st.sampled_from(["f0", "f1", "f2", "f3", "f4", "u0"]))
        on = named.on + dt.timedelta(days=draw(st.integers(-1, 3)))
    else:
        update_id = draw(st.sampled_from(["u0", "u1", "u2", "u3", "f0"]))
        on = draw(st.sampled_from(DAYS[:8]))
    update = StatusUpdate(
        update_id,
        node_id,
        on,
        "anna",
        draw(st.sampled_from(Status)),
        progress=draw(st.none() | st.floats(0, 1)),
        corrects=corrects,
    )
    drawn.append(update)
    return update


def _event(draw: st.DrawFn) -> ImpedimentEvent:
    return event(
        draw(st.sampled_from(["e0", "e1", "e2"])),
        draw(st.sampled_from(["imp0", "imp1", "imp2"])),
        draw(st.sampled_from(DAYS[:10])),
    )


@st.composite
def _ops(draw: st.DrawFn) -> list[_Op]:
    """Up to ten updates, impediment events and check-ins carrying some of each."""
    drawn: list[StatusUpdate] = []
    ops: list[_Op] = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(["update", "event", "checkin"]))
        if kind == "update":
            ops.append(_update(draw, drawn))
        elif kind == "event":
            ops.append(_event(draw))
        else:
            updates = [_update(draw, drawn) for _ in range(draw(st.integers(0, 4)))]
            events = [_event(draw) for _ in range(draw(st.integers(0, 2)))]
            checkin_id = draw(st.sampled_from(["ci0", "ci1", "ci2"]))
            on = draw(st.sampled_from(DAYS[:10]))
            ops.append(
                maria_checkin(checkin_id, on, "c1", updates=(*updates,), impediments=(*events,))
            )
    return ops


@st.composite
def _updates(draw: st.DrawFn, size: int = 8) -> list[StatusUpdate]:
    drawn: list[StatusUpdate] = []
    return [_update(draw, drawn) for _ in range(draw(st.integers(0, size)))]


class _Accepted:
    """The records a log took, and whether it should take more (by the per-node timelines)."""

    def __init__(self) -> None:
        self.updates: list[StatusUpdate] = []
        self.events: list[ImpedimentEvent] = []
        self.checkins: list[CheckIn] = []

    def refuses_updates(self, updates: tuple[StatusUpdate, ...]) -> bool:
        """Whether some of `updates`, added one by one, reuses an id or a timeline refuses it."""
        done = list(self.updates)
        for update in updates:
            if update.id in {u.id for u in done}:
                return True
            node_id = update.node_id
            try:
                Timeline(node_id, [u for u in done if u.node_id == node_id]).add(update)
            except ValidationError:
                return True
            done.append(update)
        return False

    def refuses_events(self, events: tuple[ImpedimentEvent, ...]) -> bool:
        ids = [e.id for e in [*self.events, *events]]
        return len(set(ids)) != len(ids)

    def refuses(self, op: _Op) -> bool:
        if isinstance(op, StatusUpdate):
            return self.refuses_updates((op,))
        if isinstance(op, ImpedimentEvent):
            return self.refuses_events((op,))
        return (
            op.id in {c.id for c in self.checkins}
            or self.refuses_updates(op.updates)
            or self.refuses_events(op.impediments)
        )

    def take(self, op: _Op) -> None:
        if isinstance(op, StatusUpdate):
            self.updates.append(op)
        elif isinstance(op, ImpedimentEvent):
            self.events.append(op)
        else:
            self.checkins.append(op)
            self.updates += op.updates
            self.events += op.impediments


def _add(log: CheckinLog, op: _Op) -> None:
    if isinstance(op, StatusUpdate):
        log.add_update(op)
    elif isinstance(op, ImpedimentEvent):
        log.add_impediment_event(op)
    else:
        log.add_checkin(op)


_CHECKIN_PATH = re.compile(r"\$\.(id|updates\[(\d+)\]\.(id|corrects|on)|impediments\[(\d+)\]\.id)")


def _well_placed(problem: Problem, op: _Op) -> bool:
    """Whether `problem` is at a path `add_*` may report for `op`."""
    if not isinstance(op, CheckIn):
        allowed = ("$.id", "$.corrects", "$.on") if isinstance(op, StatusUpdate) else ("$.id",)
        return problem.path in allowed
    match = _CHECKIN_PATH.fullmatch(problem.path)
    if match is None:
        return False
    update, item = match.group(2), match.group(4)
    return (update is None or int(update) < len(op.updates)) and (
        item is None or int(item) < len(op.impediments)
    )


@given(_ops())
def test_every_add_is_whole_or_refused_and_leaves_each_update_id_once(ops: list[_Op]) -> None:
    log = CheckinLog()
    accepted = _Accepted()
    for op in ops:
        before = observe(log)
        refusal = _refusal(partial(_add, log, op))
        assert (refusal is not None) == accepted.refuses(op), refusal
        if refusal is None:
            accepted.take(op)
        else:
            assert refusal
            assert all(_well_placed(p, op) for p in refusal), refusal
            assert observe(log) == before
    ids = [u.id for u in accepted.updates]
    assert len(set(ids)) == len(ids)
    timelines = [log.timeline(node_id) for node_id in _NODES]
    for update_id in ids:  # each id is known to exactly one timeline: its node's
        knowing = [t.node_id for t in timelines if t and t.latest_version(update_id)]
        assert knowing == [next(u.node_id for u in accepted.updates if u.id == update_id)]
    built = CheckinLog.from_records(
        checkins=accepted.checkins,
        updates=accepted.updates,
        impediment_events=accepted.events,
        carried=False,
    )
    assert observe(log) == observe(built)


def _refusal(build: Callable[[], object]) -> list[Problem] | None:
    try:
        build()
    except ValidationError as error:
        return list(error.problems)
    return None


@given(_updates(), st.integers(0, 8), st.integers(0, 8))
def test_from_records_refuses_exactly_the_reused_update_ids(
    updates: list[StatusUpdate], first: int, second: int
) -> None:
    # updates[:a] come in check-in 0, updates[a:b] in check-in 1, the others on their own
    a, b = sorted((min(first, len(updates)), min(second, len(updates))))
    checkins = [
        maria_checkin("ci0", D(2027, 1, 4), updates=tuple(updates[:a])),
        maria_checkin("ci1", D(2027, 1, 11), updates=tuple(updates[a:b])),
    ]
    paths = [
        f"$.checkins[0].updates[{i}]"
        if i < a
        else f"$.checkins[1].updates[{i - a}]"
        if i < b
        else f"$.updates[{i - b}]"
        for i in range(len(updates))
    ]
    seen: set[str] = set()
    expected = []
    for i, update in enumerate(updates):
        if update.id in seen:
            expected.append(Problem(f"{paths[i]}.id", f"duplicate update id {update.id!r}"))
        seen.add(update.id)
    refusal = _refusal(lambda: CheckinLog.from_records(checkins=checkins, updates=updates[b:]))
    if expected:
        assert refusal == expected
    else:  # refused only for what a node's timeline refuses (corrections), not for ids
        assert not any(p.message.startswith("duplicate") for p in refusal or [])
