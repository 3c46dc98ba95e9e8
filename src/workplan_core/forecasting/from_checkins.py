"""Forecasts straight from the check-in log and the cascade, and their rollup up the cascade.

* [forecast_node][workplan_core.forecasting.from_checkins.forecast_node]: the throughput
  forecast of a node from its tasks (the leaves beneath it through primary parents). Each
  task is read with its status on `as_of` (see
  [status_as_of][workplan_core.forecasting.from_checkins.status_as_of]: its latest update
  visible then, corrections applied, else its own status), as the dashboards read it:
  cancelled tasks are left out, done tasks are finished, the rest are the remaining work.
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
  parent's CDF is the product of the CDFs of *all* its children that are base nodes or have
  one beneath them, whatever depth the base nodes sit at
  (see [combine_children][workplan_core.forecasting.flags.combine_children]) — and flag every
  node whose on-time probability is below the policy's threshold, naming the children driving
  its risk. Children with no base node beneath them have no forecast and are left out.
* [outlooks][workplan_core.forecasting.from_checkins.outlooks]: P85 dates and flags in the form
  the check-in dashboard shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs

from workplan_core.cascade import Cascade, Node, Status, subtree
from workplan_core.checkins import CheckinLog, NodeOutlook
from workplan_core.forecasting._checks import day_problems, raise_if, type_problems, whole_problems
from workplan_core.forecasting.flags import DelayFlag, FlagPolicy, combine_children, delay_flag
from workplan_core.forecasting.forecast import (
    Forecast,
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


def _work(
    cascade: Cascade,
    log: CheckinLog,
    node_id: str,
    *,
    as_of: dt.date,
    periods: int,
    rules: ForecastSettings,
) -> _Work:
    tasks = tasks_of(cascade, node_id)
    status = [status_as_of(log, t, as_of) for t in tasks]
    active = [t.id for t, s in zip(tasks, status, strict=True) if s is not Status.CANCELLED]
    done = [t.id for t, s in zip(tasks, status, strict=True) if s is Status.DONE]
    finished = done_days(log, done, as_of)
    history = throughput_counts(sorted(finished.values()), as_of, periods, rules)
    node = cascade.node(node_id)
    begun = bool(finished) or (node.period.start <= as_of and work_begun(log, active, as_of))
    remaining = len(active) - len(done)
    last = max(finished.values()) if finished and len(finished) == len(done) else None
    return _Work(node, history, remaining, begun, last if remaining == 0 else None)


def _forecast(
    work: _Work,
    as_of: dt.date,
    rules: ForecastSettings,
    split_rate: float = 0.0,
    reference: Sequence[int] | None = None,
) -> Forecast:
    history, notes = work.history, []
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

    Raises:
        ValidationError: `as_of` is not a date (or is a datetime), `history_periods` is not
            a whole number >= 1, or another argument is of the wrong type (every problem at
            once).
    """
    _check_call(cascade, log, as_of, history_periods, node_id=node_id)
    rules = settings or ForecastSettings()
    work = _work(cascade, log, node_id, as_of=as_of, periods=history_periods, rules=rules)
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
            combined from all its children that are base nodes or have one beneath them, so
            base nodes may sit at different depths. A base node whose work has not begun
            borrows the pooled history of its siblings whose work has, else of every base
            node whose work has (see `forecast_node`'s `reference`).
        history_periods: periods of throughput history per forecast.
        settings: calendar and period length.
        policy: when to flag.

    Returns:
        The forecasts and the delay flags, by node id.

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
    works = {
        node.id: _work(cascade, log, node.id, as_of=as_of, periods=history_periods, rules=rules)
        for node in cascade.nodes
        if node.level == base_level
    }
    by_parent, pooled = _references(works)
    forecasts: dict[str, Forecast] = {}
    for node_id, work in works.items():
        reference = by_parent.get(work.node.parent, pooled)
        forecasts[node_id] = _forecast(work, as_of, rules, reference=reference)
    drivers: dict[str, tuple[str, ...]] = {}
    children = _combined_children(cascade, works)
    waiting = {parent: len(kids) for parent, kids in children.items()}
    ready = list(works)
    while ready:  # a parent is combined once every child beneath it has its forecast
        parent = cascade.node(ready.pop()).parent
        if parent is None or parent not in waiting:
            continue
        waiting[parent] -= 1
        if waiting[parent] == 0:
            kids = [forecasts[k] for k in sorted(children[parent])]
            due = cascade.node(parent).period.end
            forecasts[parent], drivers[parent] = combine_children(
                parent, kids, as_of=as_of, due=due
            )
            ready.append(parent)
    flags = {}
    for node_id, forecast in forecasts.items():
        flag = delay_flag(forecast, policy, drivers.get(node_id, ()))
        if flag is not None:
            flags[node_id] = flag
    return forecasts, flags


def _combined_children(cascade: Cascade, base: Mapping[str, object]) -> dict[str, set[str]]:
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
