"""Appending check-in records keeps the history loadable: what would break it is refused whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins._checkin_records import D, maria_checkin, monday_cadence
from workplan_core.cascade import Status
from workplan_core.checkins import (
    CheckIn,
    CheckinLog,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    StatusUpdate,
)
from workplan_core.errors import ConflictError, ValidationError
from workplan_core.serialization import dump_record
from workplan_core.storage import Put, Store
from workplan_core.workspace import (
    CHECKIN_SECTIONS,
    EVENT_ID_CLAIMS,
    IMPEDIMENT_HEADS,
    MIGRATIONS_COLLECTION,
    UPDATE_ID_CLAIMS,
    Workspace,
)

ALL_COLLECTIONS = [
    *(section.collection for section in CHECKIN_SECTIONS),
    UPDATE_ID_CLAIMS,
    EVENT_ID_CLAIMS,
    IMPEDIMENT_HEADS,
    MIGRATIONS_COLLECTION,
]
A = ImpedimentAction
MONDAY = D(2027, 1, 4)


def update(update_id: str, on: dt.date = MONDAY, node: str = "t1") -> StatusUpdate:
    return StatusUpdate(update_id, node, on, "anna", Status.ON_TRACK, progress=0.5)


def event(
    event_id: str, action: ImpedimentAction, impediment: str = "imp", on: dt.date = MONDAY
) -> ImpedimentEvent:
    if action is A.RAISED:
        return ImpedimentEvent(event_id, impediment, action, on, "anna", "t1", "", Severity.LOW)
    escalated_to = "omar" if action is A.ESCALATED else None
    return ImpedimentEvent(event_id, impediment, action, on, "anna", escalated_to=escalated_to)


def checkin(
    checkin_id: str,
    updates: tuple[StatusUpdate, ...] = (),
    events: tuple[ImpedimentEvent, ...] = (),
    on: dt.date = MONDAY,
) -> CheckIn:
    return maria_checkin(checkin_id, on, updates=updates, impediments=events)


def _last_seq(store: Store) -> int:
    return max((change.seq for change in store.changes()), default=0)


def _declarations(store: Store) -> dict[str, tuple[str, ...]]:
    return {collection: store.indexed_fields(collection) for collection in ALL_COLLECTIONS}


@contextmanager
def nothing_written(workspace: Workspace) -> Iterator[None]:
    """The block changes no record and no declaration (its refusal is checked by the caller)."""
    store = workspace.store
    seq, declared = _last_seq(store), _declarations(store)
    yield
    assert list(store.changes(seq)) == []
    assert _declarations(store) == declared


def refused(workspace: Workspace, error: type[Exception], **records: Any) -> Any:
    """The error `append_checkins(**records)` raises; it wrote nothing and declared nothing."""
    with nothing_written(workspace), pytest.raises(error) as info:
        workspace.append_checkins(**records)
    workspace.load_checkin_log()  # still loads
    return info.value


# ---------------------------------------------------------------- ids reused across appends


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"checkins": [checkin("ci-a", (update("u-x"),))]},
            {"checkins": [checkin("ci-b", (update("u-x"),))]},
        ),
        ({"checkins": [checkin("ci-a", (update("u-x"),))]}, {"updates": [update("u-x")]}),
        ({"updates": [update("u-x")]}, {"checkins": [checkin("ci-b", (update("u-x"),))]}),
    ],
    ids=["in-checkin-twice", "in-checkin-then-alone", "alone-then-in-checkin"],
)
def test_an_update_id_reused_in_a_later_append_conflicts(
    url: str, first: dict[str, Any], second: dict[str, Any]
) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(**first)
        error = refused(workspace, ConflictError, **second)
        assert (UPDATE_ID_CLAIMS, "u-x") in error.conflicts
        assert len(list(workspace.load_checkin_log().timeline("t1").history())) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"checkins": [checkin("ci-a", events=(event("e-x", A.RAISED),))]},
            {"checkins": [checkin("ci-b", events=(event("e-x", A.RAISED, "other"),))]},
        ),
        (
            {"checkins": [checkin("ci-a", events=(event("e-x", A.RAISED),))]},
            {"impediment_events": [event("e-x", A.RESOLVED)]},
        ),
        (
            {"impediment_events": [event("e-x", A.RAISED)]},
            {"checkins": [checkin("ci-b", events=(event("e-x", A.RAISED, "other"),))]},
        ),
    ],
    ids=["in-checkin-twice", "in-checkin-then-alone", "alone-then-in-checkin"],
)
def test_an_impediment_event_id_reused_in_a_later_append_conflicts(
    url: str, first: dict[str, Any], second: dict[str, Any]
) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(**first)
        error = refused(workspace, ConflictError, **second)
        assert (EVENT_ID_CLAIMS, "e-x") in error.conflicts
        log = workspace.load_checkin_log()
        assert [i.id for i in log.all_impediments(D(2027, 2, 1))] == ["imp"]


def test_a_stored_record_id_still_conflicts_by_its_own_key(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(
            cadences=[monday_cadence("c")], checkins=[checkin("ci-a")], updates=[update("u1")]
        )
        error = refused(
            workspace,
            ConflictError,
            cadences=[monday_cadence("c")],
            checkins=[checkin("ci-a")],
            updates=[update("u1")],
        )
        assert set(error.conflicts) == {
            ("checkins.cadences", "c"),
            ("checkins.checkins", "ci-a"),
            ("checkins.updates", "u1"),
            (UPDATE_ID_CLAIMS, "u1"),
        }


# ---------------------------------------------------------------- wrong kinds of records


@pytest.mark.parametrize(
    ("records", "paths"),
    [
        ({"updates": [checkin("ci-1")]}, ["$.updates[0]"]),
        ({"updates": update("u1")}, ["$.updates"]),
        ({"updates": [{"id": "x"}]}, ["$.updates[0]"]),
        ({"updates": {"id": "x"}}, ["$.updates"]),
        ({"checkins": "ci-1"}, ["$.checkins"]),
        (
            {"cadences": [checkin("ci-1")], "impediment_events": [update("u1"), 3]},
            ["$.cadences[0]", "$.impediment_events[0]", "$.impediment_events[1]"],
        ),
        ({"checkins": [checkin("ci-1"), None]}, ["$.checkins[1]"]),
    ],
)
def test_records_of_the_wrong_kind_are_refused_at_their_paths(
    url: str, records: dict[str, Any], paths: list[str]
) -> None:
    with Workspace.open(url) as workspace:
        error = refused(workspace, ValidationError, **records)
        assert [problem.path for problem in error.problems] == paths
        assert "must be" in str(error)


# ---------------------------------------------------------------- duplicates in one call


def test_duplicate_ids_in_one_call_are_named_at_the_callers_paths(url: str) -> None:
    with Workspace.open(url) as workspace:
        error = refused(
            workspace,
            ValidationError,
            cadences=[monday_cadence("c"), monday_cadence("c")],
            checkins=[
                checkin("ci-1", (update("u1"),), (event("e1", A.RAISED),)),
                checkin("ci-1", (update("u2"),)),
            ],
            updates=[update("u1")],
            impediment_events=[event("e1", A.RESOLVED)],
        )
        assert [problem.path for problem in error.problems] == [
            "$.cadences[1].id",
            "$.checkins[1].id",
            "$.updates[0].id",
            "$.impediment_events[0].id",
        ]
        assert "'u1' (as $.checkins[0].updates[0].id)" in str(error)


def test_ids_that_cannot_be_keys_are_named_at_the_callers_paths(url: str) -> None:
    with Workspace.open(url) as workspace:
        error = refused(
            workspace,
            ValidationError,
            checkins=[checkin("ci-1", (update(""),), (event("e1", A.RAISED, "x" * 2000),))],
        )
        assert [problem.path for problem in error.problems] == [
            "$.checkins[0].updates[0].id",
            "$.checkins[0].impediments[0].impediment_id",
        ]


# ---------------------------------------------------------------- the impediment lifecycle


@pytest.mark.parametrize("action", [A.RESOLVED, A.UPDATED, A.ESCALATED])
def test_changing_an_impediment_never_raised_is_refused(url: str, action: ImpedimentAction) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(impediment_events=[event("e0", A.RAISED, "other")])
        error = refused(workspace, ValidationError, impediment_events=[event("e1", action)])
        assert [str(p) for p in error.problems] == [
            "$.impediment_events[0].impediment_id: impediment 'imp' does not exist"
        ]
        error = refused(
            workspace, ValidationError, checkins=[checkin("ci", events=(event("e1", action),))]
        )
        assert [p.path for p in error.problems] == ["$.checkins[0].impediments[0].impediment_id"]


def test_the_lifecycle_is_checked_with_the_stored_history(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(
            checkins=[checkin("ci-1", events=(event("e1", A.RAISED, on=D(2027, 1, 4)),))]
        )
        workspace.append_checkins(impediment_events=[event("e2", A.ESCALATED, on=D(2027, 1, 5))])
        workspace.append_checkins(
            checkins=[checkin("ci-2", events=(event("e3", A.RESOLVED, on=D(2027, 1, 6)),))]
        )
        error = refused(
            workspace, ValidationError, impediment_events=[event("e4", A.UPDATED, on=D(2027, 1, 7))]
        )
        assert [str(p) for p in error.problems] == [
            "$.impediment_events[0].action: impediment 'imp' is already resolved"
        ]
        error = refused(
            workspace,
            ValidationError,
            impediment_events=[event("e0", A.RESOLVED, on=D(2027, 1, 3))],
        )
        assert [p.path for p in error.problems] == ["$.impediment_events[0].on"]
        error = refused(  # a raise before the stored raise makes the stored one a second raise
            workspace, ValidationError, impediment_events=[event("e5", A.RAISED, on=D(2027, 1, 1))]
        )
        assert [p.path for p in error.problems] == ["$.impediment_events[0]"]
        assert "stored event 'e1'" in str(error)
        impediment = workspace.load_checkin_log().impediment("imp", D(2027, 2, 1))
        assert impediment is not None
        assert impediment.resolved_on == D(2027, 1, 6)
        assert impediment.escalated_to == "omar"


def test_a_raise_and_its_changes_may_come_in_one_call(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(
            checkins=[checkin("ci-2", events=(event("e2", A.RESOLVED, on=D(2027, 1, 5)),))],
            impediment_events=[event("e1", A.RAISED)],
        )
        assert not workspace.load_checkin_log().all_impediments(D(2027, 2, 1))[0].is_open


class _Interleaved:
    """A store that lets another writer append after a check read the history, before its write."""

    def __init__(self, store: Store, meanwhile: Any) -> None:
        self._store, self._meanwhile = store, meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def write(self, writes: Any) -> Any:
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            meanwhile()
        return self._store.write(writes)


def test_concurrent_appends_to_one_impediment_conflict(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(impediment_events=[event("e1", A.RAISED)])
        store = workspace.store

        def other_writer() -> None:
            Workspace(store).append_checkins(
                impediment_events=[event("e2", A.RESOLVED, on=D(2027, 1, 5))]
            )

        racing = Workspace(_Interleaved(store, other_writer))  # type: ignore[arg-type]
        with pytest.raises(ConflictError) as info:  # both resolving would break the history
            racing.append_checkins(impediment_events=[event("e3", A.RESOLVED, on=D(2027, 1, 6))])
        assert info.value.conflicts == ((IMPEDIMENT_HEADS, "imp"),)
        impediment = workspace.load_checkin_log().impediment("imp", D(2027, 2, 1))
        assert impediment is not None
        assert impediment.resolved_on == D(2027, 1, 5)


# ---------------------------------------------------------------- stores from before the claims


def test_a_store_written_before_the_claims_gets_them_on_its_next_append(url: str) -> None:
    cadences, checkins, updates, events = (section.collection for section in CHECKIN_SECTIONS)
    old = checkin("ci-old", (update("u-old"),), (event("e-old", A.RAISED),))
    with Workspace.open(url) as workspace:
        store = workspace.store
        for section in CHECKIN_SECTIONS:
            store.declare(section.collection, indexed=section.indexed)
        store.write(
            [
                Put(cadences, "c", dump_record(monday_cadence("c"))),
                Put(checkins, "ci-old", dump_record(old)),
                Put(updates, "u-alone", dump_record(update("u-alone", node="t2"))),
                Put(events, "e-alone", dump_record(event("e-alone", A.RAISED, "imp2"))),
            ]
        )
        error = refused(workspace, ConflictError, updates=[update("u-old", D(2027, 1, 5))])
        assert error.conflicts == ((UPDATE_ID_CLAIMS, "u-old"),)
        refused(workspace, ValidationError, impediment_events=[event("e9", A.RAISED, "imp2")])
        refused(
            workspace,
            ConflictError,
            checkins=[checkin("ci-new", events=(event("e-alone", A.RESOLVED, "imp2"),))],
        )
        assert store.get(UPDATE_ID_CLAIMS, "u-old") is None  # nothing backfilled yet
        workspace.append_checkins(
            impediment_events=[event("e-fix", A.RESOLVED, on=D(2027, 1, 6))],
            updates=[update("u-new", D(2027, 1, 6))],
        )
        claims = {r.key: r.record for r in store.scan(UPDATE_ID_CLAIMS)}
        assert claims == {
            "u-alone": {"$type": "checkins.update_id", "$version": 1, "in_checkin": None},
            "u-new": {"$type": "checkins.update_id", "$version": 1, "in_checkin": None},
            "u-old": {"$type": "checkins.update_id", "$version": 1, "in_checkin": "ci-old"},
        }
        assert [r.key for r in store.scan(EVENT_ID_CLAIMS)] == ["e-alone", "e-fix", "e-old"]
        assert store.get(MIGRATIONS_COLLECTION, "checkins.claims") is not None
        refused(workspace, ConflictError, checkins=[checkin("ci-2", (update("u-alone"),))])
        refused(workspace, ValidationError, impediment_events=[event("e10", A.UPDATED)])
        log = workspace.load_checkin_log()
        assert log.impediment("imp", D(2027, 2, 1)).resolved_on == D(2027, 1, 6)  # type: ignore[union-attr]
        assert log.impediment("imp2", D(2027, 2, 1)).is_open  # type: ignore[union-attr]


def test_the_claims_are_not_part_of_the_loaded_log(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(
            checkins=[checkin("ci", (update("u1"),), (event("e1", A.RAISED),))]
        )
        log = workspace.load_checkin_log()
    assert list(log.checkins) == ["ci"]
    assert list(log.node_ids()) == ["t1"]


# ---------------------------------------------------------------- any sequence of appends

DAYS = st.builds(lambda n: D(2027, 1, 4) + dt.timedelta(days=n), st.integers(0, 3))
UPDATES = st.builds(
    update, st.sampled_from(["u0", "u1", "u2", "u3"]), DAYS, st.sampled_from(["t1", "t2"])
)
EVENTS = st.builds(
    event,
    st.sampled_from(["e0", "e1", "e2", "e3", "e4"]),
    st.sampled_from(list(ImpedimentAction)),
    st.sampled_from(["i0", "i1"]),
    DAYS,
)
CHECKINS = st.builds(
    checkin,
    st.sampled_from(["ci0", "ci1", "ci2"]),
    st.lists(UPDATES, max_size=2).map(tuple),
    st.lists(EVENTS, max_size=2).map(tuple),
    DAYS,
)
APPENDS = st.fixed_dictionaries(
    {
        "cadences": st.lists(st.builds(monday_cadence, st.sampled_from(["c0", "c1"])), max_size=1),
        "checkins": st.lists(CHECKINS, max_size=2),
        "updates": st.lists(UPDATES, max_size=2),
        "impediment_events": st.lists(EVENTS, max_size=2),
    }
)


def _summary(log: CheckinLog) -> Any:
    as_of = D(2027, 2, 1)
    return (
        dict(log.cadences),
        dict(log.checkins),
        {
            node: sorted(log.timeline(node).history(), key=lambda u: (u.on, u.id))  # type: ignore[union-attr]
            for node in log.node_ids()
        },
        sorted(log.all_impediments(as_of), key=lambda i: i.id),
        [
            sorted(log.all_impediments(D(2027, 1, 4) + dt.timedelta(days=n)), key=lambda i: i.id)
            for n in range(4)
        ],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(APPENDS, min_size=1, max_size=6))
def test_any_sequence_of_appends_leaves_a_loadable_log_of_exactly_those_accepted(
    appends: list[dict[str, list[Any]]],
) -> None:
    accepted: dict[str, list[Any]] = {
        "cadences": [],
        "checkins": [],
        "updates": [],
        "impediment_events": [],
    }
    with Workspace.open("memory://") as workspace:
        store = workspace.store
        for records in appends:
            seq, declared = _last_seq(store), _declarations(store)
            try:
                workspace.append_checkins(**records)
            except (ConflictError, ValidationError):
                assert list(store.changes(seq)) == []
                assert _declarations(store) == declared
                continue
            for name, items in records.items():
                accepted[name].extend(items)
        log = workspace.load_checkin_log()
    by_id = {name: sorted(items, key=lambda r: r.id) for name, items in accepted.items()}
    expected = CheckinLog.from_records(**by_id)
    assert _summary(log) == _summary(expected)
