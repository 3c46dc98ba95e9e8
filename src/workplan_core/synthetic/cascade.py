"""A seeded generator of realistic cascades, from a handful of nodes to millions.

[generate_cascade][workplan_core.synthetic.cascade.generate_cascade] plans business units one
after another until the requested size is reached. Each business unit has 2–4 strategic
objectives for the financial year; each objective 3–8 supporting goals; each goal 3–8
departmental targets for a half year; each target 2–5 team goals for a quarter. Team goals get
10–40 tasks each, in turn across the unit's objectives, and only planned nodes that work
reaches are made (so a small cascade still has several objectives). Along the way:

* weights vary (mostly 1, some 2 or 3, a few 0.5);
* measures mix metrics (rising and falling), done/not-done and milestones; about one team goal
  in six sums its tasks' metrics (deals, tickets), a few departmental targets count the
  fraction of tasks done across their leaves, a few supporting goals take their weakest
  target's progress, and a few carry a manual value with a reason;
* task statuses spread over every status, a few cancelled;
* about 5% of the nodes also contribute to a second parent on the same level and in the same
  period, in the same business unit.

Owners come from a given [Organisation][workplan_core.org.Organisation] (positions for the top
two levels, departments, teams, and the members of each team for its tasks) or, without one,
from generated references. Measures, periods, titles and owner references are shared values,
so a million nodes stay light. The same arguments always give the same nodes. O(size).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import chain, zip_longest

from workplan_core._collector import collector_paused
from workplan_core.cascade.levels import CascadeConfig, Level
from workplan_core.cascade.measures import (
    BinaryMeasure,
    Measure,
    MetricMeasure,
    Milestone,
    MilestoneMeasure,
)
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.rules import RollupMethod, RollupRule, RollupScope
from workplan_core.cascade.status import Status
from workplan_core.errors import ValidationError
from workplan_core.org import Organisation, OwnerKind, OwnerRef
from workplan_core.periods import FiscalCalendar, Granularity, Period

__all__ = ["SYNTHETIC_CONFIG", "generate_cascade"]

SYNTHETIC_CONFIG = CascadeConfig(
    levels=(
        Level("strategic objective", {OwnerKind.POSITION, OwnerKind.JOB_TITLE, OwnerKind.ROLE}),
        Level("supporting goal", {OwnerKind.POSITION, OwnerKind.DEPARTMENT}),
        Level("departmental target", {OwnerKind.DEPARTMENT}),
        Level("team goal", {OwnerKind.TEAM}),
        Level("task", {OwnerKind.PERSON, OwnerKind.POSITION, OwnerKind.ROLE}),
    )
)
"""The default levels with the owner kinds the generator uses at each level."""

_LEVELS = [level.name for level in SYNTHETIC_CONFIG.levels]
_VERBS = ("Ship", "Review", "Draft", "Automate", "Migrate", "Audit", "Launch", "Train")
_THINGS = (
    "billing flow",
    "onboarding guide",
    "supplier contract",
    "data pipeline",
    "pricing page",
    "support macros",
    "security review",
    "release checklist",
    "partner portal",
    "forecast model",
    "field training",
    "renewal campaign",
    "incident runbook",
    "hiring plan",
    "cost dashboard",
)
_AIMS = (
    "Grow recurring revenue",
    "Delight customers",
    "Expand into new markets",
    "Operate efficiently",
    "Build a great place to work",
    "Lead on sustainability",
    "Modernise the platform",
)
_TASK_TITLES = tuple(f"{verb} the {thing}" for verb in _VERBS for thing in _THINGS)
_GOAL_TITLES = tuple(f"{aim}: {thing}" for aim in _AIMS for thing in _THINGS)
_TASK_STATUSES = {
    Status.DONE: 30,
    Status.ON_TRACK: 30,
    Status.NOT_STARTED: 18,
    Status.AT_RISK: 10,
    Status.OFF_TRACK: 5,
    Status.BLOCKED: 4,
    Status.CANCELLED: 3,
}
_EXTRA_SHARE = 0.05
_CALENDAR = FiscalCalendar(start_month=7)
_TASK_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 0.5)
_MANUAL_REASON = "estimate agreed at the quarterly review"


class _Pools:
    """Shared immutable values, so that a million nodes reuse a few thousand objects."""

    def __init__(self, rng: random.Random) -> None:
        self.not_done = BinaryMeasure(False)
        self.done = BinaryMeasure(True)
        self.milestones = [
            MilestoneMeasure(Milestone(f"Step {k + 1}", k < reached) for k in range(planned))
            for planned in range(2, 6)
            for reached in range(planned + 1)
        ]
        self.percent = [
            MetricMeasure("%", 0.0, 100.0, float(rng.randint(0, 100))) for _ in range(200)
        ]
        self.falling = [
            MetricMeasure("days", 30.0, 10.0, float(rng.randint(5, 35))) for _ in range(100)
        ]
        self.counted = {unit: self._counted(rng, unit) for unit in ("deals", "tickets")}
        self.revenue = [self._revenue(rng, float(base)) for base in range(10, 60, 5)]
        self.statuses = [status for status, share in _TASK_STATUSES.items() for _ in range(share)]

    @staticmethod
    def _counted(rng: random.Random, unit: str) -> list[MetricMeasure]:
        targets = [5, 8, 12] * 20
        return [MetricMeasure(unit, 0.0, float(t), float(rng.randint(0, t))) for t in targets]

    @staticmethod
    def _revenue(rng: random.Random, base: float) -> MetricMeasure:
        target = base + rng.randint(5, 40)
        return MetricMeasure("EUR m", base, target, base + rng.randint(0, 30))


class _Owners:
    """Owner references for each level, from an organisation or generated."""

    def __init__(self, rng: random.Random, organisation: Organisation | None) -> None:
        self.rng = rng
        self.cache: dict[tuple[OwnerKind, str], OwnerRef] = {}
        if organisation is None:
            self.org = None
            return
        self.org = organisation
        top = {p.id for p in organisation.positions if p.reports_to is None}
        near = [p.id for p in organisation.positions if p.reports_to in top]
        self.executives = sorted(top) + sorted(near)[:50]
        self.managers = sorted(near) or self.executives
        self.departments = sorted(d.id for d in organisation.departments)
        members: dict[str, list[str]] = {}
        for membership in organisation.team_memberships:
            members.setdefault(membership.team_id, []).append(membership.person_id)
        self.teams = sorted(members)
        self.members = members
        self.people = sorted(p.id for p in organisation.people if p.end is None)

    def ref(self, kind: OwnerKind, key: str) -> OwnerRef:
        found = self.cache.get((kind, key))
        if found is None:
            found = self.cache[(kind, key)] = OwnerRef(kind, key)
        return found

    def pick(self, kind: OwnerKind, pool: Sequence[str], fallback: str) -> OwnerRef:
        return self.ref(kind, self.rng.choice(pool) if pool else fallback)

    def objective(self, unit: int) -> OwnerRef:
        if self.org is None:
            return self.ref(OwnerKind.POSITION, f"pos-bu{unit}-head")
        return self.pick(OwnerKind.POSITION, self.executives, "ceo")

    def goal(self, unit: int) -> OwnerRef:
        if self.org is None:
            return self.ref(OwnerKind.POSITION, f"pos-bu{unit}-{self.rng.randint(1, 8)}")
        return self.pick(OwnerKind.POSITION, self.managers, "ceo")

    def department(self, unit: int) -> OwnerRef:
        if self.org is None:
            return self.ref(OwnerKind.DEPARTMENT, f"dept-bu{unit}-{self.rng.randint(1, 12)}")
        return self.pick(OwnerKind.DEPARTMENT, self.departments, "hq")

    def team(self, unit: int) -> OwnerRef:
        if self.org is None:
            return self.ref(OwnerKind.TEAM, f"team-bu{unit}-{self.rng.randint(1, 40)}")
        return self.pick(OwnerKind.TEAM, self.teams, "team")

    def person(self, team: OwnerRef) -> OwnerRef:
        if self.org is None:
            return self.ref(OwnerKind.PERSON, f"{team.id}-p{self.rng.randint(1, 9)}")
        members = self.members.get(team.id) or self.people
        return self.pick(OwnerKind.PERSON, members, "nobody")


class _Planned:
    """A node planned for a business unit; it is made only if work reaches it."""

    __slots__ = ("children", "depth", "fields", "kept", "parent", "period", "prefix", "tasks")

    def __init__(
        self, prefix: str, depth: int, parent: _Planned | None, period: Period, **fields: object
    ) -> None:
        self.prefix = prefix
        self.depth = depth
        self.parent = parent
        self.period = period
        self.fields = fields
        self.children: list[_Planned] = []
        self.kept = False
        self.tasks = 0
        if parent is not None:
            parent.children.append(self)

    def unkept_chain(self) -> list[_Planned]:
        """This node and its ancestors not kept yet, top down."""
        chain = []
        node: _Planned | None = self
        while node is not None and not node.kept:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def summing(self) -> bool:
        rule = self.fields.get("rule")
        return isinstance(rule, RollupRule) and rule.method is RollupMethod.SUM


class _Builder:
    """Plans each business unit top down, then gives work to its team goals in turn.

    Team goals are served round robin across the unit's objectives, 10–40 tasks each, and only
    the planned nodes that work reaches are made; so a small cascade still has several
    objectives, and every size is met exactly.
    """

    def __init__(
        self, size: int, rng: random.Random, owners: _Owners, calendar: FiscalCalendar, year: int
    ) -> None:
        self.size = size
        self.rng = rng
        self.owners = owners
        self.pools = _Pools(rng)
        self.nodes: list[Node] = []
        self.year = calendar.year(year).period
        self.halves = [fp.period for fp in calendar.parts(year, Granularity.HALF)]
        self.quarters = [fp.period for fp in calendar.parts(year, Granularity.QUARTER)]
        self.peers: dict[tuple[int, Period], list[str]] = {}
        self.counter = 0
        self.planned = 0

    @property
    def full(self) -> bool:
        return self.planned >= self.size

    # ------------------------------------------------------------------ planning

    def unit(self, unit: int) -> None:
        rng = self.rng
        objectives = [self.objective(unit) for _ in range(rng.randint(2, 4))]
        per_objective = [
            [g for s in o.children for d in s.children for g in d.children] for o in objectives
        ]
        for team_goal in chain.from_iterable(zip_longest(*per_objective)):
            if team_goal is None:
                continue
            if self.full:
                break
            self.give_work(team_goal)
        self.peers = {}
        for objective in objectives:
            self.emit(objective, None)

    def give_work(self, team_goal: _Planned) -> None:
        remaining = self.size - self.planned
        needed = team_goal.unkept_chain()
        if len(needed) >= remaining:  # no room for a task: keep what fits, top down
            for node in needed[:remaining]:
                node.kept = True
            self.planned = self.size
            return
        for node in needed:
            node.kept = True
        team_goal.tasks = min(self.rng.randint(10, 40), remaining - len(needed))
        self.planned += len(needed) + team_goal.tasks

    def objective(self, unit: int) -> _Planned:
        rng = self.rng
        scope = RollupScope.LEAVES if rng.random() < 0.02 else RollupScope.CHILDREN
        planned = _Planned(
            "o",
            0,
            None,
            self.year,
            title=rng.choice(_AIMS),
            owner=self.owners.objective(unit),
            measure=rng.choice(self.pools.revenue),
            rule=RollupRule(RollupMethod.WEIGHTED_MEAN, scope),
        )
        for _ in range(rng.randint(3, 8)):
            self.goal(unit, planned)
        return planned

    def goal(self, unit: int, parent: _Planned) -> None:
        rng = self.rng
        draw = rng.random()
        if draw < 0.01:
            rule = RollupRule.manual(round(rng.random(), 2), _MANUAL_REASON)
        elif draw < 0.05:
            rule = RollupRule(RollupMethod.MINIMUM)
        else:
            rule = RollupRule()
        pool: Sequence[Measure] = self.pools.milestones if draw < 0.5 else self.pools.percent
        planned = _Planned(
            "s",
            1,
            parent,
            self.year,
            title=rng.choice(_GOAL_TITLES),
            owner=self.owners.goal(unit),
            measure=rng.choice(pool),
            rule=rule,
            weight=rng.choice((1.0, 1.0, 2.0, 3.0)),
        )
        for _ in range(rng.randint(3, 8)):
            self.target(unit, planned)

    def target(self, unit: int, parent: _Planned) -> None:
        rng = self.rng
        half = rng.randrange(2)
        leaves = rng.random() < 0.03
        rule = (
            RollupRule(RollupMethod.FRACTION_DONE, RollupScope.LEAVES) if leaves else RollupRule()
        )
        planned = _Planned(
            "d",
            2,
            parent,
            self.halves[half],
            title=rng.choice(_GOAL_TITLES),
            owner=self.owners.department(unit),
            measure=rng.choice(self.pools.percent),
            rule=rule,
            weight=rng.choice((1.0, 1.0, 2.0)),
        )
        for _ in range(rng.randint(2, 5)):
            self.team_goal(unit, planned, self.quarters[2 * half + rng.randrange(2)])

    def team_goal(self, unit: int, parent: _Planned, quarter: Period) -> None:
        rng = self.rng
        if rng.random() < 1 / 6:
            unit_name = rng.choice(("deals", "tickets"))
            goal: Measure = MetricMeasure(unit_name, 0.0, float(rng.randint(100, 400)))
            rule = RollupRule(RollupMethod.SUM)
        else:
            goal = rng.choice(self.pools.falling if rng.random() < 0.3 else self.pools.percent)
            rule = RollupRule()
        _Planned(
            "g",
            3,
            parent,
            quarter,
            title=rng.choice(_GOAL_TITLES),
            owner=self.owners.team(unit),
            measure=goal,
            rule=rule,
            weight=rng.choice((1.0, 1.0, 2.0)),
        )

    # ------------------------------------------------------------------ making nodes

    def emit(self, planned: _Planned, parent: str | None) -> None:
        """Make the kept planned nodes below (and including) `planned`, parents first."""
        if not planned.kept:
            return
        node_id = self.add(planned, parent)
        for child in planned.children:
            self.emit(child, node_id)
        if planned.tasks:
            self.tasks(planned, node_id)

    def tasks(self, team_goal: _Planned, parent: str) -> None:
        rng = self.rng
        pools = self.pools
        measure = team_goal.fields["measure"]
        counted = pools.counted[measure.unit] if team_goal.summing else None  # type: ignore[attr-defined]
        owner = team_goal.fields["owner"]
        assert isinstance(owner, OwnerRef)
        for _ in range(team_goal.tasks):
            status = rng.choice(pools.statuses)
            task = _Planned(
                "t",
                4,
                None,
                team_goal.period,
                title=rng.choice(_TASK_TITLES),
                owner=self.owners.person(owner),
                measure=rng.choice(counted) if counted else self._task_measure(status),
                status=status,
                weight=rng.choice(_TASK_WEIGHTS),
            )
            self.add(task, parent)

    def add(self, planned: _Planned, parent: str | None) -> str:
        self.counter += 1
        node_id = f"{planned.prefix}{self.counter}"
        depth, period = planned.depth, planned.period
        contributions: tuple[Contribution, ...] = ()
        if parent is not None and self.rng.random() < _EXTRA_SHARE:
            peers = self.peers.get((depth - 1, period), [])
            if len(peers) > 1:
                other = self.rng.choice(peers)
                if other != parent:
                    contributions = (Contribution(other, self.rng.choice((0.5, 1.0))),)
        self.nodes.append(
            Node(
                id=node_id,
                level=_LEVELS[depth],
                parent=parent,
                period=period,
                contributions=contributions,
                **planned.fields,  # type: ignore[arg-type]
            )
        )
        if depth < 4 and not planned.summing:  # only sums' own tasks may be summed into them
            self.peers.setdefault((depth, period), []).append(node_id)
        return node_id

    def _task_measure(self, status: Status) -> Measure:
        pools = self.pools
        draw = self.rng.random()
        if draw < 0.55:
            return pools.done if status is Status.DONE else pools.not_done
        if draw < 0.8:
            return self.rng.choice(pools.milestones)
        return self.rng.choice(pools.percent)


def generate_cascade(
    size: int,
    seed: int = 0,
    organisation: Organisation | None = None,
    *,
    calendar: FiscalCalendar = _CALENDAR,
    year: int = 2027,
) -> tuple[Node, ...]:
    """Generate a realistic cascade of exactly `size` nodes for financial year `year`.

    Args:
        size: the number of nodes (at least 1; tested up to 1,000,000).
        seed: the random seed; the same seed gives the same nodes.
        organisation: where owners come from; generated owner references when `None`.
        calendar: the fiscal calendar that cuts the year into halves and quarters.
        year: the financial year the cascade plans.

    Returns:
        The nodes, parents before children; they pass validation under both the default
        configuration and [SYNTHETIC_CONFIG][workplan_core.synthetic.cascade.SYNTHETIC_CONFIG].

    Raises:
        ValidationError: `size` is below 1.
    """
    if size < 1:
        raise ValidationError.single("$.size", "must be at least 1")
    rng = random.Random(seed)
    with collector_paused(settle=True):
        builder = _Builder(size, rng, _Owners(rng, organisation), calendar, year)
        unit = 0
        while not builder.full:
            unit += 1
            builder.unit(unit)
        assert len(builder.nodes) == size
        return tuple(builder.nodes)
