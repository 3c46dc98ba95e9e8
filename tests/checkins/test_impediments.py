"""Impediment histories: folding events, validation of the lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.checkins.impediments import (
    Impediment,
    ImpedimentAction,
    ImpedimentEvent,
    ImpedimentHistory,
    Severity,
    impediments_as_of,
)
from workplan_core.checkins.log import CheckinLog
from workplan_core.errors import ValidationError
from workplan_core.serialization import dump_record, load_record

D = dt.date
A = ImpedimentAction


def ev(i: str, imp: str, action: ImpedimentAction, on: dt.date, **kw: object) -> ImpedimentEvent:
    return ImpedimentEvent(i, imp, action, on, by="anna", **kw)  # type: ignore[arg-type]


HISTORY = [
    ev(
        "e1",
        "imp1",
        A.RAISED,
        D(2027, 1, 4),
        node_id="t1",
        description="no test data",
        severity=Severity.HIGH,
        help_from="omar",
    ),
    ev("e2", "imp1", A.UPDATED, D(2027, 1, 11), severity=Severity.CRITICAL),
    ev("e3", "imp1", A.ESCALATED, D(2027, 1, 12), escalated_to="maria"),
    ev("e4", "imp1", A.RESOLVED, D(2027, 1, 18), description="data copied from staging"),
]


def test_fold_as_of_each_date() -> None:
    assert impediments_as_of(HISTORY, D(2027, 1, 3)) == {}
    first = impediments_as_of(HISTORY, D(2027, 1, 4))["imp1"]
    assert first.severity is Severity.HIGH
    assert first.requests_help
    assert first.age_days(D(2027, 1, 10)) == 6
    later = impediments_as_of(HISTORY, D(2027, 1, 12))["imp1"]
    assert (later.severity, later.escalated_to, later.help_from) == (
        Severity.CRITICAL,
        "maria",
        "omar",
    )
    done = impediments_as_of(HISTORY)["imp1"]
    assert not done.is_open
    assert not done.requests_help
    assert done.resolution == "data copied from staging"
    assert done.age_days(D(2027, 3, 1)) == 14
    assert [e.id for e in done.events] == ["e1", "e2", "e3", "e4"]


def test_events_given_out_of_order_are_applied_by_date() -> None:
    assert impediments_as_of(list(reversed(HISTORY))) == impediments_as_of(HISTORY)


def test_every_lifecycle_problem_is_reported() -> None:
    bad = [
        *HISTORY,
        ev("e5", "imp1", A.RESOLVED, D(2027, 1, 20)),  # already resolved
        ev("e6", "imp9", A.UPDATED, D(2027, 1, 20)),  # does not exist
        ev("e1", "imp2", A.RAISED, D(2027, 1, 21), node_id="t", severity=Severity.LOW),  # dup id
        ev("e7", "imp3", A.RAISED, D(2027, 1, 21)),  # no node, no severity
        ev("e8", "imp1", A.RAISED, D(2027, 1, 22), node_id="t", severity=Severity.LOW),  # again
    ]
    with pytest.raises(ValidationError) as info:
        impediments_as_of(bad)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$[4].action", "impediment 'imp1' is already resolved"),
        ("$[5].impediment_id", "impediment 'imp9' does not exist"),
        ("$[6].id", "duplicate event id 'e1'"),
        ("$[7].node_id", "required when an impediment is raised"),
        ("$[7].severity", "required when an impediment is raised"),
        ("$[8].impediment_id", "'imp1' already raised"),
    ]


def test_escalation_needs_a_person() -> None:
    with pytest.raises(ValidationError, match="escalated_to"):
        impediments_as_of([HISTORY[0], ev("x", "imp1", A.ESCALATED, D(2027, 1, 5))])


def test_event_round_trip() -> None:
    for event in HISTORY:
        assert load_record(dump_record(event), ImpedimentEvent) == event


@st.composite
def _histories(draw: st.DrawFn) -> list[ImpedimentEvent]:
    """Events of one impediment: mostly consistent, sometimes not (repeats, gaps, bad order)."""
    start = dt.date(2027, 1, 4)
    events = []
    for i in range(draw(st.integers(0, 7))):
        action = draw(st.sampled_from(ImpedimentAction))
        if i == 0 and draw(st.integers(0, 4)):
            action = ImpedimentAction.RAISED
        events.append(
            ImpedimentEvent(
                draw(st.sampled_from([f"e{i}", f"e{i}", f"e{i}", "e0"])),
                "imp",
                action,
                start + dt.timedelta(days=draw(st.integers(0, 30))),
                "anna",
                node_id=draw(st.sampled_from(["t1", "t1", "t1", None])),
                description=draw(st.sampled_from(["", "no data", "fixed"])),
                severity=draw(st.none() | st.sampled_from(Severity)),
                help_from=draw(st.none() | st.just("chen")),
                escalated_to=draw(st.none() | st.just("maria")),
                withdraws_help=draw(st.sampled_from([False, False, True])),
            )
        )
    return events


def _without_stray_fields(event: ImpedimentEvent) -> ImpedimentEvent:
    if event.action in (A.ESCALATED, A.RESOLVED):
        event = attrs.evolve(event, help_from=None, severity=None)
    if event.action is not A.ESCALATED:
        event = attrs.evolve(event, escalated_to=None)
    if event.action is not A.RAISED:
        event = attrs.evolve(event, node_id=None)
    return event


@given(_histories(), st.integers(-2, 34))
def test_a_history_folded_once_equals_folding_up_to_each_day(
    events: list[ImpedimentEvent], offset: int
) -> None:
    as_of = dt.date(2027, 1, 4) + dt.timedelta(days=offset)
    history = ImpedimentHistory(events)

    def outcome(fold: Callable[[], Impediment | None], by_id: bool = False) -> object:
        try:
            found = fold()
        except ValidationError as error:
            return error.problems
        if by_id and found is not None:
            return attrs.evolve(found, events=()), [e.id for e in found.events]
        return found

    # a history reads stored events: fields an action ignores (help_from and severity on an
    # escalation or a resolution, escalated_to but on an escalation), refused in new events,
    # are ignored there, as they always were
    ignored = [_without_stray_fields(e) for e in events]
    assert outcome(lambda: history.at(as_of), by_id=True) == outcome(
        lambda: impediments_as_of(ignored, as_of).get("imp"), by_id=True
    )
    if ignored == events:
        assert outcome(lambda: history.at(as_of)) == outcome(
            lambda: impediments_as_of(events, as_of).get("imp")
        )


@given(st.lists(_histories(), max_size=4), st.integers(-2, 34))
def test_open_impediments_of_many_nodes_equal_those_folded_one_by_one(
    histories: list[list[ImpedimentEvent]], offset: int
) -> None:
    as_of = dt.date(2027, 1, 4) + dt.timedelta(days=offset)
    # an event id identifies one event in a log (a reused one is refused: see test_event_ids)
    events = [
        attrs.evolve(e, id=f"e{n}.{j}", impediment_id=f"imp{n}", node_id=e.node_id and f"t{n % 2}")
        for n, history in enumerate(histories)
        for j, e in enumerate(history)
    ]
    log = CheckinLog.from_records(impediment_events=events)
    nodes = ["t0", "t1", "t9"]

    def one_by_one() -> object:
        try:
            found = {
                i: [x for x in log.impediments_of(n, as_of) if x.is_open]
                for i, n in enumerate(nodes)
            }
        except ValidationError as error:
            return error.problems
        return {i: items for i, items in found.items() if items}

    def at_once() -> object:
        try:
            return log.open_impediments(nodes, as_of)
        except ValidationError as error:
            return error.problems

    assert at_once() == one_by_one()


def test_an_update_dated_before_the_raise_says_so() -> None:
    raise_ = HISTORY[0]  # raised Jan 4
    early = ev("e2", "imp1", A.UPDATED, D(2027, 1, 3), severity=Severity.LOW)
    for events in ([raise_, early], [early, raise_]):
        with pytest.raises(ValidationError) as info:
            impediments_as_of(events)
        [problem] = info.value.problems
        assert (problem.path, problem.message) == (
            f"$[{events.index(early)}].on",
            "before impediment 'imp1' was raised (2027-01-04)",
        )
    # the same as of the day of the early update, and through a history folded once
    with pytest.raises(ValidationError, match="before impediment 'imp1' was raised"):
        impediments_as_of([raise_, early], D(2027, 1, 3))
    with pytest.raises(ValidationError, match="before impediment 'imp1' was raised"):
        ImpedimentHistory([raise_, early]).at(D(2027, 1, 5))
    # an impediment never raised still does not exist
    with pytest.raises(ValidationError, match="'imp9' does not exist"):
        impediments_as_of([raise_, ev("e3", "imp9", A.UPDATED, D(2027, 1, 3))])


def test_events_made_without_validators_are_not_misread() -> None:
    # a string action used to fold as an update, leaving a resolved impediment open
    with attrs.validators.disabled():
        resolve = ev("e2", "imp1", "resolved", D(2027, 1, 5))  # type: ignore[arg-type]
        loud = ev("e3", "imp2", A.RAISED, D(2027, 1, 5), node_id="t2", severity="high")
    with pytest.raises(ValidationError) as info:
        impediments_as_of([HISTORY[0], resolve, loud])
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$[1].action", "must be an ImpedimentAction, got str"),
        ("$[2].severity", "must be a Severity, got str"),
    ]


def test_age_is_zero_before_the_raise() -> None:
    imp = impediments_as_of(HISTORY, D(2027, 1, 5))["imp1"]
    assert imp.age_days(D(2027, 1, 1)) == 0
    assert imp.age_days(D(2027, 1, 4)) == 0
    assert imp.age_days(D(2027, 1, 6)) == 2


def test_an_update_without_help_from_keeps_the_help_request() -> None:
    # documented: help_from=None on an update means "unchanged"; a request ends when the
    # impediment is resolved
    events = [HISTORY[0], ev("e2", "imp1", A.UPDATED, D(2027, 1, 5), help_from=None)]
    assert impediments_as_of(events)["imp1"].help_from == "omar"
    moved = [HISTORY[0], ev("e2", "imp1", A.UPDATED, D(2027, 1, 5), help_from="chen")]
    assert impediments_as_of(moved)["imp1"].help_from == "chen"


# ---------------------------------------------------------------------- withdrawing help


def withdrawn_and_asked_again() -> list[ImpedimentEvent]:
    return [
        HISTORY[0],  # raised Jan 4, asking omar for help
        ev("e2", "imp1", A.UPDATED, D(2027, 1, 6), withdraws_help=True),  # found a workaround
        ev("e3", "imp1", A.UPDATED, D(2027, 1, 11), help_from="chen"),  # it broke again
        ev("e4", "imp1", A.UPDATED, D(2027, 1, 13), help_from="dana"),  # chen sends us to dana
    ]


def test_an_update_withdraws_the_help_request_and_a_later_one_asks_again() -> None:
    events = withdrawn_and_asked_again()

    def state(day: int) -> tuple[bool, str | None, dt.date | None]:
        imp = impediments_as_of(events, D(2027, 1, day))["imp1"]
        return imp.requests_help, imp.help_from, imp.help_asked_on

    assert state(5) == (True, "omar", D(2027, 1, 4))
    assert state(6) == (False, None, None)  # withdrawn: no longer asks anyone
    assert state(10) == (False, None, None)
    assert state(11) == (True, "chen", D(2027, 1, 11))  # asked again: a new request
    assert state(13) == (True, "dana", D(2027, 1, 11))  # the same request, sent on to dana
    imp = impediments_as_of(events, D(2027, 1, 6))["imp1"]
    assert (imp.is_open, imp.description, imp.severity) == (True, "no test data", Severity.HIGH)
    history = ImpedimentHistory(events)
    for day in range(3, 15):
        assert history.at(D(2027, 1, day)) == impediments_as_of(events, D(2027, 1, day)).get("imp1")


def test_an_open_help_request_is_counted_until_withdrawn() -> None:
    log = CheckinLog.from_records(impediment_events=withdrawn_and_asked_again())
    asking = {
        day: [x.help_from for x in log.open_impediments(["t1"], D(2027, 1, day))[0]]
        for day in (5, 6, 11)
    }
    assert asking == {5: ["omar"], 6: [None], 11: ["chen"]}


def test_withdrawing_help_is_refused_where_it_means_nothing() -> None:
    no_help = attrs.evolve(HISTORY[0], help_from=None)
    bad = [
        no_help,
        ev("e2", "imp1", A.UPDATED, D(2027, 1, 5), withdraws_help=True),  # nothing asked
        ev("e3", "imp1", A.UPDATED, D(2027, 1, 6), help_from="omar"),
        ev("e4", "imp1", A.UPDATED, D(2027, 1, 7), help_from="chen", withdraws_help=True),
        ev("e5", "imp1", A.ESCALATED, D(2027, 1, 8), escalated_to="maria", withdraws_help=True),
        ev("e6", "imp1", A.RESOLVED, D(2027, 1, 9), withdraws_help=True),
        ev(
            "e7",
            "imp2",
            A.RAISED,
            D(2027, 1, 9),
            node_id="t2",
            severity=Severity.LOW,
            withdraws_help=True,
        ),
    ]
    with pytest.raises(ValidationError) as info:
        impediments_as_of(bad)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$[1].withdraws_help", "impediment 'imp1' requests no help"),
        ("$[3].help_from", "must be None when the update withdraws help"),
        ("$[4].withdraws_help", "only an update can withdraw a help request"),
        ("$[5].withdraws_help", "only an update can withdraw a help request"),
        ("$[6].withdraws_help", "only an update can withdraw a help request"),
    ]
    with pytest.raises(ValidationError, match="requests no help"):
        ImpedimentHistory(bad[:2]).at(D(2027, 1, 5))


def test_withdrawing_is_a_bool() -> None:
    with pytest.raises(ValidationError) as info:
        ev("e2", "imp1", A.UPDATED, D(2027, 1, 5), withdraws_help=1)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$.withdraws_help", "must be a bool, got int")
    ]
    with attrs.validators.disabled():
        loose = ev("e2", "imp1", A.UPDATED, D(2027, 1, 5), withdraws_help="yes")
    with pytest.raises(ValidationError) as info:
        impediments_as_of([HISTORY[0], loose])
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$[1].withdraws_help", "must be a bool, got str")
    ]


def test_events_stored_before_withdrawals_existed_load_unchanged() -> None:
    for event in HISTORY:
        stored_v1 = {**dump_record(event), "$version": 1}
        del stored_v1["withdraws_help"]  # version 1 had no such field
        assert load_record(stored_v1, ImpedimentEvent) == event
    withdrawal = withdrawn_and_asked_again()[1]
    assert dump_record(withdrawal)["$version"] == 2
    assert dump_record(withdrawal)["withdraws_help"] is True
    assert load_record(dump_record(withdrawal), ImpedimentEvent) == withdrawal


# ---------------------------------------------------------------------- help asked only by
# a raise or an update


def test_help_from_on_an_escalation_or_a_resolution_is_refused_in_new_events() -> None:
    # it used to be accepted and silently ignored
    events = [
        HISTORY[0],
        ev("e2", "imp1", A.ESCALATED, D(2027, 1, 12), escalated_to="maria", help_from="chen"),
        ev("e3", "imp1", A.RESOLVED, D(2027, 1, 18), help_from="omar"),
        ev("e4", "imp9", A.RESOLVED, D(2027, 1, 18), help_from="omar"),  # and never raised
    ]
    with pytest.raises(ValidationError) as info:
        impediments_as_of(events)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$[1].help_from", "only a raise or an update can ask for help, not an escalation"),
        ("$[2].help_from", "only a raise or an update can ask for help, not a resolution"),
        ("$[3].impediment_id", "impediment 'imp9' does not exist"),
        ("$[3].help_from", "only a raise or an update can ask for help, not a resolution"),
    ]


def test_a_stored_history_with_help_from_on_a_resolution_reads_as_before() -> None:
    # stored before the rule: the log folds it, ignoring the help_from, as it always did
    events = [
        HISTORY[0],
        ev("e2", "imp1", A.ESCALATED, D(2027, 1, 12), escalated_to="maria", help_from="chen"),
        ev("e3", "imp1", A.RESOLVED, D(2027, 1, 18), help_from="omar"),
    ]
    ignored = [attrs.evolve(e, help_from=None) for e in events[1:]]
    log = CheckinLog.from_records(impediment_events=events)
    for day in (11, 12, 17, 18, 30):
        imp = log.impediment("imp1", D(2027, 1, day))
        assert imp is not None
        expected = impediments_as_of([HISTORY[0], *ignored], D(2027, 1, day))["imp1"]
        assert imp == attrs.evolve(expected, events=imp.events)
        assert [e.id for e in imp.events] == [e.id for e in expected.events]
        # the resolution on the 18th ends the request (its own help_from is ignored)
        asking = "omar" if day < 18 else None
        assert (imp.help_from, imp.requests_help) == (asking, day < 18)
    assert not log.impediment("imp1", D(2027, 1, 18)).is_open  # type: ignore[union-attr]


def test_fields_an_action_ignores_are_refused_in_new_events() -> None:
    # a severity on an escalation or a resolution, an escalated_to elsewhere: silently dropped
    events = [
        HISTORY[0],
        ev("e2", "imp1", A.UPDATED, D(2027, 1, 12), escalated_to="maria"),
        ev("e3", "imp1", A.ESCALATED, D(2027, 1, 13), escalated_to="maria", severity=Severity.HIGH),
        ev("e4", "imp1", A.RESOLVED, D(2027, 1, 18), severity=Severity.LOW, escalated_to="x"),
        ev("e5", "imp2", A.RAISED, D(2027, 1, 19), node_id="t1", severity=Severity.LOW),
        ev("e6", "imp2", A.UPDATED, D(2027, 1, 20), node_id="t2"),
    ]
    with pytest.raises(ValidationError) as info:
        impediments_as_of(events)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("$[1].escalated_to", "only an escalation names whom it goes to, not an update"),
        ("$[2].severity", "only a raise or an update gives a severity, not an escalation"),
        ("$[3].severity", "only a raise or an update gives a severity, not a resolution"),
        ("$[3].escalated_to", "only an escalation names whom it goes to, not a resolution"),
        ("$[5].node_id", "only a raise names the blocked node, not an update"),
    ]
    log = CheckinLog.from_records(impediment_events=events)  # stored: read as always
    resolved = log.impediment("imp1", D(2027, 1, 30))
    assert resolved is not None
    assert resolved.resolved_on == D(2027, 1, 18)
