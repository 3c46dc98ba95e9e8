"""Forecasts straight from the check-in log and the cascade, and their rollup up the cascade.

* [forecast_node][workplan_core.forecasting.from_checkins.forecast_node]: the throughput
  forecast of a node from its tasks (the leaves beneath it through primary parents, cancelled
  ones left out): the days tasks were first reported done give the per-period history, the
  tasks not yet done are the remaining work, the end of the node's period is the due date. Only
  updates visible on `as_of` are used, so a past forecast is reproducible.
* [forecast_cascade][workplan_core.forecasting.from_checkins.forecast_cascade]: forecast the
  leaves' parents, then combine upwards — a parent's CDF is the product of its children's
  (see [combine_children][workplan_core.forecasting.flags.combine_children]) — and flag every
  node whose on-time probability is below the policy's threshold, naming the children driving
  its risk.
* [outlooks][workplan_core.forecasting.from_checkins.outlooks]: P85 dates and flags in the form
  the check-in dashboard shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

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

__all__ = ["done_days", "forecast_cascade", "forecast_node", "outlooks", "tasks_of"]


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


def forecast_node(
    cascade: Cascade,
    log: CheckinLog,
    node_id: str,
    *,
    as_of: dt.date,
    history_periods: int = 12,
    split_rate: float = 0.0,
    settings: ForecastSettings | None = None,
) -> Forecast:
    """Forecast `node_id` from the throughput of the tasks beneath it. O(t·log u + forecast)."""
    rules = settings or ForecastSettings()
    tasks = [t for t in tasks_of(cascade, node_id) if t.status is not Status.CANCELLED]
    finished = done_days(log, (t.id for t in tasks), as_of)
    history = throughput_counts(sorted(finished.values()), as_of, history_periods, rules)
    return forecast_throughput(
        node_id,
        history,
        len(tasks) - len(finished),
        as_of=as_of,
        due=cascade.node(node_id).period.end,
        split_rate=split_rate,
        settings=rules,
    )


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
            are combined from it through primary parents.
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
    for node in cascade.nodes:
        if node.level == base_level:
            forecasts[node.id] = forecast_node(
                cascade, log, node.id, as_of=as_of, history_periods=history_periods, settings=rules
            )
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
