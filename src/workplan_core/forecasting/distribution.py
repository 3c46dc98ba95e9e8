"""Exact distributions over whole periods, computed by iterated convolution (no sampling).

The throughput method: if a team finished ``c_1, …, c_m`` units in its last ``m`` periods (zero
periods included), the empirical throughput distribution is ``p(k) = #{i : c_i = k} / m``. Treating
future periods as independent draws from it, the work done after ``n`` periods is
``S_n = X_1 + … + X_n`` and the remaining ``R`` units are finished within ``n`` periods with
probability ``P(N ≤ n) = P(S_n ≥ R)``. The distribution of ``S_n`` is ``p`` convolved with itself
``n`` times; we iterate one convolution per period over the states ``lo … R-1`` (once ``S_n``
reaches ``R`` the work is done and the mass is *absorbed*).

**How the convolution runs.** The live masses are held in fixed point (about 62 bits per state)
and packed into one Python integer, ``B`` bits per state (Kronecker substitution); the throughput
counts are packed the same way. One period is then a single big-integer multiplication — done in
C — followed by shifts and masks that absorb the states ``≥ R`` and renormalise. The sum of a packed
run of states is the packed integer modulo ``2^B − 1``, so even the absorbed mass is read without
unpacking. Each period costs O(L·K / w) machine operations for L live states, K = the largest
throughput value and w the machine word, instead of L·K interpreted additions.

Two economies keep it exact within a stated bound:

* **Stop at the highest quantile asked for**: iteration ends once ``P(N ≤ n)`` reaches
  `until_probability` (and `min_periods` have been computed); the rest is reported as `tail`.
* **Negligible states vanish**: each renormalisation floors every state to the fixed-point grid,
  so states with less than ``2⁻⁶²`` of the mass drop out; the total dropped is bounded and reported
  as `truncated`. Every CDF value is exact to within `truncated` (the true value lies in
  ``[cdf[n] − truncated, cdf[n] + truncated]``), in practice below ``10⁻¹⁵``.

When the remaining work is uncertain, a *mixture* ``{R_j: w_j}`` gives
``P(N ≤ n) = Σ_j w_j · P(S_n ≥ R_j)``, computed in the same single pass.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import attrs

from workplan_core.errors import Problem, ValidationError
from workplan_core.forecasting._checks import is_number, is_whole, number_problems, whole_problems

__all__ = [
    "PeriodDistribution",
    "Throughput",
    "count_distribution",
    "count_quantiles",
    "periods_to_finish",
    "remaining_mixture",
]


@attrs.frozen
class Throughput:
    """An empirical distribution of whole units finished per period.

    Attributes:
        values: the distinct per-period counts, ascending.
        frequencies: how many periods of history had each value.
    """

    values: tuple[int, ...]
    frequencies: tuple[int, ...]

    @property
    def periods(self) -> int:
        """How many periods of history it was built from."""
        return sum(self.frequencies)

    @property
    def probabilities(self) -> tuple[float, ...]:
        """The probability of each value (they sum to 1)."""
        total = self.periods
        return tuple(f / total for f in self.frequencies)

    @classmethod
    def from_history(cls, counts: Iterable[int]) -> Throughput:
        """Build from per-period counts (zero periods included).

        Raises:
            ValidationError: not a collection of counts, no history, or a count that is not
                a whole number >= 0 (a bool or a float is not a count).
        """
        if isinstance(counts, str | bytes | Mapping) or not isinstance(counts, Iterable):
            rule = f"must be a sequence of per-period counts, got {type(counts).__name__}"
            raise ValidationError.single("$", rule)
        history = list(counts)
        problems = [
            Problem(f"$[{i}]", "a per-period count must be a non-negative integer")
            for i, c in enumerate(history)
            if not is_whole(c) or c < 0
        ]
        if not history:
            problems.append(Problem("$", "needs at least one period of history"))
        if problems:
            raise ValidationError(problems, summary="invalid throughput history")
        tally = Counter(history)
        values = tuple(sorted(tally))
        return cls(values, tuple(tally[v] for v in values))

    @property
    def is_zero(self) -> bool:
        """Whether nothing was ever finished: no finish is in sight."""
        return self.values == (0,)

    @property
    def mean(self) -> float:
        """Expected units per period."""
        return sum(v * p for v, p in zip(self.values, self.probabilities, strict=True))


@attrs.frozen
class PeriodDistribution:
    """The distribution of the number of whole periods until the work is finished.

    Attributes:
        cdf: ``cdf[n]`` is the probability of finishing within ``n`` periods (``cdf[0]``: done).
        truncated: probability mass dropped as negligible; each CDF value is exact within it.
        never: true when throughput is identically zero: no finish in sight.
    """

    cdf: tuple[float, ...]
    truncated: float = 0.0
    never: bool = False

    @property
    def tail(self) -> float:
        """Probability of finishing after the last computed period (or never)."""
        return max(0.0, 1.0 - self.cdf[-1]) if self.cdf else 1.0

    @property
    def pmf(self) -> tuple[float, ...]:
        """``pmf[n]``: the probability of finishing in exactly period ``n``."""
        previous, out = 0.0, []
        for value in self.cdf:
            out.append(value - previous)
            previous = value
        return tuple(out)

    def probability_within(self, periods: int) -> float:
        """Probability of finishing within `periods` periods (a lower bound past the end)."""
        if periods < 0 or not self.cdf:
            return 0.0
        return self.cdf[min(periods, len(self.cdf) - 1)]

    def quantile(self, probability: float) -> int | None:
        """The smallest n with ``P(N ≤ n) ≥ probability``, or `None` if not reached."""
        if not 0.0 < probability <= 1.0:
            raise ValidationError.single("$.probability", "must be in (0, 1]")
        index = bisect.bisect_left(self.cdf, probability - 1e-12)
        return index if index < len(self.cdf) else None

    @property
    def mean_lower_bound(self) -> float:
        """Mean number of periods, counting the tail as finishing right after the last period."""
        return sum(n * p for n, p in enumerate(self.pmf)) + self.tail * len(self.cdf)


def _range_weights(remaining: tuple[object, ...]) -> tuple[dict[int, float], list[Problem]]:
    """A `(low, high)` range as equal weights on the whole numbers in it."""
    if len(remaining) != 2:
        rule = f"a range must be a (low, high) pair, got {len(remaining)} items"
        return {}, [Problem("$.remaining", rule)]
    problems = [
        p for i, end in enumerate(remaining) for p in whole_problems(f"$.remaining[{i}]", end)
    ]
    if problems:
        return {}, problems
    low, high = cast("tuple[int, int]", remaining)
    if high < low:
        problems.append(Problem("$.remaining", "a range must not end before it starts"))
    return dict.fromkeys(range(low, high + 1), 1.0), problems


def _mapping_weights(remaining: Mapping[object, object]) -> tuple[dict[int, float], list[Problem]]:
    """Weights per whole number, each checked."""
    amounts: dict[int, float] = {}
    problems = []
    for units, weight in remaining.items():
        if not is_whole(units):
            rule = f"amount {units!r} must be a whole number, got {type(units).__name__}"
            problems.append(Problem("$.remaining", rule))
        elif not is_number(weight):
            rule = f"a weight must be a number, got {type(weight).__name__}"
            problems.append(Problem(f"$.remaining[{units}]", rule))
        else:
            amounts[cast("int", units)] = float(cast("float", weight))
    return amounts, problems


def _mixture_weights(remaining: object) -> tuple[dict[int, float], list[Problem]]:
    """Read `remaining` as weights per amount, with every problem of its shape and values."""
    if is_whole(remaining):
        amounts: dict[int, float] = {cast("int", remaining): 1.0}
        problems: list[Problem] = []
    elif isinstance(remaining, tuple):
        amounts, problems = _range_weights(remaining)
    elif isinstance(remaining, Mapping):
        amounts, problems = _mapping_weights(remaining)
    else:
        rule = (
            "must be a whole number, a (low, high) pair of whole numbers or a mapping of "
            f"whole numbers to weights, got {type(remaining).__name__}"
        )
        return {}, [Problem("$.remaining", rule)]
    if any(units < 0 for units in amounts):
        problems.append(Problem("$.remaining", "amounts of work must not be negative"))
    if any(w < 0 or not math.isfinite(w) for w in amounts.values()) or (
        not problems and sum(amounts.values()) <= 0
    ):
        problems.append(Problem("$.remaining", "weights must be non-negative with a positive sum"))
    return amounts, problems


def remaining_mixture(
    remaining: int | Mapping[int, float] | tuple[int, int], split_rate: float = 0.0
) -> dict[int, float]:
    """Normalise remaining work to a mixture ``{units: weight}``, grown by `split_rate`.

    Args:
        remaining: a whole number of units; a `(low, high)` range of whole numbers, read as
            uniform over the whole numbers in it; or weights per whole number. A bool, a float
            or a string is not a number of units (nothing is converted).
        split_rate: the share by which work grows as it is broken down (0.2: five tasks become
            six); each amount ``R`` becomes ``ceil(R · (1 + split_rate))``.

    Raises:
        ValidationError: every problem at once: remaining work of another shape, amounts that
            are not whole numbers or are negative, weights that are not numbers, negative or
            sum to zero, or a split rate that is not a finite number >= 0.
    """
    weights, problems = _mixture_weights(remaining)
    problems += number_problems("$.split_rate", split_rate, low=0)
    if problems:
        raise ValidationError(problems, summary="invalid remaining work")
    total = sum(weights.values())
    grown: dict[int, float] = {}
    for units, weight in weights.items():
        scaled = math.ceil(units * (1.0 + split_rate) - 1e-9)
        grown[scaled] = grown.get(scaled, 0.0) + weight / total
    return dict(sorted(grown.items()))


_PRECISION = 62  # fixed-point bits of probability mass carried per state


@functools.lru_cache(maxsize=4096)
def _low_bits_mask(width: int, bits: int, slots: int) -> int:
    """The low ``width − bits`` bits of each of `slots` packed states set."""
    repunit = ((1 << (slots * width)) - 1) // ((1 << width) - 1)
    return ((1 << (width - bits)) - 1) * repunit


@attrs.frozen
class _Packing:
    """How states are packed into one integer: `width` bits each (a multiple of 8)."""

    width: int
    polynomial: int  # the throughput frequencies packed at the same width

    @classmethod
    def of(cls, throughput: Throughput) -> _Packing:
        # a product slot is at most (sum of frequencies) x (largest slot < 2^(P+1))
        bits = _PRECISION + 2 + throughput.periods.bit_length()
        width = -(-bits // 8) * 8
        polynomial = 0
        for value, frequency in zip(throughput.values, throughput.frequencies, strict=True):
            polynomial |= frequency << (value * width)
        return cls(width, polynomial)

    def slot_sum(self, packed: int) -> int:
        """Sum of all states of `packed` (valid while the sum fits in one slot)."""
        return packed % ((1 << self.width) - 1)

    def floor_shift(self, packed: int, bits: int, slots: int) -> int:
        """Divide every state by 2**bits, rounding down, without borrowing between states."""
        return (packed >> bits) & _low_bits_mask(self.width, bits, slots)

    def unpack(self, packed: int, slots: int) -> list[int]:
        """The states of `packed` as a list, lowest first."""
        size = self.width // 8
        raw = packed.to_bytes(slots * size, "little")
        return [int.from_bytes(raw[i : i + size], "little") for i in range(0, len(raw), size)]


class _Walk:
    """The live states ``lo … lo+slots-1`` of ``S_n``, packed, with their scale."""

    def __init__(self, throughput: Throughput) -> None:
        self.packing = _Packing.of(throughput)
        self.factor = throughput.periods
        self.packed = 1 << _PRECISION
        self.scale = float(1 << _PRECISION)  # packed mass that equals probability 1
        self.low = 0
        self.truncated = 0.0

    def step(self) -> None:
        """Advance one period: convolve with the throughput frequencies."""
        self.packed *= self.packing.polynomial
        self.scale *= self.factor

    def absorb_from(self, state: int) -> float:
        """Remove states ``>= state``; return their probability."""
        cut = (state - self.low) * self.packing.width
        if cut <= 0:
            mass, self.packed = self.packing.slot_sum(self.packed), 0
            return mass / self.scale
        high = self.packed >> cut
        if not high:
            return 0.0
        self.packed &= (1 << cut) - 1
        return self.packing.slot_sum(high) / self.scale

    def mass_from(self, state: int) -> float:
        """Probability of the live states ``>= state`` (without removing them)."""
        cut = max(0, (state - self.low) * self.packing.width)
        return self.packing.slot_sum(self.packed >> cut) / self.scale

    def renormalise(self) -> None:
        """Bring the scale back to about 2**P, flooring every state; drop empty low states."""
        if not self.packed:
            return
        slots = -(-self.packed.bit_length() // self.packing.width)
        excess = int(self.scale).bit_length() - 1 - _PRECISION
        if excess > 0:
            self.packed = self.packing.floor_shift(self.packed, excess, slots)
            self.scale /= 1 << excess
            self.truncated += slots / self.scale
        if self.packed:
            empty = ((self.packed & -self.packed).bit_length() - 1) // self.packing.width
            if empty:
                self.packed >>= empty * self.packing.width
                self.low += empty

    def probabilities(self) -> list[float]:
        """The live states' probabilities, lowest state first (O(L) unpacking)."""
        slots = max(1, -(-self.packed.bit_length() // self.packing.width))
        return [v / self.scale for v in self.packing.unpack(self.packed, slots)]


def periods_to_finish(
    throughput: Throughput,
    remaining: Mapping[int, float],
    *,
    until_probability: float = 0.95,
    min_periods: int = 0,
    max_periods: int = 1000,
    shift: int = 0,
) -> PeriodDistribution:
    """The exact distribution of whole periods until `remaining` work is finished.

    Args:
        throughput: units finished per period.
        remaining: the remaining work as a mixture ``{units: weight}`` (see `remaining_mixture`).
        until_probability: stop once the CDF reaches this (the highest quantile wanted).
        min_periods: compute at least this many periods (e.g. up to the due date).
        max_periods: never compute more than this many; the rest is the `tail`.
        shift: the throughput values are the real per-period units plus `shift` (how negative
            steps are represented: work that can go backwards). The finish line then moves up by
            `shift` each period and the answer is the first-passage time; only a single amount
            of remaining work is allowed with a shift.

    O(n·L·K/w) for n periods, L live states (about the spread of the work done, far fewer than
    the remaining units), K the largest throughput value and w the machine word size.
    """
    thresholds = sorted(remaining)
    weights = [remaining[t] for t in thresholds]
    if shift and len(thresholds) != 1:
        raise ValidationError.single("$.remaining", "a shifted walk takes one amount of work")
    done_now = float(sum(w for t, w in zip(thresholds, weights, strict=True) if t <= 0))
    if done_now >= 1.0 - 1e-12:
        return PeriodDistribution((1.0,))
    if throughput.is_zero:
        return PeriodDistribution((done_now,), never=True)
    walk = _Walk(throughput)
    absorbed, cdf = 0.0, [done_now]
    pending = [(t, w) for t, w in zip(thresholds, weights, strict=True) if t > 0]
    for period in range(1, max_periods + 1):
        walk.step()
        absorbed += walk.absorb_from(thresholds[-1] + period * shift)
        finished = sum(w * (absorbed + walk.mass_from(t)) for t, w in pending[:-1])
        # Each term grows with the period, but their rounded sum may dip by an ulp: a CDF
        # never decreases, so the running maximum is kept.
        cdf.append(max(cdf[-1], min(1.0, done_now + finished + pending[-1][1] * absorbed)))
        walk.renormalise()
        if (cdf[-1] >= until_probability and period >= min_periods) or not walk.packed:
            break
    return PeriodDistribution(tuple(cdf), truncated=walk.truncated)


def count_distribution(throughput: Throughput, periods: int) -> tuple[float, ...]:
    """The exact distribution of units finished in `periods` periods: ``P(S_n = x)`` by x.

    O(n·L·K/w) like `periods_to_finish`, plus O(L) to unpack the result.
    """
    if periods < 0:
        raise ValidationError.single("$.periods", "must not be negative")
    walk = _Walk(throughput)
    for _ in range(periods):
        walk.step()
        walk.renormalise()
    return (0.0,) * walk.low + tuple(walk.probabilities())


def count_quantiles(
    throughput: Throughput, periods: int, probabilities: Sequence[float]
) -> list[tuple[int, ...]]:
    """How many units will be done after 0, 1, …, `periods` periods, at each probability.

    Row ``n`` holds, for each probability ``q``, the smallest ``x`` with ``P(S_n ≤ x) ≥ q`` — so
    with probability ``1 − q`` at least ``x`` units are done. This is the data of a fan chart.
    O(n·(L·K/w + L)).
    """
    if periods < 0:
        raise ValidationError.single("$.periods", "must not be negative")
    if any(not 0.0 < q < 1.0 for q in probabilities):
        raise ValidationError.single("$.probabilities", "each must be in (0, 1)")
    walk = _Walk(throughput)
    rows = [tuple(0 for _ in probabilities)]
    for _ in range(periods):
        walk.step()
        walk.renormalise()
        running, cumulative = 0.0, []
        for p in walk.probabilities():
            running += p
            cumulative.append(running)
        rows.append(
            tuple(
                walk.low + min(bisect.bisect_left(cumulative, q - 1e-12), len(cumulative) - 1)
                for q in probabilities
            )
        )
    return rows
