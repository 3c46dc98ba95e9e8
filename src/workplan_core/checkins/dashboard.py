"""As-of dashboards: where every node stands on a day, what needs attention, and a summary.

[manager_dashboard][workplan_core.checkins.dashboard.manager_dashboard] covers everything owned
by the people in a manager's reporting tree;
[node_dashboard][workplan_core.checkins.dashboard.node_dashboard] covers a cascade node's subtree.
Both read only the records known on `as_of` from a
[CheckinLog][workplan_core.checkins.log.CheckinLog], so the same call for a past day shows exactly
what the dashboard showed then.

Per node (a *row*): the owner; progress and status rolled up through the cascade from the
updates visible on `as_of` (a node's own reading is its latest update; nodes without updates
keep the values they were planned with); confidence; the day of the last update; the trend (the
change in progress since the previous update); *stale* when no update was given for longer
than the owner's cadence interval plus its grace period (default 7 + 2 days) while the node's
period has started (leaves only: a parent is as fresh as its contributors); open impediments
and whether one asks for help; days overdue (days since the period ended, for nodes neither done
nor cancelled); and, when given, the forecast outlook.

Needs attention, most severe first: blocked, off track, help requested, stale, missed
check-ins; within a reason, the longest-standing first.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
from collections.abc import Collection, Iterable, Mapping

import attrs

from workplan_core._collector import collector_paused
from workplan_core.cascade import Cascade, MetricMeasure, Node, Reading, rollup
from workplan_core.cascade.measures import metric_progress
from workplan_core.cascade.status import Status, is_overdue
from workplan_core.checkins.cadence import Cadence
from workplan_core.checkins.impediments import Impediment
from workplan_core.checkins.log import CheckinLog
from workplan_core.checkins.timeline import TimelinePoint
from workplan_core.checkins.updates import StatusUpdate
from workplan_core.errors import NotFoundError, Problem, ValidationError
from workplan_core.org import Organisation, OwnerKind, OwnerRef

__all__ = [
    "AttentionItem",
    "AttentionReason",
    "Dashboard",
    "DashboardPolicy",
    "DashboardRow",
    "DashboardSummary",
    "NodeOutlook",
    "manager_dashboard",
    "node_dashboard",
    "readings_as_of",
]


class AttentionReason(enum.Enum):
    """Why something is on the needs-attention list, most severe first."""

    BLOCKED = "blocked"
    OFF_TRACK = "off_track"
    HELP_REQUESTED = "help_requested"
    STALE = "stale"
    MISSED_CHECKINS = "missed_checkins"

    @property
    def rank(self) -> int:
        """0 for the most severe reason."""
        return list(AttentionReason).index(self)


@attrs.frozen
class NodeOutlook:
    """A forecast's headline for a dashboard row (computed by the forecasting layer).

    Attributes:
        p85: the date the node finishes by with 85% probability, if within the horizon.
        on_time_probability: the probability of finishing by the due date.
        flag: the delay flag's severity name, or `None` when not flagged.
    """

    p85: dt.date | None = None
    on_time_probability: float | None = None
    flag: str | None = None


def _check_policy(instance: DashboardPolicy, _: object, __: object) -> None:
    problems = []
    if instance.interval_days < 1:
        problems.append(Problem("$.interval_days", "must be at least 1"))
    if instance.grace_days < 0:
        problems.append(Problem("$.grace_days", "must not be negative"))
    bounds = instance.age_buckets
    if any(b < 0 for b in bounds) or any(a >= b for a, b in itertools.pairwise(bounds)):
        problems.append(Problem("$.age_buckets", "must be non-negative and strictly increasing"))
    if instance.participation_days < 1:
        problems.append(Problem("$.participation_days", "must be at least 1"))
    if problems:
        raise ValidationError(problems, summary="invalid dashboard policy")


@attrs.frozen
class DashboardPolicy:
    """Thresholds of a dashboard.

    Attributes:
        interval_days: the update interval assumed for owners without a cadence.
        grace_days: the grace period assumed for owners without a cadence.
        age_buckets: upper bounds (days) of the open-impediment age buckets.
        participation_days: how far back check-in participation is counted.
    """

    interval_days: int = 7
    grace_days: int = 2
    age_buckets: tuple[int, ...] = (7, 14, 30)
    participation_days: int = attrs.field(default=91, validator=_check_policy)


@attrs.frozen
class DashboardRow:
    """One node on a dashboard."""

    node_id: str
    title: str
    level: str
    owner: OwnerRef
    progress: float
    status: Status
    confidence: int | None
    last_update: dt.date | None
    trend: float | None
    stale: bool
    open_impediments: int
    help_requested: bool
    days_overdue: int
    outlook: NodeOutlook | None = None


@attrs.frozen
class AttentionItem:
    """Something a manager should look at.

    Attributes:
        reason: why.
        subject_id: the node (or, for missed check-ins, the person).
        since: the day it started (status day, help request, last update, first missed).
        detail: a sentence for people.
    """

    reason: AttentionReason
    subject_id: str
    since: dt.date | None
    detail: str


@attrs.frozen
class DashboardSummary:
    """Totals over a dashboard's rows.

    Attributes:
        nodes: how many rows.
        by_status: rows per rolled-up status.
        share_stale: the share of rows that are stale.
        open_impediments_by_age: open impediments per age bucket (e.g. ``"0-7"``, ``">30"``).
        checkins_held: check-ins held in the participation window.
        checkins_missed: due check-ins missed in the window.
        participation: held / (held + missed), or `None` when nothing was due.
    """

    nodes: int
    by_status: Mapping[Status, int]
    share_stale: float
    open_impediments_by_age: Mapping[str, int]
    checkins_held: int
    checkins_missed: int
    participation: float | None


@attrs.frozen
class Dashboard:
    """Rows, summary and needs-attention list as of a day."""

    title: str
    as_of: dt.date
    rows: tuple[DashboardRow, ...]
    summary: DashboardSummary
    needs_attention: tuple[AttentionItem, ...]

    def row(self, node_id: str) -> DashboardRow:
        """The row of `node_id` (O(rows)).

        Raises:
            NotFoundError: the node is not on this dashboard.
        """
        for row in self.rows:
            if row.node_id == node_id:
                return row
        raise NotFoundError(f"node {node_id!r} is not on {self.title}")


# ---------------------------------------------------------------------- readings and rollup


def _reading(node: Node, update: StatusUpdate) -> Reading:
    """A node's own reading from an update: its progress, else its metric value, else as planned."""
    measure = node.measure
    value = update.value if isinstance(measure, MetricMeasure) else None
    if update.progress is not None:
        progress = update.progress
    elif value is not None and isinstance(measure, MetricMeasure):
        progress = metric_progress(measure.baseline, measure.target, value)
    elif update.status is Status.DONE:
        progress = 1.0
    else:
        progress = measure.progress()
    return Reading(progress, update.status, value)


def _points(log: CheckinLog, as_of: dt.date, node_ids: Iterable[str]) -> dict[str, TimelinePoint]:
    """The timeline point of every node that has an update visible on `as_of`. O(k log u)."""
    points: dict[str, TimelinePoint] = {}
    for node_id in node_ids:
        timeline = log.timeline(node_id)
        if timeline is not None:
            point = timeline.at(as_of)
            if point is not None:
                points[node_id] = point
    return points


def readings_as_of(
    cascade: Cascade, log: CheckinLog, as_of: dt.date, node_ids: Iterable[str]
) -> dict[str, Reading]:
    """Each node's own reading from its latest update visible on `as_of`. O(k log u)."""
    return {
        node_id: _reading(cascade.node(node_id), point.update)
        for node_id, point in _points(log, as_of, node_ids).items()
    }


def _allowed_days(cadences: Iterable[Cadence]) -> dict[str, int]:
    """Days without an update before a person's nodes count as stale, per person."""
    allowed: dict[str, int] = {}
    for cadence in cadences:
        if cadence.subject.kind is OwnerKind.PERSON:
            days = cadence.interval_days + cadence.grace_days
            allowed[cadence.subject.id] = min(days, allowed.get(cadence.subject.id, days))
    return allowed


def _bucket(age: int, bounds: tuple[int, ...]) -> str:
    low = 0
    for bound in bounds:
        if age <= bound:
            return f"{low}-{bound}"
        low = bound + 1
    return f">{bounds[-1]}" if bounds else "all"


# ---------------------------------------------------------------------- building


@attrs.frozen
class _Scope:
    """What a dashboard is built from."""

    as_of: dt.date
    cascade: Cascade
    log: CheckinLog
    cadences: tuple[Cadence, ...]
    people: frozenset[str] | None
    outlooks: Mapping[str, NodeOutlook]
    policy: DashboardPolicy


def _row(
    scope: _Scope,
    node: Node,
    rolled: tuple[float, Status],
    point: TimelinePoint | None,
    *,
    allowed_days: int,
    impediments: list[Impediment],
) -> DashboardRow:
    as_of = scope.as_of
    progress, status = rolled
    closed = status.is_closed
    index = scope.cascade.index
    if not index.children.is_leaf(index.pos[node.id]):
        stale = False  # a parent's freshness is its contributors'
    elif point is not None:
        stale = not closed and point.is_stale(allowed_days)
    else:
        started = node.period.start <= as_of
        stale = started and not closed and (as_of - node.period.start).days > allowed_days
    overdue = is_overdue(node.period, status, as_of)
    return DashboardRow(
        node_id=node.id,
        title=node.title,
        level=node.level,
        owner=node.owner,
        progress=progress,
        status=status,
        confidence=point.update.confidence if point else None,
        last_update=point.update.on if point else None,
        trend=point.progress_change if point else None,
        stale=stale,
        open_impediments=len(impediments),
        help_requested=any(i.requests_help for i in impediments),
        days_overdue=(as_of - node.period.end).days if overdue else 0,
        outlook=scope.outlooks.get(node.id),
    )


def _node_attention(
    scope: _Scope, node: Node, row: DashboardRow, impediments: list[Impediment]
) -> list[AttentionItem]:
    items = []
    if row.status is Status.BLOCKED:
        items.append(
            AttentionItem(
                AttentionReason.BLOCKED, node.id, row.last_update, f"{node.title} is blocked"
            )
        )
    elif row.status is Status.OFF_TRACK:
        items.append(
            AttentionItem(
                AttentionReason.OFF_TRACK, node.id, row.last_update, f"{node.title} is off track"
            )
        )
    if row.help_requested:
        asking = next(i for i in impediments if i.requests_help)
        items.append(
            AttentionItem(
                AttentionReason.HELP_REQUESTED,
                node.id,
                asking.raised_on,
                f"help requested from {asking.help_from}: {asking.description}",
            )
        )
    if row.stale:
        since = row.last_update or node.period.start
        items.append(
            AttentionItem(
                AttentionReason.STALE,
                node.id,
                since,
                f"{node.title}: no update for {(scope.as_of - since).days} days",
            )
        )
    return items


def _impediment_ages(
    impediments: Iterable[Impediment], as_of: dt.date, bounds: tuple[int, ...]
) -> dict[str, int]:
    """Open impediments per age bucket, buckets in age order (empty ones left out)."""
    labels = [_bucket(bound, bounds) for bound in bounds] + [_bucket(10**9, bounds)]
    counts = dict.fromkeys(labels, 0)
    for item in impediments:
        counts[_bucket(item.age_days(as_of), bounds)] += 1
    return {label: n for label, n in counts.items() if n}


def _participation(scope: _Scope) -> tuple[int, int, list[AttentionItem]]:
    """Check-ins held and missed in the window, and who missed the latest ones."""
    as_of = scope.as_of
    window_start = as_of - dt.timedelta(days=scope.policy.participation_days)
    held_total = missed_total = 0
    items = []
    for cadence in scope.cadences:
        subject = cadence.subject
        if (
            scope.people is not None
            and subject.kind is OwnerKind.PERSON
            and (subject.id not in scope.people)
        ):
            continue
        held = [d for d in scope.log.held(cadence.id) if d <= as_of]
        runs = cadence.missed_runs(held, as_of)
        held_total += sum(1 for d in held if d >= window_start)
        missed_total += sum(1 for run in runs for d in run if d >= window_start)
        closed = cadence.closed_due_dates(as_of)
        run = runs[-1] if runs and runs[-1][-1] == closed[-1] else ()
        if run:
            items.append(
                AttentionItem(
                    AttentionReason.MISSED_CHECKINS,
                    subject.id,
                    run[0],
                    f"{subject.id} missed the last {len(run)} check-in(s) "
                    f"with {cadence.manager_id}",
                )
            )
    return held_total, missed_total, items


def _summary(
    rows: list[DashboardRow], ages: Mapping[str, int], held: int, missed: int
) -> DashboardSummary:
    by_status: dict[Status, int] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    return DashboardSummary(
        nodes=len(rows),
        by_status=by_status,
        share_stale=sum(1 for r in rows if r.stale) / len(rows) if rows else 0.0,
        open_impediments_by_age=ages,
        checkins_held=held,
        checkins_missed=missed,
        participation=held / (held + missed) if held + missed else None,
    )


def _build(title: str, node_ids: list[str], scope: _Scope) -> Dashboard:
    """Roll up as of the day (only the rows' subtrees are read), then rows, attention, summary."""
    with collector_paused():  # many small objects, no cycles: skip rescans of the whole log
        return _build_rows(title, node_ids, scope)


def _build_rows(title: str, node_ids: list[str], scope: _Scope) -> Dashboard:
    cascade = scope.cascade
    points = _points(scope.log, scope.as_of, _descendants(cascade, node_ids))
    readings = {n: _reading(cascade.node(n), point.update) for n, point in points.items()}
    rolled = rollup(cascade, readings)
    allowed = _allowed_days(scope.cadences)
    default = scope.policy.interval_days + scope.policy.grace_days
    rows, attention, open_items = [], [], []
    for node_id in node_ids:
        node = cascade.node(node_id)
        person = node.owner.id if node.owner.kind is OwnerKind.PERSON else None
        days = allowed.get(person, default) if person else default
        impediments = [i for i in scope.log.impediments_of(node_id, scope.as_of) if i.is_open]
        state = (rolled.progress(node_id), rolled.status(node_id))
        row = _row(
            scope, node, state, points.get(node_id), allowed_days=days, impediments=impediments
        )
        rows.append(row)
        attention.extend(_node_attention(scope, node, row, impediments))
        open_items.extend(impediments)
    held, missed, missed_items = _participation(scope)
    attention.extend(missed_items)
    attention.sort(key=lambda a: (a.reason.rank, a.since or scope.as_of, a.subject_id))
    ages = _impediment_ages(open_items, scope.as_of, scope.policy.age_buckets)
    summary = _summary(rows, ages, held, missed)
    return Dashboard(title, scope.as_of, tuple(rows), summary, tuple(attention))


@functools.lru_cache(maxsize=8)
def _nodes_by_owner(cascade: Cascade) -> dict[OwnerRef, list[int]]:
    """Node positions grouped by owner, built once per cascade. O(n)."""
    groups: dict[OwnerRef, list[int]] = {}
    for position, node in enumerate(cascade.nodes):
        groups.setdefault(node.owner, []).append(position)
    return groups


def _owned_by(
    cascade: Cascade, organisation: Organisation, people: Collection[str], as_of: dt.date
) -> list[str]:
    """Ids of the nodes whose owner resolves to someone in `people` on `as_of`, in cascade order.

    Person owners are checked directly; every other distinct owner is resolved once.
    O(u·r + k log k) for u distinct owners costing r to resolve and k nodes found.
    """
    found: list[int] = []
    for owner, positions in _nodes_by_owner(cascade).items():
        if owner.kind is OwnerKind.PERSON:
            hit = owner.id in people
        else:
            hit = not organisation.resolve_owner(owner, as_of).isdisjoint(people)
        if hit:
            found.extend(positions)
    ids = cascade.index.ids
    return [ids[p] for p in sorted(found)]


def manager_dashboard(
    manager_id: str,
    *,
    as_of: dt.date,
    cascade: Cascade,
    organisation: Organisation,
    log: CheckinLog,
    outlooks: Mapping[str, NodeOutlook] | None = None,
    policy: DashboardPolicy | None = None,
) -> Dashboard:
    """The dashboard of everything owned by a manager and the people reporting to them.

    O(n) for the rollup over the cascade's n nodes, plus O(k log u) for k rows.
    """
    rules = policy or DashboardPolicy()
    people = {manager_id} | set(organisation.reports(manager_id, as_of))
    node_ids = _owned_by(cascade, organisation, people, as_of)
    scope = _Scope(
        as_of, cascade, log, tuple(log.cadences.values()), frozenset(people), outlooks or {}, rules
    )
    return _build(f"dashboard of {manager_id}", node_ids, scope)


def node_dashboard(
    node_id: str,
    *,
    as_of: dt.date,
    cascade: Cascade,
    log: CheckinLog,
    outlooks: Mapping[str, NodeOutlook] | None = None,
    policy: DashboardPolicy | None = None,
) -> Dashboard:
    """The dashboard of a cascade node and everything beneath it (its subtree)."""
    rules = policy or DashboardPolicy()
    node_ids = _subtree(cascade, node_id)
    owners = {
        cascade.node(n).owner.id for n in node_ids if cascade.node(n).owner.kind is OwnerKind.PERSON
    }
    scope = _Scope(
        as_of, cascade, log, tuple(log.cadences.values()), frozenset(owners), outlooks or {}, rules
    )
    return _build(f"dashboard of {node_id}", node_ids, scope)


def _descendants(cascade: Cascade, node_ids: Iterable[str]) -> list[str]:
    """The nodes and everything that contributes to them, directly or not. O(result)."""
    index = cascade.index
    seen = {index.pos[n] for n in node_ids}
    frontier = list(seen)
    while frontier:
        next_frontier = []
        for position in frontier:
            for child in index.children.children_of(position):
                if child not in seen:
                    seen.add(child)
                    next_frontier.append(child)
        frontier = next_frontier
    return [index.ids[p] for p in seen]


def _subtree(cascade: Cascade, root: str) -> list[str]:
    """`root` first, then every node contributing to it, in cascade order."""
    cascade.node(root)  # raises NotFoundError for an unknown root
    below = set(_descendants(cascade, [root])) - {root}
    return [root, *sorted(below, key=cascade.index.pos.__getitem__)]
