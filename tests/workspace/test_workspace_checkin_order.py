"""Records of one day are applied in the order they were appended, whatever their ids.

A loaded log equals the log grown with the `add_*` methods while appending, and an append
checks its records against the stored ones in that order: a follow-up recorded the same day
is never refused because its id sorts before the record it follows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from checkins._checkin_records import maria_checkin
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

A = ImpedimentAction
DAY = dt.date(2027, 1, 4)
NEXT = dt.date(2027, 1, 5)


def update(
    update_id: str,
    progress: float,
    node: str = "n1",
    on: dt.date = DAY,
    corrects: str | None = None,
) -> StatusUpdate:
    return StatusUpdate(
        update_id, node, on, "ann", Status.ON_TRACK, progress=progress, corrects=corrects
    )


def raised(event_id: str, impediment: str = "imp-1") -> ImpedimentEvent:
    return ImpedimentEvent(
        event_id, impediment, A.RAISED, DAY, "ann", "n1", "blocked", Severity.LOW
    )


def resolved(event_id: str, impediment: str = "imp-1") -> ImpedimentEvent:
    return ImpedimentEvent(event_id, impediment, A.RESOLVED, DAY, "bob", description="fixed")


def checkin(
    checkin_id: str,
    updates: tuple[StatusUpdate, ...] = (),
    events: tuple[ImpedimentEvent, ...] = (),
) -> CheckIn:
    return maria_checkin(checkin_id, DAY, updates=updates, impediments=events)


def append(workspace: Workspace, grown: CheckinLog, **records: Any) -> None:
    """Append `records` and grow `grown` with them, in the order the append writes them."""
    workspace.append_checkins(**records)
    for meeting in records.get("checkins", ()):
        grown.add_checkin(meeting)
    for item in records.get("updates", ()):
        grown.add_update(item)
    for item in records.get("impediment_events", ()):
        grown.add_impediment_event(item)


def history(log: CheckinLog, node: str) -> list[str]:
    timeline = log.timeline(node)
    assert timeline is not None
    return [u.id for u in timeline.history()]


def latest(log: CheckinLog, node: str) -> str:
    timeline = log.timeline(node)
    assert timeline is not None
    return timeline.latest().id


# ---------------------------------------------------------------- loading (F7)


def test_same_day_updates_load_in_the_order_appended(url: str) -> None:
    grown = CheckinLog()
    with Workspace.open(url) as workspace:
        # alone: u-10 is appended after u-9, and sorts before it
        append(workspace, grown, updates=[update("u-9", 0.2)])
        append(workspace, grown, updates=[update("u-10", 0.6)])
        # inside check-ins: ci-10 after ci-9
        append(workspace, grown, checkins=[checkin("ci-9", (update("v-1", 0.2, "n2"),))])
        append(workspace, grown, checkins=[checkin("ci-10", (update("v-2", 0.6, "n2"),))])
        # alone, then inside a check-in (whose id sorts first)
        append(workspace, grown, updates=[update("w-1", 0.2, "n3")])
        append(workspace, grown, checkins=[checkin("a-ci", (update("w-2", 0.6, "n3"),))])
        # inside a check-in, then alone
        append(workspace, grown, checkins=[checkin("z-ci", (update("x-2", 0.2, "n4"),))])
        append(workspace, grown, updates=[update("x-1", 0.6, "n4")])
        # check-ins of a cadence: held as appended, not by id
        append(workspace, grown, checkins=[maria_checkin("m-2", NEXT, "c")])
        append(workspace, grown, checkins=[maria_checkin("m-1", DAY, "c")])
        loaded = workspace.load_checkin_log()
    assert [latest(loaded, n) for n in ("n1", "n2", "n3", "n4")] == ["u-10", "v-2", "w-2", "x-1"]
    for node in ("n1", "n2", "n3", "n4"):
        assert history(loaded, node) == history(grown, node)
        assert latest(loaded, node) == latest(grown, node)
    assert loaded.held("c") == grown.held("c") == [NEXT, DAY]


def test_one_append_writes_and_loads_in_the_call_order(url: str) -> None:
    grown = CheckinLog()
    with Workspace.open(url) as workspace:
        append(
            workspace,
            grown,
            checkins=[
                checkin("ci-b", (update("u-c", 0.1),)),
                checkin("ci-a", (update("u-b", 0.2),)),
            ],
            updates=[update("u-z", 0.3), update("u-a", 0.4)],
        )
        store = workspace.store
        _, checkins, updates, _ = (section.collection for section in CHECKIN_SECTIONS)
        seqs = [store.get(c, k).seq for c, k in _keys(checkins, "ci-b", "ci-a")]  # type: ignore[union-attr]
        seqs += [store.get(c, k).seq for c, k in _keys(updates, "u-z", "u-a")]  # type: ignore[union-attr]
        assert seqs == sorted(seqs)
        loaded = workspace.load_checkin_log()
    assert history(loaded, "n1") == history(grown, "n1") == ["u-c", "u-b", "u-z", "u-a"]


def _keys(collection: str, *keys: str) -> list[tuple[str, str]]:
    return [(collection, key) for key in keys]


def test_same_day_corrections_load_in_the_order_appended(url: str) -> None:
    grown = CheckinLog()
    with Workspace.open(url) as workspace:
        append(workspace, grown, updates=[update("u-1", 0.1)])
        append(workspace, grown, updates=[update("fix-9", 0.2, on=NEXT, corrects="u-1")])
        append(workspace, grown, updates=[update("fix-10", 0.3, on=NEXT, corrects="u-1")])
        # alone, then inside a check-in whose id sorts first
        append(
            workspace,
            grown,
            checkins=[checkin("a-ci", (update("fix-8", 0.4, on=NEXT, corrects="fix-9"),))],
        )
        loaded = workspace.load_checkin_log()
        head = workspace.store.get(CORRECTION_HEADS, "u-1")
    assert history(loaded, "n1") == history(grown, "n1") == ["fix-8"]
    assert head is not None
    assert (head.record or {})["latest"] == "fix-8"


# ---------------------------------------------------------------- appending (F8)


def test_a_same_day_follow_up_is_accepted_whatever_its_id(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(impediment_events=[raised("e-9")])
        workspace.append_checkins(impediment_events=[resolved("e-10")])
        # raised inside a check-in whose id sorts after the event that resolves it
        workspace.append_checkins(checkins=[checkin("ci-1", events=(raised("ev-1", "imp-2"),))])
        workspace.append_checkins(impediment_events=[resolved("a-ev", "imp-2")])
        # raised alone, resolved inside a check-in whose id sorts first
        workspace.append_checkins(impediment_events=[raised("z-ev", "imp-3")])
        workspace.append_checkins(checkins=[checkin("a-ci", events=(resolved("a-ev2", "imp-3"),))])
        # uuid ids: their order has nothing to do with the order appended
        for n in range(8):
            imp = f"imp-u{n}"
            workspace.append_checkins(impediment_events=[raised(str(uuid.uuid4()), imp)])
            workspace.append_checkins(impediment_events=[resolved(str(uuid.uuid4()), imp)])
        loaded = workspace.load_checkin_log()
    impediments = loaded.all_impediments(DAY)
    assert len(impediments) == 11
    assert not any(impediment.is_open for impediment in impediments)


def test_same_day_events_of_one_append_are_checked_in_the_call_order(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(impediment_events=[raised("z-raise"), resolved("a-resolve")])
        workspace.append_checkins(
            checkins=[checkin("z-ci", events=(raised("e-1", "imp-2"),))],
            impediment_events=[resolved("a-1", "imp-2")],
        )
        loaded = workspace.load_checkin_log()
    assert [i.is_open for i in loaded.all_impediments(DAY)] == [False, False]


def test_a_second_same_day_correction_is_accepted(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u-1", 0.1)])
        workspace.append_checkins(updates=[update("fix-9", 0.2, on=NEXT, corrects="u-1")])
        workspace.append_checkins(updates=[update("fix-10", 0.3, on=NEXT, corrects="u-1")])
        # one call: the later correction of the day comes later in the call
        workspace.append_checkins(
            updates=[
                update("fix-z", 0.4, on=NEXT, corrects="fix-10"),
                update("fix-a", 0.5, on=NEXT, corrects="u-1"),
            ]
        )
        assert history(workspace.load_checkin_log(), "n1") == ["fix-a"]


# ---------------------------------------------------------------- conflicts told plainly (F10)


class _Interleaved:
    """A store that lets another writer append after the checks read, before the write."""

    def __init__(self, store: Store, meanwhile: Any) -> None:
        self._store, self._meanwhile = store, meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def write(self, writes: Any) -> Any:
        if self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            meanwhile()
        return self._store.write(writes)


def test_a_conflict_with_another_writer_is_told_in_plain_words(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(impediment_events=[raised("e-1")])
        store = workspace.store

        def other_writer() -> None:
            Workspace(store).append_checkins(
                updates=[update("u1", 0.1)], impediment_events=[resolved("e-2")]
            )

        racing = Workspace(_Interleaved(store, other_writer))  # type: ignore[arg-type]
        with pytest.raises(ConflictError) as info:
            racing.append_checkins(updates=[update("u1", 0.2)], impediment_events=[resolved("e-3")])
        error = info.value
        assert set(error.conflicts) == {
            (CHECKIN_SECTIONS[2].collection, "u1"),
            (UPDATE_ID_CLAIMS, "u1"),
            (IMPEDIMENT_HEADS, "imp-1"),
        }
        message = str(error)
        assert message.startswith("another writer appended check-in records meanwhile")
        assert "appended status update 'u1'" in message
        assert "changed impediment 'imp-1'" in message
        assert "Load the log again and retry" in message
        assert "expected version" not in message
        assert "checkins." not in message
        assert isinstance(error.__cause__, ConflictError)  # the store's own report


def test_ids_already_stored_are_named_in_plain_words(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u1", 0.1)], impediment_events=[raised("e-1")])
        with pytest.raises(ConflictError) as info:
            workspace.append_checkins(
                updates=[update("u1", 0.1)], impediment_events=[raised("e-1")]
            )
        assert "status update 'u1', impediment event 'e-1'" in str(info.value)
        assert (EVENT_ID_CLAIMS, "e-1") in info.value.conflicts


# ---------------------------------------------------------------- stores of earlier releases


def test_records_stored_by_an_earlier_release_keep_their_order_before_later_ones(url: str) -> None:
    _, _, updates, events = (section.collection for section in CHECKIN_SECTIONS)
    with Workspace.open(url) as workspace:
        store = workspace.store
        # as an earlier release stored them, one append each: it checked and loaded same-day
        # records by id, so it accepted the update m between the raise a and the resolution z
        for collection, record in (
            (updates, update("u-9", 0.2)),
            (updates, update("u-10", 0.6)),
            (events, raised("a")),
            (events, resolved("z")),
            (events, ImpedimentEvent("m", "imp-1", A.UPDATED, DAY, "bob", description="note")),
        ):
            store.write([Put(collection, record.id, dump_record(record))])
        before = workspace.load_checkin_log()
        assert latest(before, "n1") == "u-9"  # by id, as that release loaded it
        assert not before.impediment("imp-1", DAY).is_open  # type: ignore[union-attr]
        workspace.append_checkins(updates=[update("u-11", 0.8)])
        marker = store.get(MIGRATIONS_COLLECTION, "checkins.commit_order")
        assert marker is not None
        assert marker.seq < store.get(updates, "u-11").seq  # type: ignore[union-attr]
        after = workspace.load_checkin_log()
        assert history(after, "n1") == ["u-10", "u-9", "u-11"]  # by id, then the new one
        assert not after.impediment("imp-1", DAY).is_open  # type: ignore[union-attr]
        # a same-day follow-up of a stored impediment comes after the stored events
        refused = ImpedimentEvent("b", "imp-1", A.UPDATED, DAY, "bob", description="again")
        with pytest.raises(ValidationError, match="already resolved"):
            workspace.append_checkins(impediment_events=[refused])


def test_an_append_keeps_the_indexes_others_declared(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(updates=[update("u-1", 0.1)])
        collection = CHECKIN_SECTIONS[2].collection
        needed = set(workspace.store.indexed_fields(collection))
        workspace.store.declare(collection, indexed=sorted(needed | {"by"}))
        workspace.append_checkins(updates=[update("u-2", 0.2, on=NEXT)])
        assert set(workspace.store.indexed_fields(collection)) == needed | {"by"}
