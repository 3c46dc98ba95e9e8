"""A seeded Monte Carlo sampler of the throughput and pace methods, kept as a cross-check.

It draws whole futures period by period from the same empirical distribution the exact engine
convolves, so its quantiles converge to the exact ones as the number of trials grows (the tests
check this). It is noisier than the exact engine; use it to validate, not to forecast.

**How it is fast in pure Python.** All trials advance together, one period at a time, held as
*lanes* of one big integer (``b`` bits per trial, enough that no lane can overflow into the next).
A period is then a handful of big-integer operations done in C:

* one fresh draw per trial, packed into lanes, is added to the running totals;
* the finish line of every trial (its remaining units, plus ``n · shift`` in period ``n``) is
  held biased by ``2^(b−1)``, so ``(totals + line) & high_bits`` has the top bit of a lane set
  exactly when that trial has reached its finish line;
* ``int.bit_count`` counts them: that is the number of trials finished within ``n`` periods, the
  CDF itself. With negative steps (``shift``) a trial can fall back, so the top bits are OR-ed
  into a "has ever reached" mask first: the first passage, as the exact engine computes it.

Every trial uses its own lane of independent draws, so the trials are independent exact samples;
the loop ends when every trial has finished or at `max_periods`.

The draws: in the common case — values in ``0 … 255`` and at most 256 periods of history (after
dividing the frequencies by their greatest common divisor) — the empirical distribution is ``m``
equally likely outcomes, one per period of history. A uniform random byte ``b < m·⌊256/m⌋`` picks
outcome ``b mod m`` and the larger bytes are rejected: exact rejection sampling, done in C for a
whole chunk by ``rng.randbytes(n).translate(table, delete=rejected)``. Otherwise each draw is an
``rng.choices`` pick with precomputed cumulative weights (a `bisect` and a ``random()`` per draw).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping

from workplan_core.errors import ValidationError
from workplan_core.forecasting.distribution import PeriodDistribution, Throughput

__all__ = ["sample_periods_to_finish"]

_BYTE_VALUES = 256
_POOL_DRAWS = 1 << 16  # random bytes drawn at once on the byte path, at least


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
        shift: as for `periods_to_finish`: a trial finishes in the first period ``n`` in which
            the values drawn so far add up to at least ``units + n · shift``.

    Raises:
        ValidationError: fewer than one trial, a negative `max_periods`, a mixture without a
            positive weight, or a throughput without history.

    O(T·P·b / w) machine operations in C, and O(P) interpreted ones, for T trials, P periods
    simulated (until the slowest trial finishes, at most `max_periods`), lanes of
    ``b = O(log(max_periods · max value + units))`` bits and w the machine word — when the values
    are in ``0 … 255`` and the history has at most 256 periods. Otherwise the draws cost
    O(T·P·log K) interpreted operations for K distinct values. Memory is O(T·b) bits.
    """
    if trials < 1:
        raise ValidationError.single("$.trials", "must be at least 1")
    if max_periods < 0:
        raise ValidationError.single("$.max_periods", "must not be negative")
    amounts = list(remaining)
    weights = [remaining[a] for a in amounts]
    if not amounts or not sum(weights) > 0:
        raise ValidationError.single("$.remaining", "needs an amount with a positive weight")
    if min(throughput.frequencies, default=-1) < 0 or sum(throughput.frequencies) <= 0:
        raise ValidationError.single("$.throughput", "needs at least one period of history")
    rng = random.Random(seed)
    if len(amounts) == 1:
        pending = amounts * trials if amounts[0] > 0 else []
    else:
        pending = [t for t in rng.choices(amounts, weights, k=trials) if t > 0]
    finished = [trials - len(pending)]  # finished[n]: trials finished within n periods
    # Make every value non-negative: sum(v) >= R + n·shift iff sum(v - c) >= R + n·(shift - c).
    low = min(0, *throughput.values)
    values = [v - low for v in throughput.values]
    shift -= low
    if pending and max_periods and max(values) > shift:  # else no trial ever finishes
        lanes = _Lanes(pending, max(values), shift, max_periods)
        frequencies = throughput.frequencies
        draw = _byte_draws(rng, values, frequencies, lanes) or _ChoiceDraws(
            rng, values, frequencies, lanes
        )
        finished.extend(finished[0] + n for n in lanes.run(draw, max_periods))
    last = max((n for n in range(1, len(finished)) if finished[n] != finished[n - 1]), default=0)
    cdf = tuple(count / trials for count in finished[: last + 1])
    return PeriodDistribution(cdf, never=throughput.is_zero)


class _Lanes:
    """The running totals and finish lines of all trials, one lane of `width` bytes each."""

    def __init__(self, targets: list[int], top_value: int, shift: int, max_periods: int) -> None:
        self.count = len(targets)
        self.shift = shift
        # In period n a lane holds total + 2^(b-1) - target - n·shift, which must stay in
        # [0, 2^b): the line part never goes negative, the sum never reaches 2^b.
        line = max(targets) + max_periods * max(shift, 0)
        climb = max_periods * (top_value + max(-shift, 0))
        bits = max(line, climb).bit_length() + 1
        self.width = -(-bits // 8)
        self.bias = 1 << (8 * self.width - 1)
        self.ones = int.from_bytes((b"\x01" + bytes(self.width - 1)) * self.count, "little")
        if len(set(targets)) == 1:
            self.line = (self.bias - targets[0]) * self.ones
        else:
            encoded = {t: (self.bias - t).to_bytes(self.width, "little") for t in set(targets)}
            packed = b"".join(map(encoded.__getitem__, targets))
            self.line = int.from_bytes(packed, "little")

    def run(self, draw: Callable[[], int], max_periods: int) -> list[int]:
        """Advance all trials period by period; return how many finished within each period."""
        high = self.ones * self.bias
        step = self.shift * self.ones
        totals, line, reached = 0, self.line, 0
        finished = []
        for _ in range(max_periods):
            totals += draw()
            line -= step
            hits = (totals + line) & high
            if self.shift:
                reached |= hits
                hits = reached
            finished.append(hits.bit_count())
            if finished[-1] == self.count:
                break
        return finished


class _ByteDraws:
    """Draws made in C: random bytes, the rejected ones deleted, the rest mapped to values."""

    def __init__(self, rng: random.Random, outcomes: list[int], lanes: _Lanes) -> None:
        self.rng = rng
        m = len(outcomes)
        keep = m * (_BYTE_VALUES // m)
        self.acceptance = keep / _BYTE_VALUES
        self.table = bytes(outcomes[b % m] if b < keep else 0 for b in range(_BYTE_VALUES))
        self.rejected = bytes(range(keep, _BYTE_VALUES))
        self.count = lanes.count
        self.width = lanes.width
        self.spread = bytearray(self.count * self.width)  # stays zero but for each lane's low byte
        self.pool = b""
        self.position = 0

    def __call__(self) -> int:
        end = self.position + self.count
        if end > len(self.pool):
            rest = self.pool[self.position :]
            wanted = max(_POOL_DRAWS, 8 * self.count)
            size = math.ceil(wanted / self.acceptance)
            fresh = [rest]
            have = len(rest)
            while have < self.count:
                part = self.rng.randbytes(size).translate(self.table, self.rejected)
                fresh.append(part)
                have += len(part)
            self.pool, self.position, end = b"".join(fresh), 0, self.count
        chunk = self.pool[self.position : end]
        self.position = end
        if self.width == 1:
            return int.from_bytes(chunk, "little")
        self.spread[:: self.width] = chunk
        return int.from_bytes(self.spread, "little")


class _ChoiceDraws:
    """Draws by ``rng.choices`` over the values' lane encodings (cumulative weights, `bisect`)."""

    def __init__(
        self, rng: random.Random, values: list[int], frequencies: tuple[int, ...], lanes: _Lanes
    ) -> None:
        self.rng = rng
        self.encoded = [v.to_bytes(lanes.width, "little") for v in values]
        self.cumulative = list(itertools.accumulate(frequencies))
        self.count = lanes.count

    def __call__(self) -> int:
        picks = self.rng.choices(self.encoded, cum_weights=self.cumulative, k=self.count)
        return int.from_bytes(b"".join(picks), "little")


def _byte_draws(
    rng: random.Random, values: list[int], frequencies: tuple[int, ...], lanes: _Lanes
) -> _ByteDraws | None:
    """The byte-path draws, or `None` when the values or the outcomes do not fit in a byte."""
    common = math.gcd(*frequencies)
    if sum(frequencies) // common > _BYTE_VALUES or max(values) >= _BYTE_VALUES:
        return None
    outcomes = [v for v, f in zip(values, frequencies, strict=True) for _ in range(f // common)]
    return _ByteDraws(rng, outcomes, lanes)
