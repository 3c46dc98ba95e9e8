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
import gc
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from workplan_core.forecasting import (
    Throughput,
    forecast_throughput,
    periods_to_finish,
    replay_throughput,
    sample_periods_to_finish,
    score_backtest,
)
from workplan_core.synthetic.delivery import generate_deliveries

QUANTILES = (0.5, 0.85, 0.95)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    nodes: int, mc_nodes: int | None, mc_trials: int, backtest_nodes: int, seed: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def record(stage: str, size: int, seconds: float, unit: str, **extra: Any) -> None:
        rows.append(
            {
                "stage": stage,
                "size": size,
                "seconds": seconds,
                "per_second": size / seconds if seconds else None,
                "unit": unit,
                "peak_rss_mib": peak_mib(),
                **extra,
            }
        )

    start = time.perf_counter()
    histories = generate_deliveries(max(nodes, backtest_nodes), seed=seed)
    record("generate deliveries", len(histories), time.perf_counter() - start, "nodes")

    gc.collect()
    start = time.perf_counter()
    forecasts = [
        forecast_throughput(h.node_id, h.weekly, h.remaining, as_of=h.as_of, due=h.due)
        for h in histories[:nodes]
    ]
    exact_seconds = time.perf_counter() - start
    flagged = sum(1 for f in forecasts if (f.on_time_probability or 0) < 0.7)
    record("exact forecasts", nodes, exact_seconds, "forecasts", flagged_below_0_7=flagged)

    mc_nodes = nodes if mc_nodes is None else min(mc_nodes, nodes)
    sample = histories[:mc_nodes]
    sampled = []
    gc.collect()
    start = time.perf_counter()
    for h in sample:
        tp = Throughput.from_history(h.weekly)
        sampled.append(
            sample_periods_to_finish(tp, {h.remaining: 1.0}, trials=mc_trials, seed=seed)
        )
    mc_seconds = time.perf_counter() - start
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
    record(
        f"Monte Carlo {mc_trials:,} trials" + (" (all)" if mc_nodes == nodes else " (sample)"),
        mc_nodes,
        mc_seconds,
        "forecasts",
        trials_per_second=round(mc_nodes * mc_trials / mc_seconds) if mc_seconds else None,
        largest_quantile_disagreement_periods=worst,
        nodes_with_a_disagreement=disagreeing,
        largest_cdf_gap=round(widest_gap, 4),
        **extra,
    )

    start = time.perf_counter()
    cases = []
    for h in histories[:backtest_nodes]:
        as_of_dates = [h.as_of + dt.timedelta(weeks=w) for w in range(20)]
        cases.extend(
            replay_throughput(
                h.node_id, h.completions, as_of_dates=as_of_dates, due=h.due, history_periods=12
            )
        )
    report = score_backtest(cases)
    record(
        "backtest (20 as-of dates)",
        backtest_nodes,
        time.perf_counter() - start,
        "nodes",
        cases=len(cases),
        coverage={str(q): round(c, 3) for q, c in report.coverage.items()},
        crps_days=report.crps,
        mae_p50_days=report.mae_p50,
        false_alarm_rate=report.false_alarm_rate,
        miss_rate=report.miss_rate,
    )
    return rows


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
    print(f"{'stage':<38} {'size':>8} {'time (s)':>10} {'per second':>12} {'peak RSS MiB':>13}")
    for row in rows:
        rate = f"{row['per_second']:,.0f}" if row["per_second"] else "-"
        print(
            f"{row['stage']:<38} {row['size']:>8,} {row['seconds']:>10.3f} {rate:>12} "
            f"{row['peak_rss_mib']:>13.0f}"
        )
        extra = {
            k: v
            for k, v in row.items()
            if k not in ("stage", "size", "seconds", "per_second", "unit", "peak_rss_mib")
        }
        if extra:
            print(f"{'':<38} {extra}")
    if args.json:
        args.json.write_text(json.dumps({"benchmark": "forecasting", "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
