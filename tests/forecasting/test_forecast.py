"""Forecast results, the pace method, Monte Carlo agreement, combining children, delay flags."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.forecasting.distribution import Throughput, periods_to_finish
from workplan_core.forecasting.flags import (
    FlagPolicy,
    FlagSeverity,
    combine_children,
    delay_flag,
)
from workplan_core.forecasting.forecast import (
    Forecast,
    ForecastMethod,
    ForecastSettings,
    forecast_pace,
    forecast_throughput,
)
from workplan_core.forecasting.sampling import sample_periods_to_finish
from workplan_core.periods import WorkCalendar

D = dt.date
MONDAY = D(2027, 3, 1)


def test_throughput_forecast_maps_periods_to_working_weeks() -> None:
    # 1 task per week for sure: 3 tasks take exactly 3 weeks = 15 working days.
    f = forecast_throughput("n", [1, 1, 1, 1, 1, 1], 3, as_of=MONDAY, due=D(2027, 3, 19))
    assert f.dates[:4] == (MONDAY, D(2027, 3, 8), D(2027, 3, 15), D(2027, 3, 22))
    assert f.p50 == f.p95 == D(2027, 3, 22)
    assert f.on_time_probability == 0.0
    assert f.probability_by(D(2027, 3, 22)) == 1.0
    assert f.warnings == ()


def test_holidays_push_the_dates() -> None:
    calendar = WorkCalendar(holidays={D(2027, 3, 3)})
    f = forecast_throughput(
        "n", [1] * 6, 1, as_of=MONDAY, settings=ForecastSettings(calendar=calendar)
    )
    assert f.dates[1] == D(2027, 3, 9)  # five working days after Monday, skipping Wednesday


def test_short_history_and_no_finish_are_results_with_warnings() -> None:
    f = forecast_throughput("n", [0, 0], 5, as_of=MONDAY, due=D(2027, 4, 1))
    assert f.never
    assert f.p50 is None
    assert f.on_time_probability == 0.0
    assert any("no finish in sight" in w for w in f.warnings)
    assert any("only 2 periods" in w for w in f.warnings)
    nothing = forecast_throughput("n", [], 5, as_of=MONDAY)
    assert nothing.never
    done = forecast_throughput("n", [], 0, as_of=MONDAY)
    assert done.p50 == MONDAY


def test_work_starting_later_finishes_nothing_before_its_start() -> None:
    # 1 task per week for sure, 3 tasks; work starts two weeks (10 working days = 2 periods)
    # after as_of: nothing in weeks 1-2, then one task a week -> done at the end of week 5.
    start = D(2027, 3, 15)
    f = forecast_throughput("n", [1] * 6, 3, as_of=MONDAY, start=start, due=D(2027, 4, 2))
    assert f.p50 == f.p95 == D(2027, 4, 5)  # five working weeks after Monday 1 March
    assert f.cdf[:6] == (0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    assert f.on_time_probability == 0.0
    assert any("work starts on 2027-03-15" in w for w in f.warnings)
    # a start inside the first period delays nothing; a start in the past neither
    same = forecast_throughput("n", [1] * 6, 3, as_of=MONDAY)
    for early in (D(2027, 3, 3), D(2027, 1, 1)):
        g = forecast_throughput("n", [1] * 6, 3, as_of=MONDAY, start=early)
        assert g.cdf == same.cdf
        assert not any("work starts" in w for w in g.warnings)
    # work already finished stays finished now, whatever the start
    assert forecast_throughput("n", [1] * 6, 0, as_of=MONDAY, start=start).p50 == MONDAY


@settings(max_examples=40, deadline=None)
@given(
    history=st.lists(st.integers(0, 4), min_size=1, max_size=8),
    remaining=st.integers(0, 12),
    weeks=st.integers(0, 6),
)
def test_a_later_start_never_finishes_earlier(
    history: list[int], remaining: int, weeks: int
) -> None:
    now = forecast_throughput("n", history, remaining, as_of=MONDAY)
    later = forecast_throughput(
        "n", history, remaining, as_of=MONDAY, start=MONDAY + dt.timedelta(weeks=weeks)
    )
    for day in now.dates[: len(later.dates)]:
        assert later.probability_by(day) <= now.probability_by(day) + 1e-12


def test_due_date_in_the_past() -> None:
    f = forecast_throughput("n", [2, 3, 1, 2, 2, 3], 10, as_of=MONDAY, due=D(2027, 2, 1))
    assert f.on_time_probability == 0.0
    flag = delay_flag(f)
    assert flag is not None
    assert flag.severity is FlagSeverity.HIGH
    assert flag.lead_time_days == -28


def test_forecast_runs_at_least_to_the_due_date() -> None:
    # 0 or 5 tasks a week with equal chance, 5 to go: P(N <= n) = 1 - 2^-n, so P95 is 5 weeks,
    # but the due date is 10 weeks out and its probability must still be computed.
    f = forecast_throughput("n", [0, 5] * 3, 5, as_of=MONDAY, due=MONDAY + dt.timedelta(weeks=10))
    assert f.p95 == MONDAY + dt.timedelta(weeks=5)
    assert f.on_time_probability == pytest.approx(1 - 2**-10)
    certain = forecast_throughput("n", [5] * 6, 5, as_of=MONDAY, due=D(2027, 6, 30))
    assert certain.on_time_probability == 1.0


def test_pace_worked_example() -> None:
    # increments 0.1, 0.2 each half the time; 0.3 remaining in steps of 0.1: R=3 units
    # P(N<=2) = P(X1+X2 >= 3) = 3/4 (all but 1+1)
    f = forecast_pace("n", [0.1, 0.2], 0.3, as_of=MONDAY)
    assert f.cdf[:3] == pytest.approx((0.0, 0.0, 0.75))
    assert f.method is ForecastMethod.PACE


def test_pace_with_regress_is_a_first_passage() -> None:
    # steps +1 or -1 unit with equal chance, 1 unit to go: P(N<=1)=1/2, P(N<=3)=1/2+1/8
    f = forecast_pace(
        "n", [0.01, -0.01], 0.01, as_of=MONDAY, settings=ForecastSettings(until_probability=0.6)
    )
    assert f.cdf[1] == pytest.approx(0.5)
    assert f.cdf[2] == pytest.approx(0.5)
    assert f.cdf[3] == pytest.approx(0.625)
    assert any("first passage" in w for w in f.warnings)


def test_pace_bad_input() -> None:
    with pytest.raises(ValidationError) as info:
        forecast_pace("n", [0.1, float("nan")], 0.5, as_of=MONDAY, resolution=0)
    assert [p.path for p in info.value.problems] == ["$.increments[1]", "$.resolution"]


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(0, 8), min_size=3, max_size=26).filter(lambda h: sum(h) > 0),
    st.integers(1, 120),
    st.integers(0, 2**16),
)
def test_monte_carlo_quantiles_converge_to_the_exact_ones(
    history: list[int], remaining: int, seed: int
) -> None:
    tp = Throughput.from_history(history)
    exact = periods_to_finish(tp, {remaining: 1.0}, until_probability=0.99)
    sampled = sample_periods_to_finish(tp, {remaining: 1.0}, trials=4000, seed=seed)
    # Dvoretzky-Kiefer-Wolfowitz: sup |F_n - F| <= 0.035 with prob. 1 - 2e^{-2*4000*0.035^2}
    # = 1 - 1e-4; compare the CDFs where both are computed.
    for n in range(min(len(exact.cdf), len(sampled.cdf))):
        assert abs(exact.cdf[n] - sampled.cdf[n]) <= 0.035
    for q in (0.5, 0.85):
        a, b = exact.quantile(q), sampled.quantile(q)
        assert a is not None
        assert b is not None
        assert abs(a - b) <= 1


def test_sampler_is_seeded() -> None:
    tp = Throughput.from_history([1, 2, 0, 3])
    a = sample_periods_to_finish(tp, {10: 1.0}, trials=500, seed=3)
    assert a == sample_periods_to_finish(tp, {10: 1.0}, trials=500, seed=3)


def _fc(node: str, cdf: tuple[float, ...], due: dt.date | None = None) -> Forecast:
    dates = tuple(MONDAY + dt.timedelta(weeks=i) for i in range(len(cdf)))
    return Forecast(
        node, MONDAY, ForecastMethod.THROUGHPUT, dates, cdf, due=due, history_periods=10
    )


def test_parent_cdf_is_the_product_and_drivers_are_ranked() -> None:
    due = MONDAY + dt.timedelta(weeks=2)
    a = _fc("a", (0.0, 0.5, 0.9, 1.0))
    b = _fc("b", (0.0, 0.8, 1.0))
    c = _fc("c", (0.0, 1.0))
    parent, drivers = combine_children("p", [a, b, c], as_of=MONDAY, due=due)
    assert parent.cdf == pytest.approx((0.0, 0.4, 0.9, 1.0))
    assert parent.on_time_probability == pytest.approx(0.9)
    assert drivers == ("a",)  # b and c are certain by the due date
    flag = delay_flag(parent, FlagPolicy(threshold=0.95), drivers)
    assert flag is not None
    assert (flag.severity, flag.drivers, flag.lead_time_days) == (FlagSeverity.LOW, ("a",), 14)
    assert delay_flag(parent) is None  # 0.9 >= the default 0.7


def test_combining_checks_its_input() -> None:
    with pytest.raises(ValidationError):
        combine_children("p", [], as_of=MONDAY)
    other = Forecast("x", D(2027, 1, 1), ForecastMethod.THROUGHPUT, (D(2027, 1, 1),), (1.0,))
    with pytest.raises(ValidationError, match="different days"):
        combine_children("p", [_fc("a", (1.0,)), other], as_of=MONDAY)


def test_flag_policy_bands() -> None:
    policy = FlagPolicy(threshold=0.8, medium_below=0.5, high_below=0.2)
    assert [policy.severity(p) for p in (0.7, 0.4, 0.1)] == [
        FlagSeverity.LOW,
        FlagSeverity.MEDIUM,
        FlagSeverity.HIGH,
    ]
    with pytest.raises(ValidationError):
        FlagPolicy(threshold=0.5, medium_below=0.6)


@given(st.lists(st.lists(st.floats(0, 1), min_size=1, max_size=6), min_size=1, max_size=4))
def test_parent_never_more_likely_than_any_child(raw: list[list[float]]) -> None:
    children = [_fc(f"c{i}", tuple(sorted(xs))) for i, xs in enumerate(raw)]
    parent, _ = combine_children("p", children, as_of=MONDAY)
    for day in parent.dates:
        assert parent.probability_by(day) <= min(c.probability_by(day) for c in children) + 1e-12


def test_settings_reject_a_probability_outside_the_unit_interval() -> None:
    with pytest.raises(ValidationError) as info:
        ForecastSettings(until_probability=1.5)
    assert info.value.problems[0].path == "$.until_probability"


def test_days_that_are_not_dates_are_validation_errors_naming_each() -> None:
    with pytest.raises(ValidationError) as info:
        forecast_throughput("n", [1, 2], 3, as_of="2027-03-01", due=5, start="soon")  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["$.as_of", "$.due", "$.start"]
    assert "must be a date" in str(info.value)
