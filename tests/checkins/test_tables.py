"""Joined tables for dashboards agree with what they join, also while the log grows."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.cascade import Cascade, Status
from workplan_core.checkins import CheckinLog, StatusUpdate, manager_dashboard, node_dashboard
from workplan_core.checkins.cadence import (
    Cadence,
)
from workplan_core.checkins.impediments import ImpedimentAction, ImpedimentEvent, Severity
from workplan_core.checkins.timeline import Timeline, TimelineTable, latest_as_of
from workplan_core.checkins.updates import CheckIn
from workplan_core.org import Organisation, OwnerKind
from workplan_core.synthetic import generate_organisation
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.synthetic.checkins import generate_checkins

D = dt.date
START = D(2027, 1, 4)
DAYS = st.integers(0, 40).map(lambda n: START + dt.timedelta(days=n))


@st.composite
def updates_of(draw: st.DrawFn, node: str) -> list[StatusUpdate]:
    """A node's updates: plain ones, and some a table reads one by one (see `Timeline`)."""
    found: list[StatusUpdate] = []
    for i in range(draw(st.integers(0, 6))):
        on = draw(DAYS)
        originals = [u for u in found if u.corrects is None]
        corrects = None
        if originals and draw(st.integers(0, 5)) == 0:
            target = draw(st.sampled_from(originals))
            on = max([on, target.on] + [u.on for u in found if u.corrects == target.id])
            corrects = target.id
        found.append(
            StatusUpdate(
                f"{node}-{i}",
                node,
                on,
                "anna",
                draw(st.sampled_from(Status)),
                progress=draw(st.none() | st.floats(0, 1) | st.sampled_from([0, 1])),
                value=draw(st.none() | st.none() | st.just(12.0)),
                confidence=draw(st.none() | st.integers(0, 10) | st.just(400)),
                corrects=corrects,
            )
        )
    return found


def _expected_rows(
    timeline: Timeline | None, updates: list[StatusUpdate], as_of: dt.date
) -> tuple[object, ...] | None:
    """Last update, confidence and trend of a row, from the timeline's visible pair.

    The last update is the day of the latest original update known (a correction stands at
    its original's day), read from the updates given.
    """
    pair = None if timeline is None else timeline.pair(as_of)
    if pair is None:
        return None
    current, previous = pair
    trend = (
        None
        if previous is None or previous.progress is None or current.progress is None
        else current.progress - previous.progress
    )
    reading_on = max(u.on for u in updates if u.corrects is None and u.on <= as_of)
    return reading_on, current.confidence, trend


def _check_table(
    table: TimelineTable,
    timelines: list[Timeline | None],
    given: list[list[StatusUpdate]],
    as_of: dt.date,
) -> None:
    positions = list(range(len(timelines)))[::-1]  # any order
    rows = len(positions) // 2
    seen = table.visible(positions, as_of, rows=rows)
    expected = latest_as_of([timelines[p] for p in positions], as_of)
    assert seen.hits == expected.found
    assert seen.read == [positions[i] for i in expected.found]
    for j, i in enumerate(seen.hits):
        update = expected.current[i]
        assert update is not None
        if j in seen.odd:
            assert seen.odd[j] == update
        else:
            assert (seen.progress[j], seen.codes[j]) == (
                expected.progress[j],
                expected.statuses[j].code,
            )
            assert repr(seen.progress[j]) == repr(expected.progress[j])
        if j < seen.rows:
            got = (seen.last_update[j], seen.confidence[j], seen.trend[j])
            expected_row = _expected_rows(timelines[positions[i]], given[positions[i]], as_of)
            assert repr(got) == repr(expected_row)
    assert seen.rows == len([i for i in seen.hits if i < rows])


@settings(max_examples=60, deadline=None)
@given(st.data(), DAYS)
def test_a_timeline_table_agrees_with_its_timelines(data: st.DataObject, as_of: dt.date) -> None:
    nodes = [f"n{i}" for i in range(data.draw(st.integers(1, 6)))]
    records = {node: data.draw(updates_of(node)) for node in nodes}
    journal: list[str] = []
    timelines: list[Timeline | None] = [
        Timeline(node, records[node], journal=journal) if records[node] else None for node in nodes
    ]
    given = [list(records[node]) for node in nodes]
    table = TimelineTable(timelines)
    _check_table(table, timelines, given, as_of)
    assert journal == []  # building is no change
    # more updates: the table reads the changed timelines one by one once refreshed
    changed = set()
    for position, node in enumerate(nodes):
        more = [u for u in data.draw(updates_of(node)) if u.corrects is None]
        timeline = timelines[position] or Timeline(node, journal=journal)
        for update in more:
            added = StatusUpdate(f"{update.id}+", node, update.on, "anna", update.status)
            timeline.add(added)
            given[position].append(added)
            changed.add(node)
        if more:
            timelines[position] = timeline
            table.refresh(position, timeline)
    assert set(journal) == changed
    _check_table(table, timelines, given, as_of)


def _synthetic() -> tuple[Cascade, Organisation, list[Cadence], list[CheckIn]]:
    org = generate_organisation(60, seed=3)
    nodes = generate_cascade(300, seed=3, organisation=org)
    history = generate_checkins(nodes, org, seed=3, start=START, weeks=6)
    return Cascade(nodes), org, list(history.cadences), list(history.checkins)


def test_dashboards_follow_a_growing_log() -> None:
    cascade, _, cadences, checkins = _synthetic()
    top = next(node.id for node in cascade.nodes if node.parent is None)
    as_of = START + dt.timedelta(days=45)  # after the last check-in
    half = len(checkins) // 2
    log = CheckinLog.from_records(cadences=cadences, checkins=checkins[:half])
    known = list(checkins[:half])

    def boards(source: CheckinLog) -> object:
        return node_dashboard(top, as_of=as_of, cascade=cascade, log=source)

    assert boards(log) == boards(CheckinLog.from_records(cadences=cadences, checkins=known))
    table = log.timeline_table(cascade)
    # a few check-ins: the kept table reads the changed nodes from their timelines
    for checkin in checkins[half : half + 2]:
        log.add_checkin(checkin)
        known.append(checkin)
        assert boards(log) == boards(CheckinLog.from_records(cadences=cadences, checkins=known))
    assert log.timeline_table(cascade) is table
    # a correction, an update of a node without updates, a timeline changed directly
    update = next(u for c in known for u in c.updates)
    fix = StatusUpdate("fix", update.node_id, as_of, "anna", Status.BLOCKED, corrects=update.id)
    fresh = next(n.id for n in cascade.nodes if log.timeline(n.id) is None)
    first = StatusUpdate("first", fresh, START, "anna", Status.OFF_TRACK, progress=0.25)
    log.add_update(fix)
    log.add_update(first)
    direct = StatusUpdate("direct", update.node_id, START, "anna", Status.DONE)
    timeline = log.timeline(update.node_id)
    assert timeline is not None
    timeline.add(direct)
    extra = [fix, first, direct]
    rebuilt = CheckinLog.from_records(cadences=cadences, checkins=known, updates=extra)
    assert boards(log) == boards(rebuilt)
    assert log.timeline_table(cascade) is table
    # most of the cascade changed: the table is built afresh
    for checkin in checkins[half + 2 :]:
        log.add_checkin(checkin)
        known.append(checkin)
    assert boards(log) == boards(
        CheckinLog.from_records(cadences=cadences, checkins=known, updates=extra)
    )
    assert log.timeline_table(cascade) is not table


def test_dashboards_follow_impediments_and_cadences_added_later() -> None:
    cascade, org, cadences, checkins = _synthetic()
    as_of = START + dt.timedelta(days=30)
    owners = [n.owner.id for n in cascade.nodes if n.owner.kind is OwnerKind.PERSON]
    manager = next(m for o in owners if (m := org.manager_of(o, as_of)) is not None)
    log = CheckinLog.from_records(cadences=cadences[:-3], checkins=checkins)

    def board(source: CheckinLog) -> object:
        return manager_dashboard(
            manager, as_of=as_of, cascade=cascade, organisation=org, log=source
        )

    board(log)  # keeps joined tables
    node = cascade.nodes[-1].id
    raised = ImpedimentEvent(
        "late",
        "late",
        ImpedimentAction.RAISED,
        START,
        "anna",
        node_id=node,
        description="waiting",
        severity=Severity.HIGH,
        help_from="chen",
    )
    log.add_impediment_event(raised)
    for cadence in cadences[-3:]:
        log.add_cadence(cadence)
    rebuilt = CheckinLog.from_records(
        cadences=cadences, checkins=checkins, impediment_events=[raised]
    )
    assert board(log) == board(rebuilt)


def test_a_table_left_far_behind_is_built_afresh() -> None:
    cascade, _, cadences, checkins = _synthetic()
    other = Cascade(cascade.nodes)  # the same nodes, another cascade
    top = next(node.id for node in cascade.nodes if node.parent is None)
    as_of = START + dt.timedelta(days=45)
    log = CheckinLog.from_records(cadences=cadences, checkins=checkins)
    node_dashboard(top, as_of=as_of, cascade=other, log=log)
    left = log.timeline_table(other)
    node = next(u.node_id for c in checkins for u in c.updates)
    extra = [
        StatusUpdate(f"again{i}", node, START + dt.timedelta(days=i % 40), "anna", Status.AT_RISK)
        for i in range(2 * len(list(log.node_ids())))
    ]
    for update in extra:
        log.add_update(update)
        node_dashboard(top, as_of=as_of, cascade=cascade, log=log)  # keeps reading the journal
    kept = log.timeline_table(cascade)
    rebuilt = CheckinLog.from_records(cadences=cadences, checkins=checkins, updates=extra)
    expected = node_dashboard(top, as_of=as_of, cascade=cascade, log=rebuilt)
    assert node_dashboard(top, as_of=as_of, cascade=other, log=log) == expected
    assert log.timeline_table(other) is not left
    assert log.timeline_table(cascade) is kept
