"""Forecasting: exact completion-date distributions, delay flags and backtests."""

from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    count_distribution,
    periods_to_finish,
    remaining_mixture,
)
from workplan_core.forecasting.earned_value import EarnedValueReport, PlannedValue, earned_value

__all__ = [
    "EarnedValueReport",
    "PeriodDistribution",
    "PlannedValue",
    "Throughput",
    "count_distribution",
    "earned_value",
    "periods_to_finish",
    "remaining_mixture",
]
