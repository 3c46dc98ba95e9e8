"""The worked example of the docs page: one strategic objective down to its tasks."""

from __future__ import annotations

from workplan_core.cascade import (
    BinaryMeasure,
    Cascade,
    MetricMeasure,
    Milestone,
    MilestoneMeasure,
    Node,
    RollupMethod,
    RollupRule,
    Status,
)
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import FiscalCalendar, Granularity

CALENDAR = FiscalCalendar(start_month=7)
FY = CALENDAR.year(2027).period
H1 = CALENDAR.parts(2027, Granularity.HALF)[0].period
Q2 = CALENDAR.parts(2027, Granularity.QUARTER)[1].period


def position(key: str) -> OwnerRef:
    return OwnerRef(OwnerKind.POSITION, key)


def department(key: str) -> OwnerRef:
    return OwnerRef(OwnerKind.DEPARTMENT, key)


def team(key: str) -> OwnerRef:
    return OwnerRef(OwnerKind.TEAM, key)


def person(key: str) -> OwnerRef:
    return OwnerRef(OwnerKind.PERSON, key)


def deals(target: float, current: float | None = None) -> MetricMeasure:
    return MetricMeasure("deals", 0, target, current)


SUM = RollupRule(RollupMethod.SUM)
FRACTION_DONE = RollupRule(RollupMethod.FRACTION_DONE)

NODES = [
    Node("o1", "Grow recurring revenue", "strategic objective", position("ceo"), FY),
    Node("s1", "Win mid-market customers", "supporting goal", position("cro"), FY,
         parent="o1", weight=2),
    Node("s2", "Reduce churn", "supporting goal", position("coo"), FY, parent="o1",
         measure=MetricMeasure("%", 8, 4, 7), status=Status.ON_TRACK),
    Node("d1", "Close 40 mid-market deals", "departmental target", department("sales"), H1,
         parent="s1", measure=deals(40), rule=SUM),
    Node("d2", "Launch the partner portal", "departmental target", department("marketing"), H1,
         parent="s1", rule=FRACTION_DONE),
    Node("g1", "North: 25 deals", "team goal", team("north"), Q2, parent="d1",
         measure=deals(25), rule=SUM),
    Node("g2", "South: 15 deals", "team goal", team("south"), Q2, parent="d1",
         measure=deals(15, 3), status=Status.ON_TRACK),
    Node("g3", "Build the portal", "team goal", team("web"), Q2, parent="d2"),
    Node("g4", "Launch campaign", "team goal", team("campaigns"), Q2, parent="d2",
         measure=BinaryMeasure(done=True), status=Status.DONE),
    Node("t1", "Close Acme", "task", person("ana"), Q2, parent="g1",
         measure=deals(10, 6), status=Status.ON_TRACK),
    Node("t2", "Close Globex", "task", person("ben"), Q2, parent="g1",
         measure=deals(15, 9), status=Status.ON_TRACK),
    Node("t3", "Design the portal", "task", person("cy"), Q2, parent="g3",
         measure=BinaryMeasure(done=True), status=Status.DONE),
    Node("t4", "Build the portal", "task", person("dee"), Q2, parent="g3",
         measure=MilestoneMeasure(
             [Milestone("login", True), Milestone("catalogue", True),
              Milestone("checkout"), Milestone("go-live")]
         ),
         status=Status.AT_RISK),
    Node("t5", "Import the legacy catalogue", "task", person("eve"), Q2, parent="g3",
         status=Status.CANCELLED),
]  # fmt: skip


def example() -> Cascade:
    """The example cascade."""
    return Cascade(NODES)
