"""Forecasts straight from the check-in log and the cascade, and their rollup up the cascade.

* [forecast_node][workplan_core.forecasting.from_checkins.forecast_node]: the throughput
  forecast of a node from its tasks (the leaves beneath it through primary parents). Each
  node is read with its status on `as_of` (see
  [status_as_of][workplan_core.forecasting.from_checkins.status_as_of]: its latest update
  visible then, corrections applied, else its own status), as the dashboards read it:
  cancelled tasks are left out, and so is everything beneath a cancelled node; done tasks
  are finished, the rest are the remaining work. A node with no task left (every one
  cancelled) reads by its own status, as in the cascade's rollup: it stands for its own
  work, one task, done if it was reported done. A node cancelled on `as_of` has no forecast.
  The day each done task's latest run of "done" reports began gives the per-period history
  (a task reopened since is not done). The end of the node's period is the due date and
  nothing finishes in the whole periods before the one holding its start. Only updates
  visible on `as_of` are used, so a past forecast is reproducible. Work with nothing left
  is finished: it reads as on time when its last task finished by the due date, and is
  never flagged. Work that has not begun (nothing finished, and either its period has not
  started or no task was reported as more than not started) has no history of its own: it
  may borrow a *reference* history (the throughput of comparable work), with a warning
  saying so. Work that has begun and finished nothing keeps its own history: a stall is news.
* [forecast_cascade][workplan_core.forecasting.from_checkins.forecast_cascade]: forecast the
  nodes at the base level (those whose work has not begun borrow the pooled history of
  their siblings' that has, or of every base node's that has), then combine upwards — a
  parent's CDF is the product of the CDFs of *all* its children that have a forecast: base
  nodes, or nodes with one beneath them, whatever depth the base nodes sit at
  (see [combine_children][workplan_core.forecasting.flags.combine_children]) — and flag every
  node whose on-time probability is below the policy's threshold, naming the children driving
  its risk. Children with no base node beneath them have no forecast and are left out.
  **Cancelled work drops out**, as cancelled nodes drop out of their parents' rollup: a node
  cancelled on `as_of` (in the plan or in a check-in) has no forecast and no flag and is left
  out of its parent (the nodes beneath it keep theirs, but count only up to it), and neither
  its history nor its tasks count anywhere. A parent with no child left to combine (each one
  cancelled or without a forecast) reads by its own status: done if it was reported done,
  else it has no forecast either (and drops out of its own parent).
* [outlooks][workplan_core.forecasting.from_checkins.outlooks]: P85 dates and flags in the form
  the check-in dashboard shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from workplan_core.cascade import Cascade, Node, Status, subtree
from workplan_core.checkins import CheckinLog, NodeOutlook
from workplan_core.errors import ValidationError
from workplan_core.forecasting._checks import day_problems, raise_if, type_problems, whole_problems
from workplan_core.forecasting.flags import DelayFlag, FlagPolicy, combine_children, delay_flag
from workplan_core.forecasting.forecast import (
    Forecast,
    ForecastMethod,
    ForecastSettings,
    forecast_throughput,
    throughput_counts,
)

__all__ = [
    "done_days",
    "forecast_cascade",
    "forecast_node",
    "outlooks",
    "status_as_of",
    "tasks_of",
    "work_begun",
]


def tasks_of(cascade: Cascade, node_id: str) -> list[Node]:
    """The leaves beneath `node_id` through primary parents (itself if it is a leaf)."""
    below = subtree(cascade, node_id)
    parents = {n.parent for n in below if n.parent is not None}
    return [n for n in below if n.id not in parents]


def status_as_of(log: CheckinLog, node: Node, as_of: dt.date) -> Status:
    """The node's status on `as_of`: its latest update visible then, else its own status.

    Corrections recorded by `as_of` are applied (see
    [Timeline][workplan_core.checkins.timeline.Timeline]), as on the dashboards. O(log u).
    """
    timeline = log.timeline(node.id)
    seen = None if timeline is None else timeline.pair(as_of)
    return node.status if seen is None else seen[0].status


def done_days(log: CheckinLog, node_ids: Iterable[str], as_of: dt.date) -> dict[str, dt.date]:
    """The day each node still done on `as_of` was reported done, among updates visible then.

    That is the first update of the node's latest unbroken run of "done" updates: a task
    reported done again stays done since the first report, and a task reopened since is not
    done (if it is reported done once more, it finished on that later day). Nodes whose
    latest visible update is not "done" are left out. O(u) for u updates in all.

    Raises:
        ValidationError: `as_of` is not a date (or is a datetime).
    """
    raise_if(day_problems("$.as_of", as_of), "invalid forecast days")
    found: dict[str, dt.date] = {}
    for node_id in node_ids:
        timeline = log.timeline(node_id)
        if timeline is None:
            continue
        since: dt.date | None = None
        for update in timeline.history(as_of):
            if update.status is not Status.DONE:
                since = None
            elif since is None:
                since = update.on
        if since is not None:
            found[node_id] = since
    return found


def work_begun(log: CheckinLog, node_ids: Iterable[str], as_of: dt.date) -> bool:
    """Whether any of the nodes' latest update visible on `as_of` says more than "not started".

    O(k·log u) for k nodes.

    Raises:
        ValidationError: `as_of` is not a date (or is a datetime).
    """
    raise_if(day_problems("$.as_of", as_of), "invalid forecast days")
    for node_id in node_ids:
        timeline = log.timeline(node_id)
        point = None if timeline is None else timeline.at(as_of)
        if point is not None and point.update.status is not Status.NOT_STARTED:
            return True
    return False


@attrs.frozen
class _Work:
    """What a node's throughput forecast is made of."""

    node: Node
    history: list[int]
    remaining: int
    started: bool
    finished: dt.date | None  # when nothing remains: the last finish day, if every one is known
    notes: tuple[str, ...] = ()


_OWN_TASK = "every task beneath it is cancelled: read by its own status, as one task"
"""The warning of a node forecast as its own task because every task beneath it is cancelled."""

_OWN_DONE = "every child has dropped out (cancelled): done by its own status"
"""The warning of a node above the base level read as done by its own status."""


def _active_tasks(
    cascade: Cascade, log: CheckinLog, node_id: str, as_of: dt.date
) -> tuple[list[tuple[Node, Status]], bool]:
    """The tasks of `node_id` still in play on `as_of`, each with its status then.

    Those are the leaves beneath it through primary parents, not passing through nodes
    cancelled on `as_of`, cancelled leaves left out (as a leaf-scoped rollup reads them).
    Also whether `node_id` has children at all. O(s·log u) for the s nodes of its subtree.
    """
    kids: dict[str, list[Node]] = {}
    for node in subtree(cascade, node_id):
        if node.id != node_id and node.parent is not None:
            kids.setdefault(node.parent, []).append(node)
    tasks: list[tuple[Node, Status]] = []
    stack = list(reversed(kids.get(node_id, ())))
    while stack:
        node = stack.pop()
        status = status_as_of(log, node, as_of)
        if status is Status.CANCELLED:
            continue
        below = kids.get(node.id)
        if below:
            stack.extend(reversed(below))
        else:
            tasks.append((node, status))
    return tasks, node_id in kids


def _work(
    cascade: Cascade,
    log: CheckinLog,
    node_id: str,
    *,
    as_of: dt.date,
    periods: int,
    rules: ForecastSettings,
) -> _Work | None:
    """What `node_id`'s forecast is made of on `as_of`, or `None` when it is cancelled then."""
    node = cascade.node(node_id)
    own = status_as_of(log, node, as_of)
    if own is Status.CANCELLED:
        return None
    tasks, has_children = _active_tasks(cascade, log, node_id, as_of)
    notes: tuple[str, ...] = ()
    if not tasks:  # a leaf, or every task beneath it cancelled: it stands for its own work
        tasks = [(node, own)]
        notes = (_OWN_TASK,) if has_children else ()
    active = [t.id for t, _ in tasks]
    done = [t.id for t, s in tasks if s is Status.DONE]
    finished = done_days(log, done, as_of)
    history = throughput_counts(sorted(finished.values()), as_of, periods, rules)
    begun = bool(finished) or (node.period.start <= as_of and work_begun(log, active, as_of))
    remaining = len(active) - len(done)
    last = max(finished.values()) if finished and len(finished) == len(done) else None
    return _Work(node, history, remaining, begun, last if remaining == 0 else None, notes)


def _forecast(
    work: _Work,
    as_of: dt.date,
    rules: ForecastSettings,
    split_rate: float = 0.0,
    reference: Sequence[int] | None = None,
) -> Forecast:
    history, notes = work.history, list(work.notes)
    if not work.started and reference and any(reference):
        history = list(reference)
        notes.append(
            "no task has begun yet: forecast from the throughput of "
            f"comparable work ({len(history)} periods)"
        )
    return forecast_throughput(
        work.node.id,
        history,
        work.remaining,
        as_of=as_of,
        due=work.node.period.end,
        start=work.node.period.start,
        split_rate=split_rate,
        settings=rules,
        warnings=notes,
        finished=work.finished,
    )


def _check_call(
    cascade: object, log: object, as_of: object, history_periods: object, **names: object
) -> None:
    problems = type_problems("$.cascade", cascade, Cascade)
    problems += type_problems("$.log", log, CheckinLog)
    problems += day_problems("$.as_of", as_of)
    problems += whole_problems("$.history_periods", history_periods, low=1)
    for name, value in names.items():
        problems += type_problems(f"$.{name}", value, str)
    raise_if(problems, "invalid forecast arguments")


def forecast_node(
    cascade: Cascade,
    log: CheckinLog,
    node_id: str,
    *,
    as_of: dt.date,
    history_periods: int = 12,
    split_rate: float = 0.0,
    settings: ForecastSettings | None = None,
    reference: Sequence[int] | None = None,
) -> Forecast:
    """Forecast `node_id` from the throughput of the tasks beneath it. O(t·u + forecast).

    Args:
        cascade: the cascade.
        log: the check-in log.
        node_id: the node.
        as_of: the day of the forecast; only updates visible then are used.
        history_periods: periods of throughput history.
        split_rate: how much the remaining work grows as it is broken down.
        settings: calendar, period length and horizon.
        reference: per-period counts of comparable work, used (with a warning) when no task
            of the node has begun (see `work_begun`).

    The tasks are the leaves beneath the node, not passing through nodes cancelled on
    `as_of`, cancelled tasks left out. With none left (or none at all) the node stands for
    its own work: one task with its own status on `as_of` (done since the day it was
    reported done, if it was), with a warning when it has cancelled tasks.

    Raises:
        ValidationError: `as_of` is not a date (or is a datetime), `history_periods` is not
            a whole number >= 1, or another argument is of the wrong type (every problem at
            once); or the node is cancelled on `as_of` (`$.node_id`: cancelled work has no
            forecast).
    """
    _check_call(cascade, log, as_of, history_periods, node_id=node_id)
    rules = settings or ForecastSettings()
    work = _work(cascade, log, node_id, as_of=as_of, periods=history_periods, rules=rules)
    if work is None:
        rule = f"{node_id!r} is cancelled on {as_of}: cancelled work has no forecast"
        raise ValidationError.single("$.node_id", rule)
    return _forecast(work, as_of, rules, split_rate, reference)


def _references(works: Mapping[str, _Work]) -> tuple[dict[str | None, list[int]], list[int]]:
    """Pooled histories of begun work: per parent (if it finished anything), and overall."""
    by_parent: dict[str | None, list[int]] = {}
    pooled: list[int] = []
    for work in works.values():
        if work.started:
            by_parent.setdefault(work.node.parent, []).extend(work.history)
            pooled.extend(work.history)
    return {parent: h for parent, h in by_parent.items() if any(h)}, pooled


def forecast_cascade(
    cascade: Cascade,
    log: CheckinLog,
    *,
    as_of: dt.date,
    base_level: str,
    history_periods: int = 12,
    settings: ForecastSettings | None = None,
    policy: FlagPolicy | None = None,
) -> tuple[dict[str, Forecast], dict[str, DelayFlag]]:
    """Forecast every node at `base_level` from its tasks, then combine them up the cascade.

    Args:
        cascade: the cascade.
        log: the check-in log.
        as_of: the day of the forecasts.
        base_level: the level forecast from throughput (e.g. ``"team goal"``); every
            ancestor of a base node (through primary parents) that is not one itself is
            combined from all its children that have a forecast (base nodes, or nodes with
            one beneath them), so base nodes may sit at different depths. A base node whose
            work has not begun borrows the pooled history of its siblings whose work has,
            else of every base node whose work has (see `forecast_node`'s `reference`).
        history_periods: periods of throughput history per forecast.
        settings: calendar and period length.
        policy: when to flag.

    Returns:
        The forecasts and the delay flags, by node id. A node cancelled on `as_of` (its
        latest update visible then, else its planned status) is not in either: it has no
        forecast and takes no part in its parent's (nor, for a base node, does its history in
        any reference). A node above the base level with no child left to combine is
        finished if its own status on `as_of` is done (on the day it was reported done, if
        known), and otherwise is left out too, and so out of its own parent.

    Raises:
        ValidationError: `as_of` is not a date (or is a datetime), `history_periods` is not
            a whole number >= 1, or another argument is of the wrong type (every problem at
            once).

    O(b·(t·u + F) + n·c·D) for b base nodes with t tasks, u updates per task and F a
    forecast's cost, and the combination of c children over D dates per combined node.
    """
    _check_call(cascade, log, as_of, history_periods, base_level=base_level)
    # children are computed far into their tails: a product of CDFs cut at P95 never gets past
    # the children's P95s
    given = settings or ForecastSettings()
    rules = attrs.evolve(given, until_probability=max(given.until_probability, 0.999))
    base = dict.fromkeys(node.id for node in cascade.nodes if node.level == base_level)
    works: dict[str, _Work] = {}
    for node_id in base:
        work = _work(cascade, log, node_id, as_of=as_of, periods=history_periods, rules=rules)
        if work is not None:  # cancelled on as_of: no forecast, and no part in any other
            works[node_id] = work
    by_parent, pooled = _references(works)
    forecasts: dict[str, Forecast] = {}
    for node_id, work in works.items():
        reference = by_parent.get(work.node.parent, pooled)
        forecasts[node_id] = _forecast(work, as_of, rules, reference=reference)
    drivers: dict[str, tuple[str, ...]] = {}
    children = _combined_children(cascade, base)
    waiting = {parent: len(kids) for parent, kids in children.items()}
    ready = list(base)
    while ready:  # a parent is combined once every child beneath it is settled
        parent = cascade.node(ready.pop()).parent
        if parent is None or parent not in waiting:
            continue
        waiting[parent] -= 1
        if waiting[parent] == 0:
            ready.append(parent)
            kids = [forecasts[k] for k in sorted(children[parent]) if k in forecasts]
            combined = _combine(cascade.node(parent), kids, log, as_of)
            if combined is not None:
                forecasts[parent], drivers[parent] = combined
    flags = {}
    for node_id, forecast in forecasts.items():
        flag = delay_flag(forecast, policy, drivers.get(node_id, ()))
        if flag is not None:
            flags[node_id] = flag
    return forecasts, flags


def _combine(
    node: Node, kids: Sequence[Forecast], log: CheckinLog, as_of: dt.date
) -> tuple[Forecast, tuple[str, ...]] | None:
    """A node above the base level: combined from the forecasts of its children, if any.

    `None` when it is cancelled on `as_of`, or has no child with a forecast and is not done
    by its own status (then it is done since the day it was reported done, if known).
    """
    status = status_as_of(log, node, as_of)
    if status is Status.CANCELLED:
        return None
    due = node.period.end
    if kids:
        return combine_children(node.id, kids, as_of=as_of, due=due)
    if status is not Status.DONE:
        return None
    finished = done_days(log, [node.id], as_of).get(node.id)
    forecast = Forecast(
        node_id=node.id,
        as_of=as_of,
        method=ForecastMethod.COMBINED,
        dates=(as_of,),
        cdf=(1.0,),
        due=due,
        warnings=(_OWN_DONE,),
        finished=finished,
    )
    return forecast, ()


def _combined_children(cascade: Cascade, base: Collection[str]) -> dict[str, set[str]]:
    """For every node combined from forecasts, the children it is combined from.

    Those are the ancestors (through primary parents) of the base nodes that are not base
    nodes themselves (a base node is forecast from its own tasks), each combined from every
    child that is a base node or has one beneath it — at whatever depth. O(n).
    """
    children: dict[str, set[str]] = {}
    for node_id in base:
        child, parent = node_id, cascade.node(node_id).parent
        while parent is not None and parent not in base:
            known = parent in children
            children.setdefault(parent, set()).add(child)
            if known:
                break
            child, parent = parent, cascade.node(parent).parent
    return children


def outlooks(
    forecasts: Mapping[str, Forecast], flags: Mapping[str, DelayFlag]
) -> dict[str, NodeOutlook]:
    """The dashboard's view of each forecast: P85, on-time probability and flag severity."""
    return {
        node_id: NodeOutlook(
            p85=forecast.p85,
            on_time_probability=forecast.on_time_probability,
            flag=flags[node_id].severity.value if node_id in flags else None,
        )
        for node_id, forecast in forecasts.items()
    }
