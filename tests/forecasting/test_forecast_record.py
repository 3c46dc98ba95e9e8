"""A `Forecast` built by hand is checked like every other record: kinds, then fit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.forecasting.forecast import Forecast, ForecastMethod, forecast_throughput

D = dt.date
MONDAY = D(2027, 3, 1)
WEEKS = (MONDAY, D(2027, 3, 8), D(2027, 3, 15))


def _forecast(**changes: Any) -> Forecast:
    fields: dict[str, Any] = {
        "node_id": "t1",
        "as_of": MONDAY,
        "method": ForecastMethod.THROUGHPUT,
        "dates": WEEKS,
        "cdf": (0.0, 0.5, 1.0),
    }
    fields.update(changes)
    return Forecast(**fields)


def _paths(**changes: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        _forecast(**changes)
    return [p.path for p in caught.value.problems]


def test_a_sound_forecast_is_taken() -> None:
    forecast = _forecast(due=D(2027, 3, 10), history_periods=6, warnings=("thin history",))
    assert forecast.on_time_probability == 0.5


def test_every_field_of_the_wrong_kind_is_named_at_once() -> None:
    paths = _paths(
        node_id=7,
        as_of=dt.datetime(2027, 3, 1, 9),
        method="throughput",
        due="2027-03-10",
        history_periods=True,
        truncated="0",
        never=0,
        finished=1,
        warnings=["a list"],
    )
    assert paths == [
        "$.node_id",
        "$.as_of",
        "$.method",
        "$.due",
        "$.history_periods",
        "$.truncated",
        "$.never",
        "$.finished",
        "$.warnings",
    ]


def test_items_of_the_curve_are_named() -> None:
    assert _paths(dates=(MONDAY, "2027-03-08", WEEKS[2]), cdf=(0.0, "x", True)) == [
        "$.dates[1]",
        "$.cdf[1]",
        "$.cdf[2]",
    ]
    assert _paths(dates=list(WEEKS)) == ["$.dates"]


@pytest.mark.parametrize(
    ("changes", "path", "rule"),
    [
        ({"cdf": (0.0, 1.0)}, "$.cdf", "one probability per date (3), got 2"),
        ({"dates": (MONDAY, WEEKS[2], WEEKS[1])}, "$.dates", "strictly increasing"),
        ({"dates": (MONDAY, MONDAY, WEEKS[2])}, "$.dates", "strictly increasing"),
        ({"cdf": (0.0, 0.6, 0.5)}, "$.cdf", "never decrease"),
        ({"cdf": (0.0, 0.5, 1.5)}, "$.cdf", "in [0, 1]"),
        ({"cdf": (-0.1, 0.5, 1.0)}, "$.cdf", "in [0, 1]"),
        ({"as_of": WEEKS[1]}, "$.dates[0]", "must be as_of"),
        ({"history_periods": -1}, "$.history_periods", ">= 0"),
        ({"truncated": 1.5}, "$.truncated", "[0, 1]"),
        ({"finished": D(2027, 2, 20)}, "$.finished", "unless cdf[0] is 1"),
        (
            {"cdf": (1.0, 1.0, 1.0), "finished": D(2027, 3, 2)},
            "$.finished",
            "on or before as_of",
        ),
    ],
)
def test_fields_that_do_not_fit_together_are_refused(
    changes: dict[str, Any], path: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _forecast(**changes)
    assert [(p.path, rule in p.message) for p in caught.value.problems] == [(path, True)]


def test_finished_work_may_name_its_finish_day() -> None:
    forecast = _forecast(cdf=(1.0, 1.0, 1.0), finished=D(2027, 2, 20))
    assert forecast.p50 == D(2027, 2, 20)


@given(
    history=st.lists(st.integers(0, 6), min_size=1, max_size=12),
    remaining=st.integers(0, 40),
)
def test_every_forecast_the_library_makes_passes_its_own_checks(
    history: list[int], remaining: int
) -> None:
    made = forecast_throughput("n", history, remaining, as_of=MONDAY, due=D(2027, 6, 1))
    assert attrs.evolve(made) == made  # made again through the checks


@pytest.mark.parametrize(
    ("history", "remaining", "due"),
    [
        ([4, 2, 0, 7, 6, 0, 4], (16, 34), D(2028, 2, 29)),
        ([0, 5, 2, 0], (6, 7), D(2029, 6, 1)),
    ],
)
def test_a_range_of_remaining_work_makes_a_cdf_that_never_decreases(
    history: list[int], remaining: tuple[int, int], due: dt.date
) -> None:
    # the mixture's rounded sum dipped by an ulp, and the forecast refused itself
    made = forecast_throughput("n", history, remaining, as_of=MONDAY, due=due)
    assert all(a <= b for a, b in zip(made.cdf, made.cdf[1:], strict=False))


def test_a_cdf_may_dip_by_rounding_but_not_more() -> None:
    _forecast(cdf=(0.0, 0.9999999999999996, 0.9999999999999993))
    with pytest.raises(ValidationError, match="never decrease"):
        _forecast(cdf=(0.0, 0.5, 0.4999))


def test_an_empty_forecast_is_refused() -> None:
    assert _paths(dates=(), cdf=()) == ["$.dates"]


def test_a_due_date_on_the_last_day_python_knows_is_forecast() -> None:
    # counting the working days up to it used to step past the last date (OverflowError)
    made = forecast_throughput("n", [1, 2, 0, 1], 5, as_of=MONDAY, due=D(9999, 12, 31))
    assert made.due == D(9999, 12, 31)
    assert made.on_time_probability == pytest.approx(1.0)
