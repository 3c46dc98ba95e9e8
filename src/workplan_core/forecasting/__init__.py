"""Forecasting: exact completion-date distributions, delay flags and backtests."""

from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    count_distribution,
    periods_to_finish,
    remaining_mixture,
)

__all__ = [
    "PeriodDistribution",
    "Throughput",
    "count_distribution",
    "periods_to_finish",
    "remaining_mixture",
]
