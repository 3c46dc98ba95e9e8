"""A seeded generator of check-in histories for a synthetic organisation and cascade.

For every person who owns tasks (the cascade's leaves owned by a person), a weekly cadence with
their manager; then, week by week, the meetings that happened and what was said in them:

* most people attend almost every week; about one in eight attends only about 70% of the time,
  and a meeting sometimes slips by a day (still inside the one-day grace period);
* every task has a hidden weekly pace of progress that would finish it in 0.7 to 1.3 times its
  period; it progresses only once its period has started; tasks of periods that ended before the
  history are done, and tasks under way start part of the way through; about one task in
  ten stalls at some week and makes no progress after it, so stale and off-track work appears;
* a status follows from the progress against the straight-line plan of the task's period
  (on track, at risk, off track, done) or is blocked while an impediment is open;
* every check-in updates each of the person's tasks (finished ones confirm they are done);
* impediments are raised on about 2% of task-weeks, half of them asking someone for help, and
  most are resolved a few weeks later.

The same arguments always give the same history. O(tasks × weeks).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

import attrs

from workplan_core.cascade.nodes import Node
from workplan_core.cascade.status import Status
from workplan_core.checkins.cadence import Cadence, Weekday, weekly
from workplan_core.checkins.impediments import ImpedimentAction, ImpedimentEvent, Severity
from workplan_core.checkins.updates import CheckIn, StatusUpdate
from workplan_core.org import Organisation, OwnerKind, OwnerRef

__all__ = ["CheckinHistory", "generate_checkins"]


@attrs.frozen
class CheckinHistory:
    """What `generate_checkins` made: cadences and the check-ins held (updates inside)."""

    cadences: tuple[Cadence, ...]
    checkins: tuple[CheckIn, ...]

    @property
    def update_count(self) -> int:
        """How many status updates the check-ins carry."""
        return sum(len(c.updates) for c in self.checkins)


@attrs.define
class _Task:
    node: Node
    pace: float
    stall_week: int | None
    progress: float = 0.0
    impediment: str | None = None
    resolve_week: int = 0


def _leaves(nodes: Sequence[Node]) -> list[Node]:
    parents = {p for node in nodes for p in node.parents}
    return [n for n in nodes if n.id not in parents and n.owner.kind is OwnerKind.PERSON]


def _status(task: _Task, day: dt.date) -> Status:
    if task.progress >= 1.0:
        return Status.DONE
    if task.impediment is not None:
        return Status.BLOCKED
    period = task.node.period
    planned = min(1.0, max(0.0, (day - period.start).days / max(1, period.days)))
    behind = planned - task.progress
    if behind > 0.4:
        return Status.OFF_TRACK
    if behind > 0.2:
        return Status.AT_RISK
    return Status.ON_TRACK if task.progress > 0 else Status.NOT_STARTED


class _Generator:
    def __init__(
        self, rng: random.Random, start: dt.date, weeks: int, people: Sequence[str]
    ) -> None:
        self.rng = rng
        self.start = start
        self.weeks = weeks
        self.people = people  # who may be asked for help: the task owners
        self.events: list[ImpedimentEvent] = []

    def helper(self, person: str) -> str:
        """Someone else who owns tasks (the one asking when nobody else does)."""
        helper = self.rng.choice(self.people)
        return helper if helper != person or len(self.people) == 1 else self.helper(person)

    def task_week(self, task: _Task, week: int, day: dt.date, person: str) -> StatusUpdate:
        rng, node = self.rng, task.node
        if task.impediment is not None and week >= task.resolve_week:
            self.events.append(
                ImpedimentEvent(
                    f"{task.impediment}-r",
                    task.impediment,
                    ImpedimentAction.RESOLVED,
                    day,
                    person,
                    description="worked around",
                )
            )
            task.impediment = None
        elif task.impediment is None and task.progress < 1.0 and rng.random() < 0.02:
            task.impediment = f"imp-{node.id}-{week}"
            task.resolve_week = week + 1 + int(rng.expovariate(0.4))
            self.events.append(
                ImpedimentEvent(
                    f"{task.impediment}-o",
                    task.impediment,
                    ImpedimentAction.RAISED,
                    day,
                    person,
                    node_id=node.id,
                    description="waiting on another team",
                    severity=rng.choice(list(Severity)),
                    help_from=self.helper(person) if rng.random() < 0.5 else None,
                )
            )
        moving = task.impediment is None and (task.stall_week is None or week < task.stall_week)
        if moving and task.progress < 1.0 and day >= node.period.start:
            task.progress = min(1.0, task.progress + task.pace * rng.uniform(0.5, 1.5))
        status = _status(task, day)
        confidence = max(
            0,
            min(
                10,
                round(
                    10 * (1.0 - abs(task.progress - 1.0) * 0.6)
                    - (3 if status is Status.BLOCKED else 0)
                ),
            ),
        )
        return StatusUpdate(
            f"u-{node.id}-{week}",
            node.id,
            day,
            person,
            status,
            progress=round(task.progress, 4),
            confidence=confidence,
        )


def generate_checkins(
    nodes: Sequence[Node],
    organisation: Organisation | None = None,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2027, 1, 4),
    weeks: int = 13,
    perfect_attendance: bool = False,
) -> CheckinHistory:
    """Generate `weeks` of weekly check-ins from `start` (a Monday) for the cascade's tasks.

    Args:
        nodes: the cascade's nodes (tasks are the leaves owned by a person).
        organisation: who manages whom; without one, every eight task owners share a manager.
        seed: the random seed.
        start: the first check-in day.
        weeks: how many weeks to generate.
        perfect_attendance: everyone attends every week (benchmarks want exact counts).
    """
    rng = random.Random(seed)
    tasks_of: dict[str, list[_Task]] = {}
    for node in _leaves(nodes):
        stall = rng.randrange(weeks) if rng.random() < 0.1 else None
        weeks_planned = max(1.0, node.period.days / 7)
        task = _Task(node, rng.uniform(0.75, 1.5) / weeks_planned, stall)
        if node.period.end < start:  # planned before the history: finished by now
            task.progress = 1.0
        elif node.period.start < start:  # under way
            done_share = (start - node.period.start).days / node.period.days
            task.progress = min(1.0, done_share * rng.uniform(0.6, 1.3))
        tasks_of.setdefault(node.owner.id, []).append(task)
    generator = _Generator(rng, start, weeks, sorted(tasks_of))
    cadences, checkins = [], []
    for number, (person, tasks) in enumerate(sorted(tasks_of.items())):
        manager = (organisation.manager_of(person, start) if organisation else None) or (
            f"manager-{number // 8}"
        )
        cadence = Cadence(
            f"cad-{person}",
            manager,
            OwnerRef(OwnerKind.PERSON, person),
            weekly(Weekday.MONDAY),
            start,
            grace_days=1,
        )
        cadences.append(cadence)
        attendance = 1.0 if perfect_attendance else 0.7 if rng.random() < 0.125 else 0.97
        for week in range(weeks):
            if attendance < 1.0 and rng.random() > attendance:
                continue
            day = start + dt.timedelta(weeks=week, days=1 if rng.random() < 0.1 else 0)
            generator.events.clear()
            updates = tuple(generator.task_week(t, week, day, person) for t in tasks)
            checkins.append(
                CheckIn(
                    f"ci-{person}-{week}",
                    day,
                    manager,
                    (person,),
                    cadence_id=cadence.id,
                    updates=updates,
                    impediments=tuple(generator.events),
                )
            )
    return CheckinHistory(tuple(cadences), tuple(checkins))
