"""An impediment event id identifies one event in the whole check-in log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from _checkin_records import maria_checkin, raised
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade.status import Status
from workplan_core.checkins import (
    CheckinLog,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
    impediments_as_of,
)
from workplan_core.errors import Problem, ValidationError

D = dt.date
A = ImpedimentAction
LATER = D(2027, 3, 1)


def update(event_id: str, impediment_id: str, on: dt.date) -> ImpedimentEvent:
    return ImpedimentEvent(event_id, impediment_id, A.UPDATED, on, "anna", description="still")


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in error.value.problems]


def snapshot(log: CheckinLog) -> object:
    """What the log answers about its impediments and check-ins, for "unchanged" checks."""
    return (
        log.all_impediments(LATER),
        set(log.impeded_nodes()),
        dict(log.checkins),
        list(log.node_ids()),
        log.held("c1"),
    )


def test_add_refuses_an_event_id_used_under_another_impediment() -> None:
    log = CheckinLog()
    log.add_impediment_event(raised(D(2027, 1, 4), Severity.HIGH, "imp1"))
    before = snapshot(log)
    with pytest.raises(ValidationError) as info:
        log.add_impediment_event(raised(D(2027, 1, 5), Severity.LOW, "imp2"))  # id e1 again
    assert problems_of(info) == [("$.id", "duplicate event id 'e1'")]
    assert snapshot(log) == before
    assert log.impediment("imp2", LATER) is None


def test_add_refuses_an_event_id_reused_within_one_impediment() -> None:
    log = CheckinLog()
    log.add_impediment_event(raised(D(2027, 1, 4), Severity.HIGH, "imp1"))
    before = snapshot(log)
    with pytest.raises(ValidationError) as info:
        log.add_impediment_event(update("e1", "imp1", D(2027, 1, 6)))
    assert problems_of(info) == [("$.id", "duplicate event id 'e1'")]
    assert snapshot(log) == before  # the history still folds: the update was not kept


def test_add_checkin_refuses_reused_event_ids_and_adds_nothing() -> None:
    log = CheckinLog()
    log.add_impediment_event(raised(D(2027, 1, 4), Severity.HIGH, "imp1"))
    log.add_checkin(maria_checkin("ci1", D(2027, 1, 4), "c1"))
    before = snapshot(log)
    reading = StatusUpdate("u1", "t1", D(2027, 1, 11), "anna", Status.ON_TRACK, progress=0.5)
    checkin = maria_checkin(
        "ci1",  # a check-in id the log holds too
        D(2027, 1, 11),
        "c1",
        updates=(reading,),
        impediments=(
            update("e2", "imp1", D(2027, 1, 11)),
            raised(D(2027, 1, 11), Severity.LOW, "imp2"),  # e1: logged already
            update("e2", "imp2", D(2027, 1, 11)),  # e2: given before in this check-in
        ),
    )
    with pytest.raises(ValidationError) as info:
        log.add_checkin(checkin)
    assert problems_of(info) == [
        ("$.id", "duplicate check-in id 'ci1'"),
        ("$.impediments[1].id", "duplicate event id 'e1'"),
        ("$.impediments[2].id", "duplicate event id 'e2'"),
    ]
    assert snapshot(log) == before
    assert log.timeline("t1") is None  # the check-in's update was not added either


def test_from_records_lists_every_reused_event_id_at_its_path() -> None:
    checkin = maria_checkin(
        "ci1",
        D(2027, 1, 11),
        impediments=(update("e2", "imp2", D(2027, 1, 11)), update("e3", "imp1", D(2027, 1, 11))),
    )
    with pytest.raises(ValidationError) as info:
        CheckinLog.from_records(
            checkins=[checkin],
            impediment_events=[
                raised(D(2027, 1, 4), Severity.HIGH, "imp1"),
                raised(D(2027, 1, 5), Severity.LOW, "imp2"),  # e1 again, another impediment
                update("e2", "imp1", D(2027, 1, 6)),
            ],
        )
    assert problems_of(info) == [
        ("$.impediment_events[1].id", "duplicate event id 'e1'"),
        ("$.checkins[0].impediments[0].id", "duplicate event id 'e2'"),
    ]


def test_from_records_without_carried_events_does_not_count_them_twice() -> None:
    events = (raised(D(2027, 1, 4), Severity.HIGH, "imp1"), update("e2", "imp1", D(2027, 1, 6)))
    checkin = maria_checkin("ci1", D(2027, 1, 4), impediments=events)
    log = CheckinLog.from_records(checkins=[checkin], impediment_events=events, carried=False)
    found = log.impediment("imp1", LATER)
    assert found is not None
    assert [e.id for e in found.events] == ["e1", "e2"]
    with pytest.raises(ValidationError, match="duplicate event id 'e1'"):
        CheckinLog.from_records(checkins=[checkin], impediment_events=events)


# ---------------------------------------------------------------------- properties


@st.composite
def _events(draw: st.DrawFn) -> list[ImpedimentEvent]:
    """Consistent histories of up to three impediments, with ids from a small pool.

    Some ids repeat, within an impediment or across impediments.
    """
    events = []
    for n in range(draw(st.integers(0, 3))):
        raise_on = D(2027, 1, 4) + dt.timedelta(days=draw(st.integers(0, 10)))
        events.append(
            ImpedimentEvent(
                draw(st.sampled_from(["e0", "e1", "e2", "e3", "e4", "e5"])),
                f"imp{n}",
                A.RAISED,
                raise_on,
                "anna",
                node_id=f"t{n % 2}",
                severity=Severity.LOW,
            )
        )
        for _ in range(draw(st.integers(0, 3))):
            on = raise_on + dt.timedelta(days=draw(st.integers(0, 10)))
            events.append(update(draw(st.sampled_from(["e1", "e2", "e6", "e7"])), f"imp{n}", on))
    return events


def _refusal(build: Callable[[], object]) -> list[Problem] | None:
    """The problems `build` is refused with, or `None` when it succeeds."""
    try:
        build()
    except ValidationError as error:
        return list(error.problems)
    return None


def _outcome(log: CheckinLog) -> object:
    """The log's impediments on a late day, or the problems its histories have."""
    try:
        return log.all_impediments(LATER)
    except ValidationError as error:
        return error.problems


def _first_uses(events: list[ImpedimentEvent]) -> tuple[list[ImpedimentEvent], list[int]]:
    """The events that first use their id, in order, and the indices of the others."""
    seen: set[str] = set()
    kept, reused = [], []
    for i, event in enumerate(events):
        if event.id in seen:
            reused.append(i)
        else:
            seen.add(event.id)
            kept.append(event)
    return kept, reused


@given(_events(), st.integers(0, 4))
def test_a_built_log_holds_each_event_id_once_or_is_refused(
    events: list[ImpedimentEvent], carried: int
) -> None:
    # the last `carried` events come inside a check-in, the others on their own
    split = max(0, len(events) - carried)
    alone, inside = events[:split], events[split:]
    checkin = maria_checkin("ci1", D(2027, 1, 4), impediments=tuple(inside))
    _, reused = _first_uses(events)
    paths = [
        f"$.impediment_events[{i}]" if i < split else f"$.checkins[0].impediments[{i - split}]"
        for i in range(len(events))
    ]
    built: list[CheckinLog] = []
    refusal = _refusal(
        lambda: built.append(CheckinLog.from_records(checkins=[checkin], impediment_events=alone))
    )
    assert refusal == (
        [Problem(f"{paths[i]}.id", f"duplicate event id {events[i].id!r}") for i in reused] or None
    )
    if built:  # every history drawn is consistent: each folds in full
        ids = [e.id for imp in built[0].all_impediments(LATER) for e in imp.events]
        assert sorted(ids) == sorted(e.id for e in events)
        assert len(set(ids)) == len(ids)


@given(_events())
def test_a_grown_log_refuses_exactly_the_reused_ids_and_equals_one_built_without_them(
    events: list[ImpedimentEvent],
) -> None:
    kept, reused = _first_uses(events)
    log = CheckinLog()
    refused = []
    for i, event in enumerate(events):
        before = _outcome(log)
        refusal = _refusal(lambda event=event: log.add_impediment_event(event))
        if refusal is not None:
            assert refusal == [Problem("$.id", f"duplicate event id {event.id!r}")]
            assert _outcome(log) == before
            refused.append(i)
    assert refused == reused
    assert _outcome(log) == _outcome(CheckinLog.from_records(impediment_events=kept))


@given(_events())
def test_impediments_as_of_lists_every_reused_id_across_impediments(
    events: list[ImpedimentEvent],
) -> None:
    # applied by day, ties in the order given: the event applied later is the duplicate
    order = sorted(range(len(events)), key=lambda i: (events[i].on, i))
    owner: dict[str, int] = {}
    for i in order:
        owner.setdefault(events[i].id, i)
    expected = [
        Problem(f"$[{i}].id", f"duplicate event id {e.id!r}")
        for i, e in enumerate(events)
        if owner[e.id] != i
    ]
    problems = _refusal(lambda: impediments_as_of(events)) or []
    assert [p for p in problems if p.message.startswith("duplicate event id")] == expected
