"""Forecasting: exact completion-date distributions, earned value, delay flags and backtests."""

from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    count_distribution,
    periods_to_finish,
    remaining_mixture,
)
from workplan_core.forecasting.earned_value import EarnedValueReport, PlannedValue, earned_value
from workplan_core.forecasting.flags import (
    DelayFlag,
    FlagPolicy,
    FlagSeverity,
    combine_children,
    delay_flag,
)
from workplan_core.forecasting.forecast import (
    DEFAULT_QUANTILES,
    Forecast,
    ForecastMethod,
    ForecastSettings,
    forecast_pace,
    forecast_throughput,
    to_forecast,
)
from workplan_core.forecasting.sampling import sample_periods_to_finish

__all__ = [
    "DEFAULT_QUANTILES",
    "DelayFlag",
    "EarnedValueReport",
    "FlagPolicy",
    "FlagSeverity",
    "Forecast",
    "ForecastMethod",
    "ForecastSettings",
    "PeriodDistribution",
    "PlannedValue",
    "Throughput",
    "combine_children",
    "count_distribution",
    "delay_flag",
    "earned_value",
    "forecast_pace",
    "forecast_throughput",
    "periods_to_finish",
    "remaining_mixture",
    "sample_periods_to_finish",
    "to_forecast",
]
