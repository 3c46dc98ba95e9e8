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
    CORRECTION_HEADS,
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
    CORRECTION_HEADS,
    MIGRATIONS_COLLECTION,
]
A = ImpedimentAction
MONDAY = D(2027, 1, 4)


def update(
    update_id: str,
    on: dt.date = MONDAY,
    node: str = "t1",
    corrects: str | None = None,
    progress: float = 0.5,
) -> StatusUpdate:
    return StatusUpdate(
        update_id, node, on, "anna", Status.ON_TRACK, progress=progress, corrects=corrects
    )


def fix(update_id: str, corrects: str, on: dt.date, node: str = "t1") -> StatusUpdate:
    """A correction of `corrects`, its progress telling it apart (0.1 … by its id's digit)."""
    return update(update_id, on, node, corrects, progress=0.1 * (len(update_id) % 9))


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
        (
            {"impediment_events": [event("e-x", A.RAISED)]},
            {"impediment_events": [event("e-x", A.RAISED, "other", on=D(2027, 1, 3))]},
        ),
    ],
    ids=["in-checkin-twice", "in-checkin-then-alone", "alone-then-in-checkin", "dated-earlier"],
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
        assert [str(p) for p in error.problems] == [
            "$.impediment_events[0]: makes the stored event 'e1' inconsistent: impediment_id: "
            "'imp' already raised"
        ]
        error = refused(  # each new event's own problems at its own path
            workspace,
            ValidationError,
            impediment_events=[
                event("e6", A.RESOLVED, "imp9"),
                event("e7", A.RESOLVED, on=D(2027, 1, 7)),
            ],
        )
        assert [str(p) for p in error.problems] == [
            "$.impediment_events[0].impediment_id: impediment 'imp9' does not exist",
            "$.impediment_events[1].action: impediment 'imp' is already resolved",
        ]
        impediment = workspace.load_checkin_log().impediment("imp", D(2027, 2, 1))
        assert impediment is not None
        assert impediment.resolved_on == D(2027, 1, 6)
        assert impediment.escalated_to == "omar"


def test_help_from_on_an_escalation_or_a_resolution_is_refused(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(impediment_events=[event("e1", A.RAISED)])
        asking = ImpedimentEvent(
            "e2", "imp", A.ESCALATED, D(2027, 1, 5), "maria", escalated_to="chen", help_from="dana"
        )
        error = refused(
            workspace,
            ValidationError,
            impediment_events=[asking],
            checkins=[
                checkin(
                    "ci",
                    events=(
                        ImpedimentEvent(
                            "e3", "imp", A.RESOLVED, D(2027, 1, 6), "anna", help_from="omar"
                        ),
                    ),
                    on=D(2027, 1, 6),
                )
            ],
        )
        assert _problems(error) == [  # in the order written: check-ins before events alone
            (
                "$.checkins[0].impediments[0].help_from",
                "only a raise or an update can ask for help, not a resolution",
            ),
            (
                "$.impediment_events[0].help_from",
                "only a raise or an update can ask for help, not an escalation",
            ),
        ]


def test_a_help_from_stored_on_a_resolution_before_the_rule_still_loads(url: str) -> None:
    # stored by an earlier release, which accepted and ignored it: the history loads, reads as
    # before, and later appends are checked against it without blaming it on them
    stored = [
        event("e1", A.RAISED),
        ImpedimentEvent(
            "e2", "imp", A.ESCALATED, D(2027, 1, 5), "maria", escalated_to="chen", help_from="dana"
        ),
        ImpedimentEvent("e3", "imp", A.RESOLVED, D(2027, 1, 6), "anna", help_from="omar"),
    ]
    with Workspace.open(url) as workspace:
        store = workspace.store
        for section in CHECKIN_SECTIONS:
            store.declare(section.collection, indexed=section.indexed)
        collection = CHECKIN_SECTIONS[3].collection
        store.write([Put(collection, e.id, dump_record(e)) for e in stored])
        impediment = workspace.load_checkin_log().impediment("imp", D(2027, 2, 1))
        assert impediment is not None
        assert (impediment.resolved_on, impediment.escalated_to) == (D(2027, 1, 6), "chen")
        error = refused(
            workspace, ValidationError, impediment_events=[event("e4", A.UPDATED, on=D(2027, 1, 7))]
        )
        assert [str(p) for p in error.problems] == [
            "$.impediment_events[0].action: impediment 'imp' is already resolved"
        ]
        workspace.append_checkins(impediment_events=[event("e5", A.RAISED, "imp2")])
        assert len(workspace.load_checkin_log().all_impediments(D(2027, 2, 1))) == 2


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
        claim = {"$type": "checkins.update_id", "$version": 1, "root": None}
        assert claims == {
            "u-alone": {**claim, "in_checkin": None, "node_id": "t2", "on": "2027-01-04"},
            "u-new": {**claim, "in_checkin": None, "node_id": "t1", "on": "2027-01-06"},
            "u-old": {**claim, "in_checkin": "ci-old", "node_id": "t1", "on": "2027-01-04"},
        }
        assert [r.key for r in store.scan(EVENT_ID_CLAIMS)] == ["e-alone", "e-fix", "e-old"]
        assert store.get(MIGRATIONS_COLLECTION, "checkins.claims") is not None
        refused(workspace, ConflictError, checkins=[checkin("ci-2", (update("u-alone"),))])
        # the stored events are seen through the backfilled claims: imp is resolved on the 6th
        refused(
            workspace,
            ValidationError,
            impediment_events=[event("e10", A.UPDATED, on=D(2027, 1, 7))],
        )
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


# ---------------------------------------------------------------- corrections

TUE, WED, THU = D(2027, 1, 5), D(2027, 1, 6), D(2027, 1, 7)


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    return [(problem.path, problem.message) for problem in error.problems]


def test_a_correction_of_an_unknown_update_is_refused(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1")])
        error = refused(workspace, ValidationError, updates=[fix("f1", "nope", TUE)])
        assert _problems(error) == [("$.updates[0].corrects", "no update 'nope' to correct")]
        error = refused(  # naming a correction that comes later in the call
            workspace,
            ValidationError,
            checkins=[checkin("ci", (fix("f2", "f3", TUE),))],
            updates=[fix("f3", "u1", TUE)],
        )
        assert [p for p, _ in _problems(error)] == ["$.checkins[0].updates[0].corrects"]
        refused(workspace, ValidationError, updates=[fix("f4", "f4", TUE)])  # itself


def test_a_correction_of_another_nodes_update_is_refused(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1", node="t2")])
        error = refused(
            workspace, ValidationError, checkins=[checkin("ci", (fix("f1", "u1", TUE),))]
        )
        assert [p for p, _ in _problems(error)] == ["$.checkins[0].updates[0].corrects"]
        assert "node 't2'" in str(error)
        refused(  # within one call
            workspace,
            ValidationError,
            updates=[update("u2", node="t2"), fix("f2", "u2", TUE)],
        )


def test_a_correction_before_the_version_it_corrects_is_refused(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1", TUE)])
        error = refused(workspace, ValidationError, updates=[fix("f1", "u1", MONDAY)])
        assert _problems(error) == [
            (
                "$.updates[0].on",
                "a correction must not be recorded before 2027-01-05 (the day of 'u1', the "
                "update it corrects)",
            )
        ]
        workspace.append_checkins(updates=[fix("f1", "u1", THU)])
        # before the latest correction, whether it names the original or a correction
        for corrects in ("u1", "f1"):
            error = refused(
                workspace,
                ValidationError,
                checkins=[checkin("ci", (fix("f2", corrects, WED),))],
            )
            assert [p for p, _ in _problems(error)] == ["$.checkins[0].updates[0].on"]
            assert "'f1', the latest version of 'u1'" in str(error)
        # within one call: an original and its corrections, in argument order
        refused(workspace, ValidationError, updates=[update("u2", WED), fix("f3", "u2", TUE)])
        refused(
            workspace,
            ValidationError,
            updates=[update("u2"), fix("f3", "u2", THU), fix("f4", "u2", WED)],
        )
        refused(
            workspace,
            ValidationError,
            updates=[fix("f3", "f1", THU), fix("f4", "f3", WED)],
        )


def test_a_chain_of_corrections_across_appends_loads_with_its_latest_version(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1")])
        workspace.append_checkins(checkins=[checkin("ci-1", (fix("f1", "u1", TUE),))])
        workspace.append_checkins(updates=[fix("f2", "f1", TUE), fix("f3", "f2", WED)])
        workspace.append_checkins(
            checkins=[checkin("ci-2", (update("u2", THU), fix("f4", "u2", THU)))],
            updates=[fix("f5", "u1", THU)],
        )
        store = workspace.store
        assert store.get(UPDATE_ID_CLAIMS, "f3").record["root"] == "u1"  # type: ignore[index]
        assert store.get(UPDATE_ID_CLAIMS, "u1").record["root"] is None  # type: ignore[index]
        heads = {r.key: r.record for r in store.scan(CORRECTION_HEADS)}
        assert heads == {
            "u1": {
                "$type": "checkins.correction_head",
                "$version": 1,
                "latest": "f5",
                "on": "2027-01-07",
                "order": [1, "f5", 0],
            },
            "u2": {
                "$type": "checkins.correction_head",
                "$version": 1,
                "latest": "f4",
                "on": "2027-01-07",
                "order": [0, "ci-2", 1],
            },
        }
        timeline = workspace.load_checkin_log().timeline("t1")
        assert timeline is not None
        assert [u.id for u in timeline.history()] == ["f5", "f4"]
        assert [u.id for u in timeline.history(WED)] == ["f3"]


def test_concurrent_corrections_of_one_update_conflict(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1")])
        store = workspace.store

        def other_writer() -> None:
            Workspace(store).append_checkins(updates=[fix("f-late", "u1", THU)])

        racing = Workspace(_Interleaved(store, other_writer))  # type: ignore[arg-type]
        with pytest.raises(ConflictError) as info:  # it would be dated before f-late
            racing.append_checkins(updates=[fix("f-early", "u1", TUE)])
        assert info.value.conflicts == ((CORRECTION_HEADS, "u1"),)
        timeline = workspace.load_checkin_log().timeline("t1")
        assert timeline is not None
        assert [u.id for u in timeline.history()] == ["f-late"]


def test_a_store_written_before_the_claims_gets_them_with_its_corrections(url: str) -> None:
    _, checkins, updates, _ = (section.collection for section in CHECKIN_SECTIONS)
    with Workspace.open(url) as workspace:
        store = workspace.store
        for section in CHECKIN_SECTIONS:
            store.declare(section.collection, indexed=section.indexed)
        old = checkin("ci-old", (update("u-old"), fix("f-old", "u-old", TUE)))
        store.write(
            [
                Put(checkins, "ci-old", dump_record(old)),
                Put(updates, "f-alone", dump_record(fix("f-alone", "f-old", WED))),
                Put(updates, "u-t2", dump_record(update("u-t2", node="t2"))),
            ]
        )
        refused(workspace, ValidationError, updates=[fix("f1", "f-old", TUE)])  # before f-alone
        refused(workspace, ValidationError, updates=[fix("f1", "u-t2", TUE)])  # another node
        refused(
            workspace,
            ValidationError,
            updates=[fix("f1", "u-t2", TUE, node="t2"), fix("f2", "f-alone", TUE)],
        )
        assert store.get(MIGRATIONS_COLLECTION, "checkins.claims") is None
        workspace.append_checkins(updates=[fix("f1", "f-alone", THU)])
        claims = {r.key: (r.record or {})["root"] for r in store.scan(UPDATE_ID_CLAIMS)}
        assert claims == {
            "f-alone": "u-old",
            "f-old": "u-old",
            "f1": "u-old",
            "u-old": None,
            "u-t2": None,
        }
        head = store.get(CORRECTION_HEADS, "u-old")
        assert head is not None
        assert (head.record or {})["latest"] == "f1"
        assert store.get(MIGRATIONS_COLLECTION, "checkins.claims") is not None
        refused(workspace, ValidationError, updates=[fix("f2", "f-old", WED)])
        workspace.append_checkins(updates=[fix("f2", "u-t2", TUE, node="t2")])
        log = workspace.load_checkin_log()
        assert [u.id for u in log.timeline("t1").history()] == ["f1"]  # type: ignore[union-attr]
        assert [u.id for u in log.timeline("t2").history()] == ["f2"]  # type: ignore[union-attr]


def test_backfilled_heads_follow_the_order_a_loaded_log_applies(url: str) -> None:
    # two stored corrections of one day: a loaded log applies them in the order written
    _, checkins, updates, _ = (section.collection for section in CHECKIN_SECTIONS)
    with Workspace.open(url) as workspace:
        store = workspace.store
        store.write(
            [
                Put(updates, "u1", dump_record(update("u1"))),
                Put(checkins, "z-ci", dump_record(checkin("z-ci", (fix("z-fix", "u1", TUE),)))),
                Put(updates, "a-fix", dump_record(fix("a-fix", "u1", TUE))),
            ]
        )
        assert [u.id for u in workspace.load_checkin_log().timeline("t1").history()] == ["a-fix"]  # type: ignore[union-attr]
        workspace.append_checkins(cadences=[monday_cadence("c")])
        head = store.get(CORRECTION_HEADS, "u1")
        assert head is not None
        assert (head.record or {})["latest"] == "a-fix"
        refused(workspace, ValidationError, checkins=[checkin("ci", (fix("f", "u1", MONDAY),))])
        workspace.append_checkins(checkins=[checkin("ci", (fix("f", "u1", TUE),))])
        assert [u.id for u in workspace.load_checkin_log().timeline("t1").history()] == ["f"]  # type: ignore[union-attr]


def test_a_claim_written_without_the_correction_fields_is_refused_not_crashed_on(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1")])
        store = workspace.store
        stored = store.get(UPDATE_ID_CLAIMS, "u1")
        assert stored is not None
        bare = {"$type": "checkins.update_id", "$version": 1, "in_checkin": None}
        store.write([Put(UPDATE_ID_CLAIMS, "u1", bare, stored.version)])
        error = refused(workspace, ValidationError, updates=[fix("f1", "u1", TUE)])
        assert [p for p, _ in _problems(error)] == ["$.updates[0].corrects"]


# ---------------------------------------------------------------- any sequence of appends

DAYS = st.builds(lambda n: D(2027, 1, 4) + dt.timedelta(days=n), st.integers(0, 3))
ORIGINALS = st.builds(
    update, st.sampled_from(["u0", "u1", "u2", "u3"]), DAYS, st.sampled_from(["t1", "t2"])
)
FIXES = st.builds(  # corrections, valid or not: of originals or of corrections, any day, node
    update,
    st.sampled_from(["f0", "f1", "f2", "f3", "f4"]),
    DAYS,
    st.sampled_from(["t1", "t1", "t1", "t2"]),
    st.sampled_from(["u0", "u0", "u1", "f0", "f1", "f2", "nope"]),
)
UPDATES = st.one_of(ORIGINALS, FIXES)
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
        {  # in the order applied: on one day, in the order appended
            node: list(log.timeline(node).history())  # type: ignore[union-attr]
            for node in log.node_ids()
        },
        {node: log.timeline(node).latest() for node in log.node_ids()},  # type: ignore[union-attr]
        {cadence_id: log.held(cadence_id) for cadence_id in log.cadences},
        sorted(log.all_impediments(as_of), key=lambda i: i.id),
        [
            sorted(log.all_impediments(D(2027, 1, 4) + dt.timedelta(days=n)), key=lambda i: i.id)
            for n in range(4)
        ],
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(APPENDS, min_size=1, max_size=6))
def test_any_sequence_of_appends_leaves_a_loadable_log_of_exactly_those_accepted(
    appends: list[dict[str, list[Any]]],
) -> None:
    _check_appends(appends)


CORRECTING = st.fixed_dictionaries(  # updates only, so that corrections are often accepted
    {
        "checkins": st.lists(
            st.builds(
                checkin,
                st.sampled_from(["ci0", "ci1", "ci2", "ci3"]),
                st.lists(UPDATES, max_size=2).map(tuple),
            ),
            max_size=1,
        ),
        "updates": st.lists(UPDATES, max_size=3),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CORRECTING, min_size=1, max_size=8))
def test_any_sequence_of_corrections_leaves_a_loadable_log_of_exactly_those_accepted(
    appends: list[dict[str, list[Any]]],
) -> None:
    _check_appends(appends)


def _check_appends(appends: list[dict[str, list[Any]]]) -> None:
    # the accepted records, in the order appended: each call's check-ins (with what they
    # carry), then its updates alone, then its events alone
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
            meetings = records.get("checkins", [])
            accepted["cadences"] += records.get("cadences", [])
            accepted["checkins"] += meetings
            accepted["updates"] += [u for m in meetings for u in m.updates]
            accepted["updates"] += records.get("updates", [])
            accepted["impediment_events"] += [e for m in meetings for e in m.impediments]
            accepted["impediment_events"] += records.get("impediment_events", [])
        log = workspace.load_checkin_log()
    expected = CheckinLog.from_records(**accepted, carried=False)
    assert _summary(log) == _summary(expected)
