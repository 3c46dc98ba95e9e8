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
    pace_resolution,
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
    # 1 task per week for sure, 3 tasks. As of Monday 1 March the periods are Tue-Mon weeks
    # ending 8, 15, 22, 29 March, 5 April. Work starts Tuesday 16 March: 10 working days lie
    # strictly between (2-5, 8-12, 15 March), so the periods ending 8 and 15 March finish
    # nothing; then one task a week -> done at the end of week 5.
    start = D(2027, 3, 16)
    f = forecast_throughput("n", [1] * 6, 3, as_of=MONDAY, start=start, due=D(2027, 4, 2))
    assert f.p50 == f.p95 == D(2027, 4, 5)  # five working weeks after Monday 1 March
    assert f.cdf[:6] == (0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    assert f.on_time_probability == 0.0
    assert any("work starts on 2027-03-16" in w for w in f.warnings)
    assert any("first 2 period(s)" in w for w in f.warnings)
    # a start on Monday 15 March is the last day of the period ending 15 March, which can
    # therefore finish work: only one idle period, done 29 March
    g = forecast_throughput("n", [1] * 6, 3, as_of=MONDAY, start=D(2027, 3, 15))
    assert g.cdf[:5] == (0.0, 0.0, 0.0, 0.0, 1.0)
    assert g.p50 == D(2027, 3, 29)
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


# --- idle periods before `start` (the period holding the start day can finish work) ---------

FRIDAY, SATURDAY = D(2027, 2, 26), D(2027, 2, 27)


@pytest.mark.parametrize("as_of", [FRIDAY, SATURDAY], ids=["friday", "saturday"])
def test_the_period_holding_the_start_day_can_finish_work(as_of: dt.date) -> None:
    # One task a week for sure, one task left, work starts Friday 5 March. From either as_of,
    # the first period is the five working days 1-5 March (Mon-Fri), so it ends on 5 March
    # and holds the start day: the task is done by 5 March, with no idle period.
    start = D(2027, 3, 5)
    f = forecast_throughput("n", [1], 1, as_of=as_of, start=start)
    assert f.dates[:2] == (as_of, start)
    assert f.cdf[:2] == (0.0, 1.0)
    assert f.p50 == start
    assert not any("work starts" in w for w in f.warnings)
    # Monday 8 March: five working days (1-5 March) lie strictly between either as_of and
    # the start, so the period ending 5 March is idle and the task is done on 12 March.
    g = forecast_throughput("n", [1], 1, as_of=as_of, start=D(2027, 3, 8))
    assert g.p50 == D(2027, 3, 12)
    assert any("nothing finishes in the first 1 period(s)" in w for w in g.warnings)


@settings(max_examples=60, deadline=None)
@given(
    as_of=st.dates(D(2027, 1, 1), D(2027, 12, 31)),
    lead=st.integers(1, 60),
    history=st.lists(st.integers(0, 3), min_size=1, max_size=6).filter(any),
    remaining=st.integers(1, 6),
)
def test_idle_periods_do_not_depend_on_whether_as_of_is_worked(
    as_of: dt.date, lead: int, history: list[int], remaining: int
) -> None:
    start = as_of + dt.timedelta(days=lead)
    f = forecast_throughput("n", history, remaining, as_of=as_of, start=start)
    # the first period ending on or after the start (the one holding it) is the first that
    # can finish anything
    holding = next(i for i, day in enumerate(f.dates) if i > 0 and day >= start)
    assert all(p == 0.0 for p in f.cdf[:holding])
    if history == [max(history)] * len(history) and max(history) >= remaining:
        assert f.cdf[holding] == 1.0  # certain throughput covering the work: done right then
    # a weekend as_of reads the same periods as the Friday before it
    if as_of.weekday() == 5:  # Saturday
        friday = forecast_throughput(
            "n", history, remaining, as_of=as_of - dt.timedelta(days=1), start=start
        )
        assert friday.dates[1:] == f.dates[1:]
        assert friday.cdf == f.cdf


# --- finished work, due dates in the past -------------------------------------------------

APRIL_10 = D(2027, 4, 10)
MARCH_31 = D(2027, 3, 31)


def test_finished_work_reads_as_on_time_and_is_never_flagged() -> None:
    # everything was done on 1 February, due 31 March, forecast as of 10 April
    done = forecast_throughput(
        "n", [1] * 6, 0, as_of=APRIL_10, due=MARCH_31, finished=D(2027, 2, 1)
    )
    assert done.done
    assert done.on_time_probability == 1.0
    assert done.probability_by(D(2027, 2, 1)) == 1.0
    assert done.probability_by(D(2027, 1, 31)) == 0.0  # before it finished
    assert delay_flag(done) is None
    # finished late (5 April): it missed the due date, but nothing is left to act on
    late = forecast_throughput(
        "n", [1] * 6, 0, as_of=APRIL_10, due=MARCH_31, finished=D(2027, 4, 5)
    )
    assert late.on_time_probability == 0.0
    assert delay_flag(late) is None
    # finished, finish day unknown: reads as on time
    unknown = forecast_throughput("n", [1] * 6, 0, as_of=APRIL_10, due=MARCH_31)
    assert unknown.on_time_probability == 1.0
    assert delay_flag(unknown) is None


def test_unfinished_work_past_its_due_date_is_late() -> None:
    f = forecast_throughput("n", [1] * 6, 2, as_of=APRIL_10, due=MARCH_31)
    assert not f.done
    assert f.on_time_probability == 0.0
    assert f.probability_by(APRIL_10 - dt.timedelta(days=1)) == 0.0
    flag = delay_flag(f)
    assert flag is not None
    assert (flag.severity, flag.lead_time_days) == (FlagSeverity.HIGH, -10)


def test_a_finish_day_is_only_for_finished_work_on_or_before_as_of() -> None:
    with pytest.raises(ValidationError) as info:
        forecast_throughput("n", [1], 2, as_of=APRIL_10, finished=D(2027, 4, 1))
    assert [p.path for p in info.value.problems] == ["$.finished"]
    with pytest.raises(ValidationError) as info:
        forecast_throughput("n", [1], 0, as_of=APRIL_10, finished=D(2027, 4, 11))
    assert [p.path for p in info.value.problems] == ["$.finished"]


def test_a_parent_of_finished_children_finished_with_the_last() -> None:
    a = forecast_throughput("a", [1], 0, as_of=APRIL_10, due=MARCH_31, finished=D(2027, 2, 1))
    b = forecast_throughput("b", [1], 0, as_of=APRIL_10, due=MARCH_31, finished=D(2027, 3, 1))
    parent, drivers = combine_children("p", [a, b], as_of=APRIL_10, due=MARCH_31)
    assert (parent.done, parent.finished, parent.on_time_probability) == (True, D(2027, 3, 1), 1.0)
    assert drivers == ()
    assert delay_flag(parent) is None
    c = forecast_throughput("c", [1], 0, as_of=APRIL_10)  # finish day unknown
    assert combine_children("p", [a, c], as_of=APRIL_10)[0].finished is None
    open_child = forecast_throughput("d", [1], 1, as_of=APRIL_10)
    mixed, _ = combine_children("p", [a, open_child], as_of=APRIL_10, due=MARCH_31)
    assert (mixed.done, mixed.finished, mixed.on_time_probability) == (False, None, 0.0)


# --- the pace method: slow steady progress --------------------------------------------------


def test_slow_steady_pace_is_not_rounded_away() -> None:
    # 0.004 a period, 0.3 to go: exactly 75 periods. The resolution chosen from the data is a
    # tenth of the smallest increment (0.0004): steps of 10, 750 to go -> 75 periods for sure.
    f = forecast_pace("n", [0.004] * 6, 0.3, as_of=MONDAY)
    assert not f.never
    assert f.p50 == f.p95 == MONDAY + dt.timedelta(weeks=75)
    assert f.warnings == ()
    # an explicit coarse resolution says precisely what it lost
    coarse = forecast_pace("n", [0.004] * 6, 0.3, as_of=MONDAY, resolution=0.01)
    assert coarse.never
    assert coarse.warnings == (
        "6 increment(s) smaller than half the resolution (0.01) count as no progress",
        "every gain is smaller than half the resolution (0.01): no finish in sight",
    )
    # a half step rounds away from zero (not to even): 0.005 is one step of 0.01 -> 30 periods
    half = forecast_pace("n", [0.005] * 6, 0.3, as_of=MONDAY, resolution=0.01)
    assert half.p50 == half.p95 == MONDAY + dt.timedelta(weeks=30)


def test_pace_without_forward_progress_says_so() -> None:
    f = forecast_pace("n", [0.0, -0.01, 0.0, 0.0, 0.0, 0.0], 0.3, as_of=MONDAY)
    assert f.never
    assert f.warnings == ("progress never moved forward in the history: no finish in sight",)


def test_pace_resolution_from_the_data() -> None:
    assert pace_resolution([0.004] * 6, 0.3) == pytest.approx(0.0004)  # 0.004 / 10
    # a tenth of the smallest (0.001) would make 0.5 a step of 500: capped at 0.5 / 100
    assert pace_resolution([0.01, -0.5], 1.0) == pytest.approx(0.005)
    assert pace_resolution([0.0, 0.0], 0.3) == pytest.approx(0.0003)
    assert pace_resolution([], 0.0) == 0.01


@settings(max_examples=60, deadline=None)
@given(step=st.floats(1e-6, 1.0), periods=st.integers(1, 400))
def test_a_steady_pace_finishes_when_its_progress_adds_up(step: float, periods: int) -> None:
    remaining = step * periods  # exactly `periods` steady periods away (up to float error)
    f = forecast_pace("n", [step] * 6, remaining, as_of=MONDAY)
    assert not f.never
    assert f.p50 is not None
    done = f.dates.index(f.p50)
    assert abs(done - periods) <= 1
    assert f.p95 == f.p50  # steady: no spread


# --- refused input ----------------------------------------------------------------------------

DATETIME = dt.datetime(2027, 3, 1, 9)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: forecast_throughput("n", [1], 3, as_of=DATETIME), "$.as_of"),
        (lambda: forecast_throughput("n", [1], 3, as_of=MONDAY, due=DATETIME), "$.due"),
        (lambda: forecast_throughput("n", [1], 3, as_of=MONDAY, start=DATETIME), "$.start"),
        (lambda: forecast_throughput("n", [1], 0, as_of=MONDAY, finished=DATETIME), "$.finished"),
        (lambda: forecast_pace("n", [0.1], 0.3, as_of=DATETIME), "$.as_of"),
        (lambda: forecast_pace("n", [0.1], 0.3, as_of=MONDAY, due=DATETIME), "$.due"),
        (lambda: combine_children("p", [_fc("a", (1.0,))], as_of=DATETIME), "$.as_of"),
        (lambda: combine_children("p", [_fc("a", (1.0,))], as_of=MONDAY, due=DATETIME), "$.due"),
        (lambda: _fc("a", (0.0, 1.0)).probability_by(DATETIME), "$.day"),
    ],
)
def test_a_datetime_is_not_a_day(call: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert [(p.path, p.message) for p in info.value.problems] == [
        (path, "must be a date, not a datetime")
    ]


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: forecast_throughput("n", None, 3, as_of=MONDAY), "$.history"),
        (lambda: forecast_throughput("n", [1, 2.0], 3, as_of=MONDAY), "$.history[1]"),
        (lambda: forecast_throughput("n", [True], 3, as_of=MONDAY), "$.history[0]"),
        (lambda: forecast_throughput("n", [1], "3", as_of=MONDAY), "$.remaining"),
        (lambda: forecast_throughput("n", [1], True, as_of=MONDAY), "$.remaining"),
        (lambda: forecast_throughput("n", [1], 2.5, as_of=MONDAY), "$.remaining"),
        (lambda: forecast_throughput("n", [1], [1, 3], as_of=MONDAY), "$.remaining"),
        (lambda: forecast_throughput("n", [1], (1, 2, 3), as_of=MONDAY), "$.remaining"),
        (lambda: forecast_throughput("n", [1], (1.5, 3), as_of=MONDAY), "$.remaining[0]"),
        (lambda: forecast_throughput("n", [1], {1.5: 1.0}, as_of=MONDAY), "$.remaining"),
        (lambda: forecast_throughput("n", [1], {2: "x"}, as_of=MONDAY), "$.remaining[2]"),
        (lambda: forecast_throughput("n", [1], 3, as_of=MONDAY, split_rate=True), "$.split_rate"),
        (lambda: forecast_throughput(7, [1], 3, as_of=MONDAY), "$.node_id"),
        (lambda: forecast_throughput("n", [1], 3, as_of=MONDAY, settings=5), "$.settings"),
        (lambda: forecast_pace("n", ["0.1"], 0.3, as_of=MONDAY), "$.increments[0]"),
        (lambda: forecast_pace("n", [True], 0.3, as_of=MONDAY), "$.increments[0]"),
        (lambda: forecast_pace("n", 0.1, 0.3, as_of=MONDAY), "$.increments"),
        (lambda: forecast_pace("n", [0.1], "0.3", as_of=MONDAY), "$.remaining"),
        (lambda: forecast_pace("n", [0.1], 0.3, as_of="2027-03-01"), "$.as_of"),
        (lambda: forecast_pace("n", [0.1], 0.3, as_of=MONDAY, resolution=True), "$.resolution"),
        (lambda: ForecastSettings(period_working_days="5"), "$.period_working_days"),
        (lambda: ForecastSettings(max_periods=True), "$.max_periods"),
        (lambda: ForecastSettings(until_probability="0.9"), "$.until_probability"),
        (lambda: ForecastSettings(calendar="weekdays"), "$.calendar"),
        (lambda: FlagPolicy(threshold="0.5"), "$.threshold"),
        (lambda: FlagPolicy(high_below=True), "$.high_below"),
        (lambda: FlagPolicy(medium_below=float("nan")), "$.medium_below"),
    ],
)
def test_wrong_kinds_are_validation_errors_naming_the_field(call: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert [p.path for p in info.value.problems] == [path]


def test_every_wrong_argument_is_listed_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        forecast_throughput(
            "n",
            None,  # type: ignore[arg-type]
            "3",  # type: ignore[arg-type]
            as_of=DATETIME,
            due="soon",  # type: ignore[arg-type]
            split_rate=-1,
        )
    assert [p.path for p in info.value.problems] == [
        "$.as_of",
        "$.due",
        "$.history",
        "$.remaining",
        "$.split_rate",
    ]
    with pytest.raises(ValidationError) as info:
        ForecastSettings(period_working_days="5", min_history=True, until_probability=2.0)  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == [
        "$.period_working_days",
        "$.min_history",
        "$.until_probability",
    ]


def test_the_quantile_dates_of_finished_work_are_its_finish_day() -> None:
    # finished on 1 November, forecast as of 4 January: every quantile is 1 November (the
    # first day by which it had finished with any probability), not the day of the forecast
    finished = D(2026, 11, 1)
    done = forecast_throughput(
        "n", [1, 2], 0, as_of=D(2027, 1, 4), due=D(2026, 12, 1), finished=finished
    )
    assert done.p50 == done.p85 == done.p95 == done.quantile_date(0.01) == finished
    assert done.probability_by(finished) == 1.0
    assert done.probability_by(finished - dt.timedelta(days=1)) == 0.0
    assert (done.on_time_probability, delay_flag(done)) == (1.0, None)  # as before
    # without a known finish day it counts as finished by any day: the day of the forecast
    unknown = forecast_throughput("n", [1, 2], 0, as_of=D(2027, 1, 4), due=D(2026, 12, 1))
    assert unknown.p50 == unknown.p95 == D(2027, 1, 4)
