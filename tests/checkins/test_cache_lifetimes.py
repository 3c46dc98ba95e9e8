"""What dashboards keep per cascade lives as long as the cascade, and no longer; they leave
the collector's generations of the calling program alone."""

from __future__ import annotations

import datetime as dt
import gc
import weakref

from workplan_core._memo import per_object
from workplan_core.cascade import Cascade, rollup
from workplan_core.checkins import CheckinLog, manager_dashboard, node_dashboard
from workplan_core.synthetic import generate_organisation
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.synthetic.checkins import generate_checkins

START = dt.date(2027, 1, 4)
AS_OF = START + dt.timedelta(days=30)


class _Thing:
    """Weakly referenceable, compared by identity."""


def test_a_per_object_cache_computes_once_per_living_object() -> None:
    calls: list[int] = []

    @per_object
    def describe(thing: _Thing) -> list[int]:
        calls.append(id(thing))
        return [len(calls)]

    first, second = _Thing(), _Thing()
    assert describe(first) is describe(first)
    assert describe(second) == [2]
    assert len(calls) == 2
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None  # the cache did not keep it alive
    assert describe(second) == [2]
    assert len(calls) == 2


def test_dropped_cascades_are_not_kept_alive_by_dashboards_or_the_log() -> None:
    org = generate_organisation(60, seed=5)
    nodes = generate_cascade(300, seed=5, organisation=org)
    history = generate_checkins(nodes, org, seed=5, start=START, weeks=4)
    log = CheckinLog.from_records(cadences=history.cadences, checkins=history.checkins)
    manager = next(c.manager_id for c in history.cadences)
    refs = []
    for _ in range(10):  # more cascades than any cache would hold at once
        cascade = Cascade(nodes)
        board = manager_dashboard(manager, as_of=AS_OF, cascade=cascade, organisation=org, log=log)
        top = node_dashboard(nodes[0].id, as_of=AS_OF, cascade=cascade, log=log)
        assert board.rows
        assert top.rows
        refs.append(weakref.ref(cascade))
        del cascade, board, top
    gc.collect()
    assert [ref() for ref in refs] == [None] * len(refs)
    # the log still serves a new cascade, and the same dashboard as a fresh log
    cascade = Cascade(nodes)
    fresh = CheckinLog.from_records(cadences=history.cadences, checkins=history.checkins)
    assert manager_dashboard(
        manager, as_of=AS_OF, cascade=cascade, organisation=org, log=log
    ) == manager_dashboard(manager, as_of=AS_OF, cascade=cascade, organisation=org, log=fresh)


class _Loop:
    """An object in a reference cycle with itself."""

    def __init__(self) -> None:
        self.me = self


def test_rollups_and_dashboards_leave_the_callers_young_garbage_to_young_collections() -> None:
    org = generate_organisation(60, seed=6)
    nodes = generate_cascade(300, seed=6, organisation=org)
    history = generate_checkins(nodes, org, seed=6, start=START, weeks=4)
    log = CheckinLog.from_records(cadences=history.cadences, checkins=history.checkins)
    cascade = Cascade(nodes)
    manager = next(c.manager_id for c in history.cadences)
    calls = [
        lambda: rollup(cascade),
        lambda: manager_dashboard(manager, as_of=AS_OF, cascade=cascade, organisation=org, log=log),
        lambda: node_dashboard(nodes[0].id, as_of=AS_OF, cascade=cascade, log=log),
    ]
    for call in calls:
        gc.collect()
        loops = [weakref.ref(_Loop()) for _ in range(100)]  # garbage, young
        call()
        gc.collect(1)  # the young generations only
        assert [ref() for ref in loops] == [None] * len(loops)
