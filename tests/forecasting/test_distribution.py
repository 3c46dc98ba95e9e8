"""Exact period distributions: hand-checked numbers, brute force and invariants."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    count_distribution,
    periods_to_finish,
    remaining_mixture,
)


def test_hand_checked_three_tasks() -> None:
    # History 0,1,2,1 -> p(0)=1/4, p(1)=1/2, p(2)=1/4. Remaining R=3.
    # P(N<=1) = P(X>=3) = 0
    # P(N<=2) = P(X1+X2>=3) = P(sum=3)+P(sum=4) = 2*(1/2*1/4) + 1/16 = 5/16 = 0.3125
    # P(N<=3) = P(S3>=3): S3 pmf is (1,6,15,20,15,6,1)/64 over 0..6 -> 42/64 = 0.65625
    tp = Throughput.from_history([0, 1, 2, 1])
    dist = periods_to_finish(tp, {3: 1.0}, until_probability=0.99)
    assert dist.cdf[:4] == pytest.approx((0.0, 0.0, 0.3125, 0.65625), abs=1e-15)
    assert dist.quantile(0.5) == 3
    assert dist.quantile(0.3) == 2
    assert dist.cdf[-1] >= 0.99
    assert dist.truncated < 1e-15


def test_count_distribution_is_binomial_here() -> None:
    # two draws from (1/4, 1/2, 1/4) on 0..2 = binomial(4, 1/2) on 0..4
    tp = Throughput.from_history([0, 1, 2, 1])
    assert count_distribution(tp, 2) == pytest.approx((1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16))
    assert count_distribution(tp, 0) == (1.0,)


def test_range_of_remaining_work_is_a_mixture() -> None:
    # R uniform on {2,3,4}; after 2 periods P(S2>=R) = (11/16 + 5/16 + 1/16) / 3 = 17/48
    tp = Throughput.from_history([0, 1, 2, 1])
    mixed = periods_to_finish(tp, remaining_mixture((2, 4)), until_probability=0.99)
    assert mixed.cdf[2] == pytest.approx(17 / 48, abs=1e-15)


def test_split_rate_grows_the_work() -> None:
    assert remaining_mixture(10, split_rate=0.25) == {13: 1.0}  # ceil(12.5)
    assert remaining_mixture(8, split_rate=0.25) == {10: 1.0}
    assert remaining_mixture({4: 1, 6: 3}) == {4: 0.25, 6: 0.75}


def test_no_finish_in_sight_and_already_done() -> None:
    zero = Throughput.from_history([0, 0, 0])
    never = periods_to_finish(zero, {5: 1.0})
    assert never.never
    assert never.quantile(0.5) is None
    assert never.tail == 1.0
    done = periods_to_finish(zero, {0: 1.0})
    assert done.cdf == (1.0,)
    assert done.quantile(0.95) == 0


def test_max_periods_bounds_the_work_and_leaves_a_tail() -> None:
    slow = Throughput.from_history([0] * 99 + [1])
    dist = periods_to_finish(slow, {50: 1.0}, max_periods=30)
    assert len(dist.cdf) == 31
    assert dist.tail > 0.99
    assert dist.quantile(0.5) is None


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: Throughput.from_history([]), "$"),
        (lambda: Throughput.from_history([1, -1]), "$[1]"),
        (lambda: remaining_mixture(-3), "$.remaining"),
        (lambda: remaining_mixture(3, split_rate=-0.1), "$.split_rate"),
        (lambda: remaining_mixture((5, 2)), "$.remaining"),
        (lambda: count_distribution(Throughput.from_history([1]), -1), "$.periods"),
        (lambda: PeriodDistribution((0.5, 1.0)).quantile(0), "$.probability"),
    ],
)
def test_bad_input_names_the_field(call: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert info.value.problems[0].path == path


def _brute_force_cdf(history: list[int], remaining: int, periods: int) -> list[Fraction]:
    """Enumerate every sequence of per-period draws (exact fractions)."""
    m = len(history)
    out = []
    for n in range(periods + 1):
        hits = sum(1 for seq in itertools.product(history, repeat=n) if sum(seq) >= remaining)
        out.append(Fraction(hits, m**n))
    return out


@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=4).filter(any),
    st.integers(1, 6),
)
def test_matches_brute_force_enumeration(history: list[int], remaining: int) -> None:
    dist = periods_to_finish(
        Throughput.from_history(history), {remaining: 1.0}, until_probability=1.0, max_periods=4
    )
    expected = _brute_force_cdf(history, remaining, min(4, len(dist.cdf) - 1))
    for got, want in zip(dist.cdf, expected, strict=False):
        assert got == pytest.approx(float(want), abs=1e-12)


histories = st.lists(st.integers(0, 12), min_size=1, max_size=26).filter(any)


@given(histories, st.integers(0, 150), st.integers(0, 30))
def test_cdf_is_a_monotone_probability_and_more_work_never_finishes_earlier(
    history: list[int], remaining: int, extra: int
) -> None:
    tp = Throughput.from_history(history)
    less = periods_to_finish(tp, {remaining: 1.0}, until_probability=0.999)
    more = periods_to_finish(
        tp, {remaining + extra: 1.0}, until_probability=0.999, min_periods=len(less.cdf)
    )
    assert all(0.0 <= v <= 1.0 for v in less.cdf)
    assert all(a <= b + 1e-15 for a, b in itertools.pairwise(less.cdf))
    assert all(sum(d.pmf) == pytest.approx(d.cdf[-1]) for d in (less, more))
    for n in range(len(less.cdf)):
        assert more.probability_within(n) <= less.probability_within(n) + 1e-12
    q50, q95 = less.quantile(0.5), less.quantile(0.95)
    assert q50 is not None
    assert q95 is not None
    assert q50 <= q95


@given(histories, st.dictionaries(st.integers(0, 80), st.floats(0.1, 5.0), min_size=1, max_size=4))
def test_mixture_is_the_weighted_sum_of_its_parts(
    history: list[int], weights: dict[int, float]
) -> None:
    tp = Throughput.from_history(history)
    mixture = remaining_mixture(weights)
    horizon = 40
    mixed = periods_to_finish(tp, mixture, until_probability=1.0, max_periods=horizon)
    for n in range(len(mixed.cdf)):
        parts = sum(
            w
            * periods_to_finish(
                tp, {r: 1.0}, until_probability=1.0, max_periods=horizon
            ).probability_within(n)
            for r, w in mixture.items()
        )
        assert mixed.cdf[n] == pytest.approx(parts, abs=1e-9)
