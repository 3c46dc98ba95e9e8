"""The Monte Carlo sampler: both draw paths, mixtures, shifts, limits and seeds vs the exact CDF.

Every comparison uses the Dvoretzky-Kiefer-Wolfowitz bound: for n independent trials the
empirical CDF is within ``sqrt(ln(2/α) / 2n)`` of the true one everywhere, except with
probability α. The seeds are fixed, so the tests are deterministic; α = 1e-6 only makes the
tolerance a principled one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.forecasting import sampling
from workplan_core.forecasting.distribution import (
    PeriodDistribution,
    Throughput,
    periods_to_finish,
)
from workplan_core.forecasting.sampling import sample_periods_to_finish


def _dkw(trials: int, alpha: float = 1e-6) -> float:
    return math.sqrt(math.log(2 / alpha) / (2 * trials))


def _assert_close_to_exact(
    throughput: Throughput,
    remaining: Mapping[int, float],
    sampled: PeriodDistribution,
    trials: int,
    *,
    shift: int = 0,
    max_periods: int = 1000,
) -> None:
    exact = periods_to_finish(
        throughput,
        remaining,
        until_probability=1 - 1e-9,
        max_periods=max_periods,
        shift=shift,
    )
    assert len(sampled.cdf) <= max_periods + 1
    # past its end a CDF stays at its last value: the sampled one because no later trial
    # finished (up to max_periods), the exact one because it stopped within 1e-9 of 1
    for n in range(max(len(exact.cdf), len(sampled.cdf))):
        gap = abs(exact.probability_within(n) - sampled.probability_within(n))
        assert gap <= _dkw(trials), (n, exact.probability_within(n), sampled)


def _general_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the general (``rng.choices``) draws even where the byte path fits."""
    monkeypatch.setattr(sampling, "_byte_draws", lambda *args: None)


CASES = [
    ([4, 6, 0, 5, 3, 7, 4, 5, 2, 6], {42: 1.0}),
    ([0, 0, 0, 1], {3: 1.0}),  # mostly idle: long waits
    ([1, 1, 1, 1], {7: 1.0}),  # deterministic
    ([0, 17, 3, 9, 0, 2, 11, 5, 8, 1, 0, 4, 6, 7, 2, 3, 9, 12, 0, 5, 4, 6, 1, 2, 3, 8], {150: 1.0}),
]


@pytest.mark.parametrize(("history", "remaining"), CASES)
@pytest.mark.parametrize("path", ["bytes", "general"])
def test_both_draw_paths_match_the_exact_cdf(
    history: list[int], remaining: dict[int, float], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    if path == "general":
        _general_only(monkeypatch)
    else:
        real = sampling._byte_draws

        def spy(*args: Any) -> object:
            made.append(real(*args))
            return made[-1]

        monkeypatch.setattr(sampling, "_byte_draws", spy)
    tp = Throughput.from_history(history)
    sampled = sample_periods_to_finish(tp, remaining, trials=6000, seed=11)
    _assert_close_to_exact(tp, remaining, sampled, 6000)
    if path == "bytes":
        assert made  # the byte path was tried …
        assert made[-1] is not None  # … and taken


def test_byte_draws_are_exact_rejection_sampling() -> None:
    # 26 equally likely outcomes: 256 = 9·26 + 22, so reading a byte mod 26 without rejecting
    # would give 22 outcomes 10/256 instead of 1/26 (+0.0006, about 6 standard errors here)
    count, rounds = 100_000, 40
    lanes = sampling._Lanes([1] * count, 25, 0, 1)
    assert lanes.width == 1
    draws = sampling._ByteDraws(random.Random(5), list(range(26)), lanes)
    stream = b"".join(draws().to_bytes(count, "little") for _ in range(rounds))
    error = math.sqrt((1 / 26) * (25 / 26) / len(stream))
    for value in range(26):
        assert abs(stream.count(value) / len(stream) - 1 / 26) < 4 * error


def test_the_byte_path_is_taken_only_when_values_and_outcomes_fit() -> None:
    def fits(values: list[int], frequencies: tuple[int, ...]) -> bool:
        lanes = sampling._Lanes([10], max(values), 0, 100)
        return sampling._byte_draws(random.Random(0), values, frequencies, lanes) is not None

    assert fits([0, 255], (1, 1))
    assert not fits([0, 256], (1, 1))  # a value too large for a byte
    assert fits(list(range(256)), (1,) * 256)  # 256 equally likely outcomes
    assert not fits(list(range(257)), (1,) * 257)  # 257 outcomes
    assert fits([1, 2], (200, 400))  # 600 periods, but the gcd makes them 3 outcomes
    assert not fits([1, 2], (200, 401))


@pytest.mark.parametrize(
    ("throughput", "remaining"),
    [
        (Throughput((0, 300, 700), (2, 3, 1)), {5000: 1.0}),  # values above 255
        (Throughput.from_history([i % 7 for i in range(257)]), {60: 1.0}),  # 257 outcomes
    ],
    ids=["large-values", "many-outcomes"],
)
def test_fallback_draws_match_the_exact_cdf(
    throughput: Throughput, remaining: dict[int, float]
) -> None:
    sampled = sample_periods_to_finish(throughput, remaining, trials=4000, seed=2)
    _assert_close_to_exact(throughput, remaining, sampled, 4000)


@pytest.mark.parametrize("path", ["bytes", "general"])
def test_a_mixture_of_remaining_work(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if path == "general":
        _general_only(monkeypatch)
    tp = Throughput.from_history([1, 2, 0, 3, 5, 2])
    remaining = {0: 0.1, 10: 0.2, 30: 0.5, 55: 0.2}
    sampled = sample_periods_to_finish(tp, remaining, trials=6000, seed=4)
    assert sampled.cdf[0] == pytest.approx(0.1, abs=_dkw(6000))  # the share already done
    _assert_close_to_exact(tp, remaining, sampled, 6000)


@pytest.mark.parametrize("path", ["bytes", "general"])
@pytest.mark.parametrize(
    ("throughput", "shift", "remaining"),
    [
        (Throughput((0, 2, 3), (1, 1, 1)), 1, 5),  # steps -1, +1, +2
        (Throughput((0, 2), (1, 1)), 1, 1),  # a fair ±1 walk: much of the mass is past the end
        (Throughput((0, 5, 6), (2, 3, 1)), 2, 12),
    ],
    ids=["drift", "fair-walk", "weighted"],
)
def test_negative_steps_are_a_first_passage(
    throughput: Throughput, shift: int, remaining: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path == "general":
        _general_only(monkeypatch)
    sampled = sample_periods_to_finish(
        throughput, {remaining: 1.0}, trials=4000, seed=8, shift=shift, max_periods=200
    )
    _assert_close_to_exact(
        throughput, {remaining: 1.0}, sampled, 4000, shift=shift, max_periods=200
    )


def test_max_periods_cuts_the_simulation() -> None:
    certain = Throughput.from_history([1, 1, 1])
    assert sample_periods_to_finish(certain, {10: 1.0}, max_periods=10).cdf[-1] == 1.0
    assert len(sample_periods_to_finish(certain, {10: 1.0}, max_periods=10).cdf) == 11
    short = sample_periods_to_finish(certain, {10: 1.0}, max_periods=9)
    assert short.cdf == (0.0,)
    assert short.tail == 1.0
    assert sample_periods_to_finish(certain, {10: 1.0}, max_periods=0).cdf == (0.0,)
    assert sample_periods_to_finish(certain, {0: 1.0}, max_periods=0).cdf == (1.0,)
    # a random walk stopped early: what finished by then still matches the exact CDF
    tp = Throughput.from_history([0, 0, 3, 1, 0, 2])
    cut = sample_periods_to_finish(tp, {40: 1.0}, trials=5000, seed=3, max_periods=25)
    assert len(cut.cdf) <= 26
    assert 0.0 < cut.cdf[-1] < 1.0
    _assert_close_to_exact(tp, {40: 1.0}, cut, 5000, max_periods=25)


def test_zero_throughput_never_finishes_without_simulating() -> None:
    zero = Throughput.from_history([0, 0, 0])
    # a million trials for a thousand periods would take hours if they were simulated
    never = sample_periods_to_finish(zero, {5: 1.0}, trials=1_000_000)
    assert never.never
    assert never.cdf == (0.0,)
    assert never.quantile(0.5) is None
    partly = sample_periods_to_finish(zero, {0: 0.25, 5: 0.75}, trials=4000, seed=1)
    assert partly.never
    assert len(partly.cdf) == 1
    assert partly.cdf[0] == pytest.approx(0.25, abs=_dkw(4000))
    # steps that are never positive (all periods lose ground) cannot finish either
    losing = sample_periods_to_finish(Throughput((0, 1), (1, 1)), {3: 1.0}, shift=1)
    assert losing.cdf == (0.0,)


@pytest.mark.parametrize("path", ["bytes", "general"])
@pytest.mark.parametrize("shift", [0, 1])
def test_the_same_seed_gives_the_same_answer(
    path: str, shift: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path == "general":
        _general_only(monkeypatch)
    tp = Throughput.from_history([1, 2, 0, 3, 1, 4])
    remaining = {12: 0.5, 20: 0.5}
    runs = [
        sample_periods_to_finish(tp, remaining, trials=3000, seed=seed, shift=shift)
        for seed in (7, 7, 8)
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_bad_input() -> None:
    tp = Throughput.from_history([1, 2])
    with pytest.raises(ValidationError, match="at least 1"):
        sample_periods_to_finish(tp, {3: 1.0}, trials=0)
    with pytest.raises(ValidationError, match="must not be negative"):
        sample_periods_to_finish(tp, {3: 1.0}, max_periods=-1)
    with pytest.raises(ValidationError, match="positive weight"):
        sample_periods_to_finish(tp, {})
    with pytest.raises(ValidationError, match="positive weight"):
        sample_periods_to_finish(tp, {3: 0.0})
    with pytest.raises(ValidationError, match="history"):
        sample_periods_to_finish(Throughput((), ()), {3: 1.0})
    with pytest.raises(ValidationError, match="history"):
        sample_periods_to_finish(Throughput((1, 2), (0, 0)), {3: 1.0})


def test_large_targets_and_horizons_widen_the_lanes() -> None:
    # a lane must hold max_periods x the largest value, here far past 2^16
    exactly = sample_periods_to_finish(
        Throughput.from_history([250]), {1_000_000: 1.0}, trials=200, max_periods=6000
    )
    assert len(exactly.cdf) == 4001
    assert exactly.cdf[-2:] == (0.0, 1.0)
    tp = Throughput.from_history([200, 250, 255, 180])
    sampled = sample_periods_to_finish(tp, {20_000: 1.0}, trials=2000, seed=1, max_periods=6000)
    _assert_close_to_exact(tp, {20_000: 1.0}, sampled, 2000, max_periods=6000)


@settings(max_examples=10, deadline=None)
@given(
    st.lists(st.integers(-3, 6), min_size=2, max_size=12).filter(lambda h: max(h) > 0),
    st.integers(1, 40),
    st.integers(0, 2**16),
    st.booleans(),
)
def test_sampled_first_passage_converges_to_the_exact_one(
    steps: list[int], remaining: int, seed: int, general: bool
) -> None:
    # the pace method's representation: values = steps + shift, all non-negative
    shift = -min(0, *steps)
    tally = {s + shift: steps.count(s) for s in set(steps)}
    values = tuple(sorted(tally))
    tp = Throughput(values, tuple(tally[v] for v in values))
    with pytest.MonkeyPatch.context() as patch:
        if general:
            _general_only(patch)
        sampled = sample_periods_to_finish(
            tp, {remaining: 1.0}, trials=2000, seed=seed, shift=shift, max_periods=150
        )
    _assert_close_to_exact(tp, {remaining: 1.0}, sampled, 2000, shift=shift, max_periods=150)
