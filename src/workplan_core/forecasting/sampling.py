"""A seeded Monte Carlo sampler of the throughput and pace methods, kept as a cross-check.

It draws whole futures period by period from the same empirical distribution the exact engine
convolves, so its quantiles converge to the exact ones as the number of trials grows (the tests
check this). It is slower and noisier; use it to validate, not to forecast.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from workplan_core.errors import ValidationError
from workplan_core.forecasting.distribution import PeriodDistribution, Throughput

__all__ = ["sample_periods_to_finish"]


def sample_periods_to_finish(
    throughput: Throughput,
    remaining: Mapping[int, float],
    *,
    trials: int = 10_000,
    seed: int = 0,
    max_periods: int = 1000,
    shift: int = 0,
) -> PeriodDistribution:
    """Estimate the distribution of `periods_to_finish` by simulation.

    Args:
        throughput: units finished per period (values include `shift`, as for the exact engine).
        remaining: the remaining work as a mixture ``{units: weight}``.
        trials: how many futures to simulate.
        seed: the random seed; the same seed gives the same answer.
        max_periods: a simulated future that has not finished by then counts as not finished.
        shift: as for `periods_to_finish` (negative steps; one amount of work only).

    O(trials × periods).
    """
    if trials < 1:
        raise ValidationError.single("$.trials", "must be at least 1")
    rng = random.Random(seed)
    amounts = list(remaining)
    weights = [remaining[a] for a in amounts]
    values = list(throughput.values)
    frequencies = list(throughput.frequencies)
    finished_at = [0] * (max_periods + 1)
    for _ in range(trials):
        target = rng.choices(amounts, weights)[0]
        done, period = 0, 0
        while done < target + period * shift and period < max_periods:
            period += 1
            done += rng.choices(values, frequencies)[0]
        if done >= target + period * shift:
            finished_at[period] += 1
    cdf, running = [], 0
    last = max((i for i, c in enumerate(finished_at) if c), default=0)
    for count in finished_at[: last + 1]:
        running += count
        cdf.append(running / trials)
    return PeriodDistribution(tuple(cdf), never=throughput.is_zero)
