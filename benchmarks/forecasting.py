"""Benchmark exact forecasts, a Monte Carlo cross-check and backtests on synthetic deliveries.

Data: `workplan_core.synthetic.delivery.generate_deliveries` — nodes with 26 weekly periods of
throughput history from a hidden Poisson process and backlogs of 20–200 tasks.

* exact: `forecast_throughput` for every node (P50/P85/P95 and the on-time probability);
  O(n·L·K/w) per node (see `periods_to_finish`);
* Monte Carlo: `sample_periods_to_finish` with 10,000 trials for every node (all trials advance
  together as lanes of one big integer, draws made in C from random bytes), timed on its own,
  then compared with the exact answer: the largest P50/P85/P95 disagreement in periods, how many
  nodes disagree at all, and the largest CDF gap (the sampling noise, about 1/sqrt(trials));
* backtest: `replay_throughput` for 1,000 nodes at 20 weekly as-of dates, then `score_backtest`.

Usage::

    python benchmarks/forecasting.py                       # 10,000 nodes
    python benchmarks/forecasting.py --nodes 1000 --mc-nodes 10 --backtest-nodes 100
    python benchmarks/forecasting.py --json forecasting.json

Targets: all 10,000 exact forecasts <= 10 s; the Monte Carlo for all 10,000 nodes <= 3 min with
the largest quantile disagreement <= 1 period;
backtest of 1,000 nodes at 20 as-of dates <= 15 s. Peak memory is the process's peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from _common import extras, print_table, row, timed
from workplan_core.forecasting import (
    BacktestReport,
    PeriodDistribution,
    Throughput,
    forecast_throughput,
    periods_to_finish,
    replay_throughput,
    sample_periods_to_finish,
    score_backtest,
)
from workplan_core.synthetic.delivery import generate_deliveries

QUANTILES = (0.5, 0.85, 0.95)


def run(
    nodes: int, mc_nodes: int | None, mc_trials: int, backtest_nodes: int, seed: int
) -> list[dict[str, Any]]:
    histories, seconds = timed(lambda: generate_deliveries(max(nodes, backtest_nodes), seed=seed))
    rows = [row(len(histories), "generate deliveries", seconds, len(histories), "nodes")]

    forecasts, seconds = timed(
        lambda: [
            forecast_throughput(h.node_id, h.weekly, h.remaining, as_of=h.as_of, due=h.due)
            for h in histories[:nodes]
        ]
    )
    flagged = sum(1 for f in forecasts if (f.on_time_probability or 0) < 0.7)
    rows.append(
        row(nodes, "exact forecasts", seconds, nodes, "forecasts", flagged_below_0_7=flagged)
    )

    mc_nodes = nodes if mc_nodes is None else min(mc_nodes, nodes)
    sample = histories[:mc_nodes]

    def simulate() -> list[PeriodDistribution]:
        sampled = []
        for h in sample:
            tp = Throughput.from_history(h.weekly)
            sampled.append(
                sample_periods_to_finish(tp, {h.remaining: 1.0}, trials=mc_trials, seed=seed)
            )
        return sampled

    sampled, mc_seconds = timed(simulate)
    worst, disagreeing, widest_gap = 0, 0, 0.0
    for h, mc in zip(sample, sampled, strict=True):
        tp = Throughput.from_history(h.weekly)
        exact = periods_to_finish(tp, {h.remaining: 1.0}, until_probability=0.99)
        node_worst = 0
        for q in QUANTILES:
            a, b = exact.quantile(q), mc.quantile(q)
            if a is not None and b is not None:
                node_worst = max(node_worst, abs(a - b))
        worst = max(worst, node_worst)
        disagreeing += node_worst > 0
        shared = min(len(exact.cdf), len(mc.cdf))
        widest_gap = max(widest_gap, *(abs(exact.cdf[n] - mc.cdf[n]) for n in range(shared)))
    extra: dict[str, Any] = {}
    if mc_nodes < nodes:
        extra["extrapolated_seconds_for_all"] = mc_seconds / max(1, mc_nodes) * nodes
    scope = "all" if mc_nodes == nodes else "sample"
    operation = f"Monte Carlo {mc_trials:,} trials ({scope})"
    rows.append(
        row(
            mc_nodes,
            operation,
            mc_seconds,
            mc_nodes,
            "forecasts",
            trials_per_second=round(mc_nodes * mc_trials / mc_seconds) if mc_seconds else None,
            largest_quantile_disagreement_periods=worst,
            nodes_with_a_disagreement=disagreeing,
            largest_cdf_gap=round(widest_gap, 4),
            **extra,
        )
    )

    def backtest() -> tuple[int, BacktestReport]:
        cases = []
        for h in histories[:backtest_nodes]:
            as_of_dates = [h.as_of + dt.timedelta(weeks=w) for w in range(20)]
            cases.extend(
                replay_throughput(
                    h.node_id, h.completions, as_of_dates=as_of_dates, due=h.due, history_periods=12
                )
            )
        return len(cases), score_backtest(cases)

    (cases, report), seconds = timed(backtest)
    rows.append(
        row(
            backtest_nodes,
            "backtest (20 as-of dates)",
            seconds,
            backtest_nodes,
            "nodes",
            cases=cases,
            coverage={str(q): round(c, 3) for q, c in report.coverage.items()},
            crps_days=report.crps,
            mae_p50_days=report.mae_p50,
            false_alarm_rate=report.false_alarm_rate,
            miss_rate=report.miss_rate,
        )
    )
    return rows


def details(result: dict[str, Any]) -> str:
    """A row's own fields (agreement, backtest scores) for the table's last column."""
    shown = (
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in extras(result).items()
    )
    return ", ".join(shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument(
        "--mc-nodes", type=int, default=None, help="limit the Monte Carlo stage (default: all)"
    )
    parser.add_argument("--mc-trials", type=int, default=10_000)
    parser.add_argument("--backtest-nodes", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = run(args.nodes, args.mc_nodes, args.mc_trials, args.backtest_nodes, args.seed)
    print_table(rows, details)
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "forecasting", "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
