"""The workspace keeps cascades and append-only check-in records; dashboards rebuild from it."""

from __future__ import annotations

import pytest

from checkins._checkin_records import ANNA, D, Q, maria_checkin, monday_cadence, raised
from workplan_core.cascade import (
    DEFAULT_CONFIG,
    Cascade,
    CascadeConfig,
    Level,
    MetricMeasure,
    Node,
    Status,
)
from workplan_core.cascade import Severity as PeriodRule
from workplan_core.checkins import CheckinLog, Severity, StatusUpdate
from workplan_core.checkins.dashboard import node_dashboard
from workplan_core.errors import ConflictError, ValidationError
from workplan_core.org import OwnerKind
from workplan_core.periods import Period
from workplan_core.storage import Delete
from workplan_core.workspace import CHECKIN_SECTIONS, Workspace

CASCADE = Cascade(
    [
        Node("g", "Goal", "team goal", ANNA, Q),
        Node("t1", "Task 1", "task", ANNA, Q, parent="g"),
        Node(
            "t2",
            "Task 2",
            "task",
            ANNA,
            Q,
            parent="g",
            measure=MetricMeasure("tickets", baseline=100, target=0),
        ),
    ]
)
CADENCE = monday_cadence("c", grace_days=2)
CHECKIN = maria_checkin(
    "ci1",
    D(2027, 1, 4),
    "c",
    updates=(StatusUpdate("u1", "t1", D(2027, 1, 4), "anna", Status.ON_TRACK, progress=0.5),),
    impediments=(raised(D(2027, 1, 4), Severity.LOW, "imp", help_from="omar"),),
)
LATER = StatusUpdate("u2", "t2", D(2027, 1, 6), "anna", Status.AT_RISK, value=75.0)


def test_cascade_round_trips_and_saves_only_changes(url: str) -> None:
    with Workspace.open(url) as workspace:
        assert len(workspace.save_cascade(CASCADE).versions) == 4  # three nodes, the config
        loaded = workspace.load_cascade()
        assert loaded.nodes == CASCADE.nodes
        assert workspace.save_cascade(loaded).versions == ()


def test_the_cascade_config_is_stored_with_the_nodes(url: str) -> None:
    levels = (Level("team goal", {OwnerKind.PERSON}), Level("task", {OwnerKind.PERSON}))
    config = CascadeConfig(levels, period_rule=PeriodRule.WARNING)
    late = Node("t3", "Late", "task", ANNA, Period(D(2027, 3, 1), D(2027, 4, 30)), parent="g")
    custom = Cascade([*CASCADE.nodes, late], config)
    assert custom.warnings  # t3 ends after its parent: only a warning under this config
    with Workspace.open(url) as workspace:
        assert len(workspace.save_cascade(custom).versions) == 5  # four nodes and the config
        loaded = workspace.load_cascade()
        assert loaded.config == config
        assert loaded.nodes == custom.nodes
        assert workspace.save_cascade(loaded).versions == ()  # nothing changed
        with pytest.raises(ValidationError) as info:
            workspace.load_cascade(DEFAULT_CONFIG)  # an explicit config still wins
        assert "t3" in str(info.value)
        other = Workspace(workspace.store)  # a second writer on the same store
        mine = other.load_cascade()
        workspace.save_cascade(Cascade(custom.nodes, CascadeConfig(levels, PeriodRule.WARNING)))
        workspace.save_cascade(Cascade(CASCADE.nodes, DEFAULT_CONFIG))  # config changed
        # the other writer changed nothing since it loaded: its save undoes nothing
        assert other.save_cascade(mine).versions == ()
        assert workspace.load_cascade().config == DEFAULT_CONFIG
        deeper = (*levels, Level("subtask", {OwnerKind.PERSON}))
        changed = Cascade(mine.nodes, CascadeConfig(deeper, PeriodRule.WARNING))
        with pytest.raises(ConflictError):  # but changing the config both changed conflicts
            other.save_cascade(changed)
        assert workspace.load_cascade().config == DEFAULT_CONFIG


def test_a_store_without_a_config_loads_with_the_default(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.save_cascade(CASCADE)
        workspace.store.write([Delete("cascade.config", "config", 1)])
        assert workspace.load_cascade().config == DEFAULT_CONFIG


def test_dashboard_rebuilt_from_the_store_alone(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.save_cascade(CASCADE)
        workspace.append_checkins(cadences=[CADENCE], checkins=[CHECKIN], updates=[LATER])
        log = workspace.load_checkin_log()
        cascade = workspace.load_cascade()
    in_memory = CheckinLog.from_records(cadences=[CADENCE], checkins=[CHECKIN], updates=[LATER])
    as_of = D(2027, 1, 7)
    rebuilt = node_dashboard("g", as_of=as_of, cascade=cascade, log=log)
    assert rebuilt == node_dashboard("g", as_of=as_of, cascade=CASCADE, log=in_memory)
    # t1 at 0.5, t2 at (100 - 75) / 100 = 0.25 -> g = 0.375
    assert rebuilt.row("g").progress == pytest.approx(0.375)
    assert rebuilt.row("t1").help_requested


def test_appending_an_existing_id_conflicts_and_writes_nothing(url: str) -> None:
    with Workspace.open(url) as workspace:
        workspace.append_checkins(checkins=[CHECKIN])
        fresh = StatusUpdate("u9", "t1", D(2027, 1, 8), "anna", Status.DONE)
        with pytest.raises(ConflictError) as info:
            workspace.append_checkins(checkins=[CHECKIN], updates=[fresh])
        assert ("checkins.checkins", "ci1") in info.value.conflicts
        assert workspace.store.get(CHECKIN_SECTIONS[2].collection, "u9") is None
