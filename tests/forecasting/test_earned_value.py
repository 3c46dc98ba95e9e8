"""Earned value and earned schedule: a worked example checked by hand, and edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.forecasting.earned_value import PlannedValue, earned_value


def test_worked_example() -> None:
    # BAC 100 over 6 periods; at AT=4 we have earned 50 and spent 60.
    baseline = PlannedValue([10, 25, 45, 70, 90, 100])
    r = earned_value(baseline, earned=50, actual_cost=60, actual_time=4)
    assert r.planned == 70  # PV(4)
    assert r.cost_variance == -10  # 50 - 60
    assert r.schedule_variance == -20  # 50 - 70
    assert r.cpi == pytest.approx(50 / 60)  # 0.8333
    assert r.spi == pytest.approx(50 / 70)  # 0.7143
    assert r.eac == pytest.approx(120)  # 100 / 0.8333
    assert r.eac_atypical == 110  # 60 + (100 - 50)
    assert r.eac_composite == pytest.approx(144)  # 60 + 50 / (0.8333 * 0.7143) = 60 + 84
    assert r.etc == pytest.approx(60)  # 120 - 60
    assert r.vac == pytest.approx(-20)  # 100 - 120
    assert r.tcpi == pytest.approx(1.25)  # (100 - 50) / (100 - 60)
    assert r.tcpi_eac == pytest.approx(50 / 60)  # (100 - 50) / (120 - 60)
    # ES: PV(3)=45 <= 50 < PV(4)=70 -> 3 + 5/25 = 3.2
    assert r.earned_schedule == pytest.approx(3.2)
    assert r.schedule_variance_time == pytest.approx(-0.8)
    assert r.spi_time == pytest.approx(0.8)
    assert r.planned_duration == 6
    assert r.ieac_time == pytest.approx(7.5)  # 6 / 0.8


def test_interpolation_inside_a_period_and_plateaus() -> None:
    baseline = PlannedValue([10, 20, 20, 40])
    assert baseline.at(1.5) == 15
    assert baseline.at(9) == 40
    assert baseline.at(0) == 0
    # EV 20 equals PV(2) and PV(3): earned schedule takes the later period (work of the plateau)
    assert baseline.earned_schedule(20) == 3
    assert baseline.earned_schedule(30) == 3.5
    assert PlannedValue([5, 10, 10]).planned_duration == 2


def test_nothing_spent_or_elapsed_gives_none_not_infinity() -> None:
    r = earned_value(PlannedValue([10, 20]), earned=0, actual_cost=0, actual_time=0)
    assert r.cpi is None
    assert r.spi is None
    assert r.eac is None
    assert r.spi_time is None
    assert r.ieac_time is None
    assert r.eac_atypical == 20


def test_bad_input_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        PlannedValue([10, 5, float("nan")])
    assert [p.path for p in info.value.problems] == ["$.cumulative[2]", "$.cumulative[1]"]
    with pytest.raises(ValidationError) as info:
        earned_value(PlannedValue([1]), earned=-1, actual_cost=float("inf"), actual_time=1)
    assert [p.path for p in info.value.problems] == ["$.earned", "$.actual_cost"]


@given(
    st.lists(st.floats(0, 100), min_size=1, max_size=12).map(
        lambda xs: [sum(xs[: i + 1]) + i + 1 for i in range(len(xs))]
    ),
    st.floats(0, 1),
)
def test_earned_schedule_inverts_planned_value(cumulative: list[float], share: float) -> None:
    baseline = PlannedValue(cumulative)
    earned = share * baseline.budget_at_completion
    es = baseline.earned_schedule(earned)
    assert 0 <= es <= baseline.planned_duration
    assert baseline.at(es) == pytest.approx(earned, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "paths"),
    [
        (lambda: PlannedValue(None), ["$.cumulative"]),
        (lambda: PlannedValue(100), ["$.cumulative"]),
        (lambda: PlannedValue("10,20"), ["$.cumulative"]),
        (lambda: PlannedValue(["10", "20"]), ["$.cumulative[0]", "$.cumulative[1]"]),
        (lambda: PlannedValue([True, True]), ["$.cumulative[0]", "$.cumulative[1]"]),
        (lambda: PlannedValue([10, "x", 5]), ["$.cumulative[1]"]),
        (
            lambda: earned_value(PlannedValue([10]), earned="50", actual_cost=True, actual_time=1),
            ["$.earned", "$.actual_cost"],
        ),
        (
            lambda: earned_value([10, 20], earned=5, actual_cost=5, actual_time=1),
            ["$.baseline"],
        ),
    ],
)
def test_values_of_the_wrong_kind_are_refused_not_converted(call: object, paths: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert [p.path for p in info.value.problems] == paths
    assert "got" in str(info.value)


def test_whole_numbers_are_read_as_floats() -> None:
    assert PlannedValue([10, 20.5]).cumulative == (10.0, 20.5)
