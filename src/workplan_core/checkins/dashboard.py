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

import collections
import datetime as dt
import enum
import functools
import itertools
import operator
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import NamedTuple, TypeVar, cast

import attrs

from workplan_core._arguments import check_arguments
from workplan_core._collector import collector_paused
from workplan_core._fields import is_whole, wrong
from workplan_core._memo import per_object
from workplan_core.cascade import Cascade, MetricMeasure, Node, Reading, closure
from workplan_core.cascade.measures import magnitude_ok, metric_progress
from workplan_core.cascade.partial import rollup_closure_columns
from workplan_core.cascade.status import STATUSES, Status
from workplan_core.checkins.impediments import Impediment
from workplan_core.checkins.log import CheckinLog
from workplan_core.checkins.timeline import Visible, latest_as_of
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


def _whole_problem(name: str, value: object, least: int) -> Problem | None:
    """Why the policy's `name` is not an integer of at least `least`, or `None`."""
    if not is_whole(value):
        return wrong(f"$.{name}", "an integer", value)
    if cast("int", value) < least:
        rule = "must not be negative" if least == 0 else f"must be at least {least}"
        return Problem(f"$.{name}", rule)
    return None


def _check_policy(instance: DashboardPolicy, _: object, __: object) -> None:
    bounds = instance.age_buckets
    problems = [
        _whole_problem("interval_days", instance.interval_days, 1),
        _whole_problem("grace_days", instance.grace_days, 0),
    ]
    if type(bounds) is not tuple:
        problems.append(wrong("$.age_buckets", "a tuple of integers", bounds))
    elif not all(map(is_whole, bounds)):
        problems += [
            wrong(f"$.age_buckets[{i}]", "an integer", b)
            for i, b in enumerate(bounds)
            if not is_whole(b)
        ]
    elif any(b < 0 for b in bounds) or any(a >= b for a, b in itertools.pairwise(bounds)):
        problems.append(Problem("$.age_buckets", "must be non-negative and strictly increasing"))
    problems.append(_whole_problem("participation_days", instance.participation_days, 1))
    found = [problem for problem in problems if problem is not None]
    if found:
        raise ValidationError(found, summary="invalid dashboard policy")


@attrs.frozen
class DashboardPolicy:
    """Thresholds of a dashboard.

    Attributes:
        interval_days: the update interval assumed for owners without a cadence.
        grace_days: the grace period assumed for owners without a cadence.
        age_buckets: upper bounds (days) of the open-impediment age buckets.
        participation_days: how far back check-in participation is counted.

    Raises:
        ValidationError: naming every field of the wrong type (integers, and a tuple of
            integers for the buckets; a bool or a string is not an integer) or out of range.
    """

    interval_days: int = 7
    grace_days: int = 2
    age_buckets: tuple[int, ...] = (7, 14, 30)
    participation_days: int = attrs.field(default=91, validator=_check_policy)


class DashboardRow(NamedTuple):
    """One node on a dashboard (an immutable named tuple: dashboards build thousands).

    Attributes:
        node_id: the node.
        title: its title.
        level: its level.
        owner: who is accountable for it.
        progress: progress rolled up from the updates visible on the day.
        status: status rolled up likewise.
        confidence: the confidence of its latest visible update, if any.
        last_update: the day of that update, if any (for a correction, the day of the update
            it corrects: a correction restates an earlier reading, so it does not reset
            staleness).
        trend: progress at that update minus progress at the one before, if both are known.
        stale: a leaf without an update for longer than its owner's cadence plus grace.
        open_impediments: how many impediments on it are open.
        help_requested: whether one of them asks for help.
        days_overdue: days since its period ended, unless done or cancelled (else 0).
        outlook: the forecast's headline, when given.
    """

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

_DONE = Status.DONE
_CLOSED = Status.DONE.code  # codes from here on (done, cancelled) are closed
_CODE = {status.value: status.code for status in STATUSES}
_BLOCKED = Status.BLOCKED.code
_OFF_TRACK = Status.OFF_TRACK.code
_PERSON = OwnerKind.PERSON
_TEAM = OwnerKind.TEAM
_new_row = functools.partial(tuple.__new__, DashboardRow)
_COMPLETE = 1.0
_T = TypeVar("_T")
_SINCE = operator.attrgetter("since")
_SINCE_AND_SUBJECT = operator.attrgetter("since", "subject_id")
_NONES = itertools.repeat(None)


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


def readings_as_of(
    cascade: Cascade, log: CheckinLog, as_of: dt.date, node_ids: Iterable[str]
) -> dict[str, Reading]:
    """Each node's own reading from its latest update visible on `as_of`. O(k log u)."""
    wanted = list(node_ids)
    seen = latest_as_of(log.timelines_of(wanted), as_of)
    return {
        node_id: _reading(cascade.node(node_id), update)
        for node_id, update in zip(wanted, seen.current, strict=True)
        if update is not None
    }


@per_object
def _metrics(cascade: Cascade) -> list[tuple[float, float] | None]:
    """Per position, a metric node's ``(baseline, target)``, else `None`. O(n), once."""
    return [
        (m.baseline, m.target) if isinstance(m := node.measure, MetricMeasure) else None
        for node in cascade.nodes
    ]


def _readings(
    cascade: Cascade, seen: Visible
) -> tuple[list[float | None], list[int], list[float | None]]:
    """Own readings as columns (see `rollup_closure_columns`), as `_reading` would give them.

    `seen` holds the visible updates; the readings are those of `seen.read`. O(r) for r of
    them in C-level passes, plus Python-level work for the odd ones only (and the unreported
    progress of done nodes); builds no `Reading` (except to raise its error for an invalid
    update, the first in `seen.read` order).
    """
    progress, codes = seen.progress, seen.codes
    if None in progress:  # plain columns: not reported, so done counts as complete
        progress = [
            _COMPLETE if p is None and c == _CLOSED else p
            for p, c in zip(progress, codes, strict=True)
        ]
    values: list[float | None] = [None] * len(codes)
    if seen.odd:
        metrics, read = _metrics(cascade), seen.read
        for j, update in seen.odd.items():
            progress[j], codes[j], values[j] = _own(metrics[read[j]], update)
    return progress, codes, values


def _own(
    metric: tuple[float, float] | None, update: StatusUpdate
) -> tuple[float | None, int, float | None]:
    """One node's own progress, status code and value from an update (as `_reading`)."""
    reported, status = update.progress, update.status
    value = None if metric is None else update.value
    if value is not None and not magnitude_ok(value):
        Reading(reported, status, value)  # raises the reading's ValidationError
    own = reported
    if own is None:
        if metric is not None and value is not None:
            own = metric_progress(metric[0], metric[1], value)
        elif status is _DONE:
            own = 1.0
    elif not 0.0 <= own <= 1.0:
        Reading(own, status, value)  # raises the reading's ValidationError
    return own, _CODE[status._value_], value


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
    people: frozenset[str] | None
    teams: frozenset[str]  # the teams whose cadences count (with those of `people`)
    outlooks: Mapping[str, NodeOutlook]
    policy: DashboardPolicy


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
    """Check-ins held and missed in the window, and who missed the latest ones.

    Over the cadences with the people and the teams in scope only. O(c log h) for the c
    cadences in scope (see `CheckinLog.participation`).
    """
    as_of = scope.as_of
    window_start = as_of - dt.timedelta(days=scope.policy.participation_days)
    held, missed, runs = scope.log.participation(
        scope.people, as_of, window_start, teams=scope.teams
    )
    items = [
        AttentionItem(
            AttentionReason.MISSED_CHECKINS,
            cadence.subject.id,
            run[0],
            f"{cadence.subject.id} missed the last {len(run)} check-in(s) "
            f"with {cadence.manager_id}",
        )
        for cadence, run in runs
    ]
    return held, missed, items


def _build(title: str, positions: list[int], scope: _Scope) -> Dashboard:
    """Roll up the rows' closure as of the day, then rows, attention and summary."""
    with collector_paused():  # many small objects, no cycles: skip rescans of the whole log
        return _build_rows(title, positions, scope)


class _Static(NamedTuple):
    """What rows read from a cascade's nodes, as columns by position (built once per cascade)."""

    titles: list[str]
    levels: list[str]
    owners: list[OwnerRef]
    starts: list[dt.date]
    ends: list[dt.date]
    people: list[str | None]  # the owner's id when the owner is a person
    leaves: list[bool]  # nodes without contributors


@per_object
def _static(cascade: Cascade) -> _Static:
    """Node columns for rows. O(n), once per cascade."""
    nodes = cascade.nodes
    owners = [node.owner for node in nodes]
    periods = [node.period for node in nodes]
    children = cascade.index.children
    return _Static(
        titles=[node.title for node in nodes],
        levels=[node.level for node in nodes],
        owners=owners,
        starts=[period.start for period in periods],
        ends=[period.end for period in periods],
        people=[o.id if o.kind is _PERSON and o.id else None for o in owners],
        leaves=list(map(operator.eq, children.first, children.last)),
    )


def _stale(  # noqa: PLR0917
    positions: Sequence[int],
    codes: Sequence[int],
    last_update: Sequence[dt.date | None],
    static: _Static,
    stale_after: Mapping[str, int],
    default_days: int,
    as_of: dt.date,
) -> list[bool]:
    """Per row: a leaf, neither done nor cancelled, without an update for too long. O(k).

    Too long: more days since the last update (or, without one, since the period started)
    than the owner's cadence interval plus grace period, i.e. a day before a per-owner limit.
    In C-level passes, plus a step per row without an update.
    """
    people = map(static.people.__getitem__, positions)
    days_of = cast("Callable[[str | None, int], int]", stale_after.get)  # None: no person
    allowed = list(map(days_of, people, itertools.repeat(default_days)))
    limits = {days: _days_before(as_of, days) for days in set(allowed)}
    since = cast("list[dt.date]", list(last_update))
    for i in itertools.compress(range(len(since)), map(operator.is_, since, _NONES)):
        since[i] = static.starts[positions[i]]  # no update yet: since the period started
    late = map(operator.lt, since, map(limits.__getitem__, allowed))
    leaves = map(static.leaves.__getitem__, positions)
    unfinished = map(operator.gt, itertools.repeat(_CLOSED), codes)
    return list(map(operator.and_, map(operator.and_, late, leaves), unfinished))


def _days_before(day: dt.date, days: int) -> dt.date:
    """`days` days before `day`, or the first day there is."""
    return day - dt.timedelta(days=days) if day.toordinal() > days else dt.date.min


def _scatter(size: int, at: Sequence[int], values: Iterable[_T]) -> list[_T | None]:
    """A list of `size` items: `values` at the indexes `at` (ascending), `None` elsewhere."""
    if len(at) == size:
        return list(values)
    spread: list[_T | None] = [None] * size
    collections.deque(map(spread.__setitem__, at, values), maxlen=0)
    return spread


def _roll_up(positions: list[int], scope: _Scope) -> tuple[Visible, Sequence[float], Sequence[int]]:
    """What the rows' closure shows on the day, and its rolled-up progress and status codes.

    The rows come first in `Visible`; the rollup holds the closure's positions only.

    O(c log u) for the c nodes of the closure: one `bisect` into each node's timeline,
    then a rollup of the closure only (see `rollup_closure_columns`).
    """
    index = scope.cascade.index
    rows_at = set(positions)
    order = positions + list(itertools.filterfalse(rows_at.__contains__, closure(index, positions)))
    table = scope.log.timeline_table(scope.cascade)
    seen = table.visible(order, scope.as_of, rows=len(positions))
    progress, codes, values = _readings(scope.cascade, seen)
    state = rollup_closure_columns(
        index, order, read=seen.read, progress=progress, codes=codes, values=values
    )
    return seen, state.progress, state.status


def _overdue(ends: Sequence[dt.date], codes: Sequence[int], as_of: dt.date) -> list[int]:
    """Per row, days since its period ended, unless done or cancelled (else 0). O(k)."""
    days = [0] * len(ends)
    for i in itertools.compress(range(len(ends)), map(operator.lt, ends, itertools.repeat(as_of))):
        if codes[i] < _CLOSED:
            days[i] = (as_of - ends[i]).days
    return days


def _build_rows(title: str, positions: list[int], scope: _Scope) -> Dashboard:
    """The dashboard of the nodes at `positions` (in row order).

    O(c log u) for the c nodes of the rows' closure (the rows and everything contributing to
    them, see `_roll_up`); plus O(k + i log e) for k rows with i impediments on them, and
    the participation of the cadences in scope. Rows are built column by column, mostly in
    C-level passes.
    """
    as_of, cascade, log, policy = scope.as_of, scope.cascade, scope.log, scope.policy
    seen, progress, status = _roll_up(positions, scope)
    static = _static(cascade)
    k = len(positions)
    node_ids = list(map(cascade.index.ids.__getitem__, positions))
    codes = list(map(status.__getitem__, positions))
    updated = seen.hits[: seen.rows]  # the rows with a visible update
    last_update = _scatter(k, updated, seen.last_update)
    stale = _stale(
        positions,
        codes,
        last_update,
        static,
        log.stale_after(),
        policy.interval_days + policy.grace_days,
        as_of,
    )
    open_counts, asking, open_items = _open_impediments(log, node_ids, as_of)
    outlooks = scope.outlooks
    columns = zip(
        node_ids,
        map(static.titles.__getitem__, positions),
        map(static.levels.__getitem__, positions),
        map(static.owners.__getitem__, positions),
        map(progress.__getitem__, positions),
        map(STATUSES.__getitem__, codes),
        _scatter(k, updated, seen.confidence),
        last_update,
        _scatter(k, updated, seen.trend),
        stale,
        open_counts,
        map(operator.is_not, asking, itertools.repeat(None)),
        _overdue(list(map(static.ends.__getitem__, positions)), codes, as_of),
        map(outlooks.get, node_ids) if outlooks else itertools.repeat(None),
        strict=False,
    )
    rows = tuple(map(_new_row, columns))
    held, missed, missed_items = _participation(scope)
    attention: list[AttentionItem] = []
    for items in (
        _status_items(AttentionReason.BLOCKED, _BLOCKED, "is blocked", rows, codes),
        _status_items(AttentionReason.OFF_TRACK, _OFF_TRACK, "is off track", rows, codes),
        _help_items(node_ids, asking),
        _stale_items(rows, stale, static.starts, positions, as_of),
        missed_items,
    ):
        attention += _by_age(items, as_of)
    counts = collections.Counter(codes)
    summary = DashboardSummary(
        nodes=k,
        by_status={STATUSES[code]: counts[code] for code in dict.fromkeys(codes)},
        share_stale=stale.count(True) / k if k else 0.0,
        open_impediments_by_age=_impediment_ages(open_items, as_of, policy.age_buckets),
        checkins_held=held,
        checkins_missed=missed,
        participation=held / (held + missed) if held + missed else None,
    )
    return Dashboard(title, as_of, rows, summary, tuple(attention))


def _by_age(items: list[AttentionItem], as_of: dt.date) -> list[AttentionItem]:
    """The items longest-standing first (no start: `as_of`), ties by subject, then as given."""
    if any(map(operator.is_, map(_SINCE, items), itertools.repeat(None))):
        return sorted(items, key=lambda a: (a.since or as_of, a.subject_id))
    return sorted(items, key=_SINCE_AND_SUBJECT)  # the same key, read in C


def _status_items(
    reason: AttentionReason, code: int, what: str, rows: Sequence[DashboardRow], codes: list[int]
) -> list[AttentionItem]:
    """An item per row whose rolled-up status has `code`, in row order. O(k) in C-level passes."""
    return [
        AttentionItem(reason, row.node_id, row.last_update, f"{row.title} {what}")
        for row in itertools.compress(rows, map(operator.eq, codes, itertools.repeat(code)))
    ]


def _help_items(
    node_ids: Sequence[str], asking: Sequence[Impediment | None]
) -> list[AttentionItem]:
    """An item per row with an open impediment asking for help, in row order."""
    return [
        AttentionItem(
            AttentionReason.HELP_REQUESTED,
            node_id,
            a.help_asked_on,
            f"help requested from {a.help_from}: {a.description}",
        )
        for node_id, a in zip(node_ids, asking, strict=True)
        if a is not None
    ]


def _stale_items(
    rows: Sequence[DashboardRow],
    stale: list[bool],
    starts: Sequence[dt.date],
    positions: Sequence[int],
    as_of: dt.date,
) -> list[AttentionItem]:
    """An item per stale row, in row order, since its last update (else its period's start)."""
    items = []
    for row, position in itertools.compress(zip(rows, positions, strict=True), stale):
        since = row.last_update or starts[position]
        items.append(
            AttentionItem(
                AttentionReason.STALE,
                row.node_id,
                since,
                f"{row.title}: no update for {(as_of - since).days} days",
            )
        )
    return items


def _open_impediments(
    log: CheckinLog, node_ids: Sequence[str], as_of: dt.date
) -> tuple[list[int], list[Impediment | None], list[Impediment]]:
    """Per row, how many impediments are open and the first asking for help; and all open ones.

    O(k + i log e) for k rows and the i impediments that may be open on them that day.
    """
    counts = [0] * len(node_ids)
    asking: list[Impediment | None] = [None] * len(node_ids)
    found: list[Impediment] = []
    for i, items in log.open_impediments(node_ids, as_of).items():
        counts[i] = len(items)
        asking[i] = next((item for item in items if item.help_from is not None), None)
        found += items
    return counts, asking, found


@per_object
def _nodes_by_owner(cascade: Cascade) -> dict[OwnerRef, list[int]]:
    """Node positions grouped by owner, built once per cascade. O(n)."""
    groups: dict[OwnerRef, list[int]] = {}
    for position, node in enumerate(cascade.nodes):
        groups.setdefault(node.owner, []).append(position)
    return groups


_OwnersKept = collections.OrderedDict[
    tuple[int, dt.date], tuple["weakref.ref[Organisation]", dict[str, list[list[int]]]]
]


@per_object
def _owners_kept(cascade: Cascade) -> _OwnersKept:
    """The few latest `_owners_on` results of a cascade, by organisation identity and day."""
    return collections.OrderedDict()


def _owners_on(
    cascade: Cascade, organisation: Organisation, as_of: dt.date
) -> dict[str, list[list[int]]]:
    """Per person, the groups of node positions they own on `as_of` (directly or not).

    A node owned by a person belongs to that person; any other owner (position, team,
    department…) is resolved once. Depends only on the cascade, the organisation (both
    immutable) and the day, so the latest four are kept with the cascade (without keeping
    the organisation alive). O(u·r) for u distinct owners costing r to resolve.
    """
    kept = _owners_kept(cascade)
    key = (id(organisation), as_of)
    hit = kept.get(key)
    if hit is not None and hit[0]() is organisation:
        kept.move_to_end(key)
        return hit[1]
    by_person: dict[str, list[list[int]]] = {}
    for owner, positions in _nodes_by_owner(cascade).items():
        if owner.kind is _PERSON:
            by_person.setdefault(owner.id, []).append(positions)
        else:
            for person in organisation.resolve_owner(owner, as_of):
                by_person.setdefault(person, []).append(positions)
    kept[key] = (weakref.ref(organisation), by_person)
    while len(kept) > 4:
        kept.popitem(last=False)
    return by_person


def _owned_by(
    cascade: Cascade, organisation: Organisation, people: Collection[str], as_of: dt.date
) -> list[int]:
    """Positions of the nodes whose owner resolves to someone in `people` on `as_of`, sorted.

    O(p + k log k) for p people and k nodes found (see `_owners_on` for the first call on a
    day).
    """
    owned = _owners_on(cascade, organisation, as_of)
    groups = itertools.chain.from_iterable(map(owned.get, people, itertools.repeat(())))
    return sorted(set(itertools.chain.from_iterable(groups)))


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

    Check-in participation counts the cadences with those people and with the teams that
    have one of them as a member on `as_of` (not every team's).

    O(u·r) to find the k rows among u distinct owners, then O(c log u) for the c nodes of
    the rows' closure (see `_build_rows`), plus the cadences of the people in scope and a
    membership lookup per team with a cadence.

    Raises:
        ValidationError: `as_of`, `cascade`, `organisation` or `log` is not of its type.
    """
    check_arguments(
        "invalid dashboard arguments",
        as_of=(as_of, dt.date),
        cascade=(cascade, Cascade),
        organisation=(organisation, Organisation),
        log=(log, CheckinLog),
    )
    rules = policy or DashboardPolicy()
    people = {manager_id} | set(organisation.reports(manager_id, as_of))
    positions = _owned_by(cascade, organisation, people, as_of)
    teams = _teams_with(log, organisation, people, as_of)
    scope = _Scope(as_of, cascade, log, frozenset(people), teams, outlooks or {}, rules)
    return _build(f"dashboard of {manager_id}", positions, scope)


def node_dashboard(
    node_id: str,
    *,
    as_of: dt.date,
    cascade: Cascade,
    log: CheckinLog,
    outlooks: Mapping[str, NodeOutlook] | None = None,
    policy: DashboardPolicy | None = None,
) -> Dashboard:
    """The dashboard of a cascade node and everything beneath it (its subtree).

    Check-in participation counts the cadences with the people and the teams that own a
    node of the subtree.

    O(c log u) for the c nodes of the subtree, plus the cadences of its owners.

    Raises:
        NotFoundError: no node has that id.
        ValidationError: `as_of`, `cascade` or `log` is not of its type.
    """
    check_arguments(
        "invalid dashboard arguments",
        as_of=(as_of, dt.date),
        cascade=(cascade, Cascade),
        log=(log, CheckinLog),
    )
    rules = policy or DashboardPolicy()
    positions = _subtree(cascade, node_id)
    owners = list(map(_static(cascade).owners.__getitem__, positions))
    people = frozenset(o.id for o in owners if o.kind is _PERSON)
    teams = frozenset(o.id for o in owners if o.kind is _TEAM)
    scope = _Scope(as_of, cascade, log, people, teams, outlooks or {}, rules)
    return _build(f"dashboard of {node_id}", positions, scope)


def _teams_with(
    log: CheckinLog, organisation: Organisation, people: Collection[str], as_of: dt.date
) -> frozenset[str]:
    """The teams with a cadence in `log` that have a member among `people` on `as_of`.

    Teams the organisation does not know have no members. O(t·m) for t teams with a
    cadence of up to m members.
    """
    found = []
    for team in log.cadence_teams():
        try:
            members = organisation.resolve_owner(OwnerRef(_TEAM, team), as_of)
        except NotFoundError:
            continue
        if not members.isdisjoint(people):
            found.append(team)
    return frozenset(found)


def _subtree(cascade: Cascade, root: str) -> list[int]:
    """`root`'s position first, then every node contributing to it, in cascade order."""
    cascade.node(root)  # raises NotFoundError for an unknown root
    top = cascade.index.pos[root]
    return [top, *sorted(p for p in closure(cascade.index, [top]) if p != top)]
