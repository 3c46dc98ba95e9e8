"""Forecasts straight from the check-in log and the cascade, and their rollup up the cascade.

* [forecast_node][workplan_core.forecasting.from_checkins.forecast_node]: the throughput
  forecast of a node from its tasks (the leaves beneath it through primary parents, cancelled
  ones left out): the days tasks were first reported done give the per-period history, the
  tasks not yet done are the remaining work, the end of the node's period is the due date and
  nothing finishes before its period starts. Only updates visible on `as_of` are used, so a
  past forecast is reproducible. Work that has not begun (nothing finished, and either its
  period has not started or no task was reported as more than not started) has no history
  of its own: it may borrow a *reference* history (the throughput
  of comparable work), with a warning saying so. Work that has begun and finished nothing
  keeps its own history: a stall is news.
* [forecast_cascade][workplan_core.forecasting.from_checkins.forecast_cascade]: forecast the
  nodes at the base level (those whose work has not begun borrow the pooled history of
  their siblings' that has, or of every base node's that has), then combine upwards — a parent's CDF
  is the product of its children's
  (see [combine_children][workplan_core.forecasting.flags.combine_children]) — and flag every
  node whose on-time probability is below the policy's threshold, naming the children driving
  its risk.
* [outlooks][workplan_core.forecasting.from_checkins.outlooks]: P85 dates and flags in the form
  the check-in dashboard shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs

from workplan_core.cascade import Cascade, Node, Status, subtree
from workplan_core.checkins import CheckinLog, NodeOutlook
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
    "tasks_of",
    "work_begun",
]


def tasks_of(cascade: Cascade, node_id: str) -> list[Node]:
    """The leaves beneath `node_id` through primary parents (itself if it is a leaf)."""
    below = subtree(cascade, node_id)
    parents = {n.parent for n in below if n.parent is not None}
    return [n for n in below if n.id not in parents]


def done_days(log: CheckinLog, node_ids: Iterable[str], as_of: dt.date) -> dict[str, dt.date]:
    """The first day each node was reported done, among updates visible on `as_of`."""
    found: dict[str, dt.date] = {}
    for node_id in node_ids:
        timeline = log.timeline(node_id)
        if timeline is None:
            continue
        for update in timeline.history(as_of):
            if update.status is Status.DONE:
                found[node_id] = update.on
                break
    return found


def work_begun(log: CheckinLog, node_ids: Iterable[str], as_of: dt.date) -> bool:
    """Whether any of the nodes' latest update visible on `as_of` says more than "not started".

    O(k·log u) for k nodes.
    """
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


def _work(
    cascade: Cascade,
    log: CheckinLog,
    node_id: str,
    *,
    as_of: dt.date,
    periods: int,
    rules: ForecastSettings,
) -> _Work:
    tasks = [t.id for t in tasks_of(cascade, node_id) if t.status is not Status.CANCELLED]
    finished = done_days(log, tasks, as_of)
    history = throughput_counts(sorted(finished.values()), as_of, periods, rules)
    node = cascade.node(node_id)
    begun = bool(finished) or (node.period.start <= as_of and work_begun(log, tasks, as_of))
    return _Work(node, history, len(tasks) - len(finished), begun)


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
    )


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
    """Forecast `node_id` from the throughput of the tasks beneath it. O(t·log u + forecast).

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
    """
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
        base_level: the level forecast from throughput (e.g. ``"team goal"``); the levels above
            are combined from it through primary parents. A base node whose work has not begun
            borrows the pooled history of its siblings whose work has, else of every base
            node whose work has (see `forecast_node`'s `reference`).
        history_periods: periods of throughput history per forecast.
        settings: calendar and period length.
        policy: when to flag.

    Returns:
        The forecasts and the delay flags, by node id.
    """
    # children are computed far into their tails: a product of CDFs cut at P95 never gets past
    # the children's P95s
    given = settings or ForecastSettings()
    rules = attrs.evolve(given, until_probability=max(given.until_probability, 0.999))
    forecasts: dict[str, Forecast] = {}
    children: dict[str, list[str]] = {}
    works = {
        node.id: _work(cascade, log, node.id, as_of=as_of, periods=history_periods, rules=rules)
        for node in cascade.nodes
        if node.level == base_level
    }
    by_parent, pooled = _references(works)
    for node_id, work in works.items():
        reference = by_parent.get(work.node.parent, pooled)
        forecasts[node_id] = _forecast(work, as_of, rules, reference=reference)
    drivers: dict[str, tuple[str, ...]] = {}
    frontier = set(forecasts)
    while frontier:
        children.clear()
        for node_id in frontier:
            parent = cascade.node(node_id).parent
            if parent is not None:
                children.setdefault(parent, []).append(node_id)
        for parent, kids in children.items():
            due = cascade.node(parent).period.end
            forecasts[parent], drivers[parent] = combine_children(
                parent, [forecasts[k] for k in sorted(kids)], as_of=as_of, due=due
            )
        frontier = set(children)
    flags = {}
    for node_id, forecast in forecasts.items():
        flag = delay_flag(forecast, policy, drivers.get(node_id, ()))
        if flag is not None:
            flags[node_id] = flag
    return forecasts, flags


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
