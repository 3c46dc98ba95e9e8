"""Fiscal time: date ranges, financial years with halves and quarters, and working days.

* [Period][workplan_core.periods.Period] is an inclusive date range.
* [FiscalCalendar][workplan_core.periods.FiscalCalendar] cuts time into financial years,
  halves and quarters from a configurable start (e.g. July 1) and names them
  (``FY2027``, ``FY2027-H1``, ``FY2027-Q3``).
* [WorkCalendar][workplan_core.periods.WorkCalendar] knows weekends and holidays (explicit
  dates and recurring rules) and adds and counts working days.

Everything here is a pure value: no clock is read; pass the dates you mean.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Iterator

import attrs
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from workplan_core.errors import Problem, ValidationError

__all__ = [
    "FiscalCalendar",
    "FiscalPeriod",
    "Granularity",
    "Labelling",
    "Period",
    "WorkCalendar",
]

_ONE_DAY = dt.timedelta(days=1)


# --------------------------------------------------------------------------- Period


def _check_period(instance: Period, _: attrs.Attribute[dt.date], end: dt.date) -> None:
    if end < instance.start:
        raise ValidationError.single("$.end", f"must not be before start ({instance.start})")


@attrs.frozen(order=True)
class Period:
    """An inclusive range of calendar days, from `start` to `end`.

    Raises:
        ValidationError: when `end` is before `start` (path `$.end`).
    """

    start: dt.date
    end: dt.date = attrs.field(validator=_check_period)

    @property
    def days(self) -> int:
        """Number of days in the period, both ends counted."""
        return (self.end - self.start).days + 1

    def contains(self, item: dt.date | Period) -> bool:
        """Whether a date, or a whole other period, lies inside this period."""
        if isinstance(item, Period):
            return self.start <= item.start and item.end <= self.end
        return self.start <= item <= self.end

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Period | dt.date):
            return self.contains(item)
        return False

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    def intersection(self, other: Period) -> Period | None:
        """The days both periods share, or `None` when they are disjoint."""
        if not self.overlaps(other):
            return None
        return Period(max(self.start, other.start), min(self.end, other.end))

    def dates(self) -> Iterator[dt.date]:
        """Iterate over every day of the period in order."""
        day = self.start
        while day <= self.end:
            yield day
            day += _ONE_DAY

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


# --------------------------------------------------------------------------- fiscal calendar


class Granularity(enum.Enum):
    """How finely a fiscal calendar cuts a financial year."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"

    @property
    def parts(self) -> int:
        """How many of these make one financial year."""
        return {"year": 1, "half": 2, "quarter": 4}[self.value]

    @property
    def months(self) -> int:
        """Length in months."""
        return 12 // self.parts


class Labelling(enum.Enum):
    """Which calendar year names a financial year that spans two calendar years."""

    END_YEAR = "end-year"
    """FY2027 ends in 2027 (Australia, the US federal government, the UK, India)."""
    START_YEAR = "start-year"
    """FY2027 starts in 2027."""


@attrs.frozen(order=True)
class FiscalPeriod:
    """A financial year, half or quarter: its label parts and the days it covers.

    Attributes:
        granularity: year, half or quarter.
        year: the financial year's number as named by the calendar's labelling rule.
        index: 1 for a year, 1–2 for a half, 1–4 for a quarter.
        period: the days covered.
    """

    year: int
    granularity: Granularity
    index: int
    period: Period

    @property
    def start(self) -> dt.date:
        """First day."""
        return self.period.start

    @property
    def end(self) -> dt.date:
        """Last day."""
        return self.period.end

    @property
    def label(self) -> str:
        """The label, e.g. ``FY2027``, ``FY2027-H1`` or ``FY2027-Q3``."""
        if self.granularity is Granularity.YEAR:
            return f"FY{self.year}"
        letter = "H" if self.granularity is Granularity.HALF else "Q"
        return f"FY{self.year}-{letter}{self.index}"

    def __str__(self) -> str:
        return self.label


_LABEL = re.compile(r"FY(?P<year>\d{4})(?:-(?P<kind>[HQ])(?P<index>\d))?")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _check_fiscal_start(instance: FiscalCalendar, _: object, __: object) -> None:
    problems = []
    if not 1 <= instance.start_month <= 12:
        problems.append(Problem("$.start_month", "must be between 1 and 12"))
    elif not 1 <= instance.start_day <= _DAYS_IN_MONTH[instance.start_month - 1]:
        limit = _DAYS_IN_MONTH[instance.start_month - 1]
        problems.append(
            Problem(
                "$.start_day", f"must be between 1 and {limit} for month {instance.start_month}"
            )
        )
    if problems:
        raise ValidationError(problems, summary="invalid fiscal calendar")


@attrs.frozen
class FiscalCalendar:
    """Financial years starting on a fixed month and day, with halves and quarters.

    Attributes:
        start_month: month the financial year starts in (1–12; default January).
        start_day: day of that month (it must exist in every year, so February stops at 28).
        labelling: whether a year spanning two calendar years is named by its end or start.

    Example:
        >>> cal = FiscalCalendar(start_month=7)
        >>> cal.containing(dt.date(2026, 11, 27), Granularity.QUARTER).label
        'FY2027-Q2'
    """

    start_month: int = 1
    start_day: int = attrs.field(default=1, validator=_check_fiscal_start)
    labelling: Labelling = Labelling.END_YEAR

    @property
    def _spans_two_years(self) -> bool:
        return (self.start_month, self.start_day) != (1, 1)

    def _first_day(self, year: int) -> dt.date:
        offset = 1 if self._spans_two_years and self.labelling is Labelling.END_YEAR else 0
        return dt.date(year - offset, self.start_month, self.start_day)

    def _part(self, year: int, granularity: Granularity, index: int) -> FiscalPeriod:
        if not 1 <= index <= granularity.parts:
            raise ValidationError.single(
                "$.index", f"a {granularity.value} index must be between 1 and {granularity.parts}"
            )
        base = self._first_day(year)
        start = base + relativedelta(months=granularity.months * (index - 1))
        next_start = base + relativedelta(months=granularity.months * index)
        return FiscalPeriod(year, granularity, index, Period(start, next_start - _ONE_DAY))

    def year(self, year: int) -> FiscalPeriod:
        """The financial year named `year` (e.g. 2027 for ``FY2027``)."""
        return self._part(year, Granularity.YEAR, 1)

    def half(self, year: int, index: int) -> FiscalPeriod:
        """Half `index` (1 or 2) of financial year `year`."""
        return self._part(year, Granularity.HALF, index)

    def quarter(self, year: int, index: int) -> FiscalPeriod:
        """Quarter `index` (1–4) of financial year `year`."""
        return self._part(year, Granularity.QUARTER, index)

    def parts(self, year: int, granularity: Granularity) -> tuple[FiscalPeriod, ...]:
        """Every part of financial year `year` at `granularity`, in order."""
        return tuple(self._part(year, granularity, i) for i in range(1, granularity.parts + 1))

    def fiscal_year_of(self, day: dt.date) -> int:
        """The number of the financial year that contains `day`."""
        year = (
            day.year if (day.month, day.day) >= (self.start_month, self.start_day) else day.year - 1
        )
        offset = 1 if self._spans_two_years and self.labelling is Labelling.END_YEAR else 0
        return year + offset

    def containing(self, day: dt.date, granularity: Granularity = Granularity.YEAR) -> FiscalPeriod:
        """The year, half or quarter that contains `day`."""
        fy = self.fiscal_year_of(day)
        for part in self.parts(fy, granularity):
            if day <= part.end:
                return part
        raise AssertionError("unreachable: the parts of a year tile it")  # pragma: no cover

    def next(self, fp: FiscalPeriod) -> FiscalPeriod:
        """The period of the same granularity that follows `fp`."""
        return self.containing(fp.end + _ONE_DAY, fp.granularity)

    def previous(self, fp: FiscalPeriod) -> FiscalPeriod:
        """The period of the same granularity that precedes `fp`."""
        return self.containing(fp.start - _ONE_DAY, fp.granularity)

    def between(
        self, start: dt.date, end: dt.date, granularity: Granularity = Granularity.QUARTER
    ) -> Iterator[FiscalPeriod]:
        """Every period at `granularity` that overlaps the days `start` to `end`, in order."""
        current = self.containing(start, granularity)
        while current.start <= end:
            yield current
            current = self.next(current)

    def parse(self, label: str) -> FiscalPeriod:
        """Parse a label such as ``FY2027``, ``FY2027-H2`` or ``FY2027-Q3``.

        Raises:
            ValidationError: the label does not have one of those forms.
        """
        match = _LABEL.fullmatch(label.strip())
        if match is None:
            raise ValidationError.single(
                "$", f"{label!r} is not a fiscal label like FY2027, FY2027-H1 or FY2027-Q3"
            )
        year = int(match["year"])
        if match["kind"] is None:
            return self.year(year)
        granularity = Granularity.HALF if match["kind"] == "H" else Granularity.QUARTER
        index = int(match["index"])
        if not 1 <= index <= granularity.parts:
            raise ValidationError.single(
                "$", f"{label!r}: a {granularity.value} index must be 1 to {granularity.parts}"
            )
        return self._part(year, granularity, index)


# --------------------------------------------------------------------------- working days


@functools.lru_cache(maxsize=4096)
def _rule_dates(rule: str, year: int) -> tuple[dt.date, ...]:
    start = dt.datetime(year, 1, 1)
    end = dt.datetime(year, 12, 31, 23, 59, 59)
    parsed = rrulestr(rule, dtstart=start, forceset=True)
    return tuple(d.date() for d in parsed.between(start, end, inc=True))


def _check_rules(_: object, __: object, rules: tuple[str, ...]) -> None:
    problems = []
    for i, rule in enumerate(rules):
        try:
            rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
        except (ValueError, TypeError) as exc:
            problems.append(Problem(f"$.holiday_rules[{i}]", f"not a recurrence rule: {exc}"))
    if problems:
        raise ValidationError(problems, summary="invalid holiday rules")


def _check_weekend(_: object, __: object, weekend: frozenset[int]) -> None:
    problems = []
    if any(not 0 <= d <= 6 for d in weekend):
        problems.append(Problem("$.weekend", "weekdays are numbered 0 (Monday) to 6 (Sunday)"))
    if len(set(weekend) & set(range(7))) == 7:
        problems.append(Problem("$.weekend", "must leave at least one working day in the week"))
    if problems:
        raise ValidationError(problems, summary="invalid weekend")


def _weekdays(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values)


def _dates(values: Iterable[dt.date]) -> frozenset[dt.date]:
    return frozenset(values)


def _rules(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class WorkCalendar:
    """Working days: every day that is neither a weekend day nor a holiday.

    Attributes:
        weekend: weekday numbers that are not worked (0 = Monday … 6 = Sunday).
        holidays: single non-working dates.
        holiday_rules: recurring holidays as recurrence-rule text, e.g.
            ``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"`` (Christmas Day).

    Counting is O(log h + r·y) for h explicit holidays and r rules over y years spanned; adding
    n working days is a binary search over counts, O(log n) counts.
    """

    weekend: frozenset[int] = attrs.field(
        default=frozenset({5, 6}), converter=_weekdays, validator=_check_weekend
    )
    holidays: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_dates)
    holiday_rules: tuple[str, ...] = attrs.field(
        default=(), converter=_rules, validator=_check_rules
    )

    def _holidays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Sorted distinct holidays on weekdays worked, in [start, end)."""
        days = {d for d in self.holidays if start <= d < end}
        for rule in self.holiday_rules:
            for year in range(start.year, end.year + 1):
                days.update(d for d in _rule_dates(rule, year) if start <= d < end)
        return sorted(d for d in days if d.weekday() not in self.weekend)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is worked."""
        if day.weekday() in self.weekend or day in self.holidays:
            return False
        return not any(day in _rule_dates(rule, day.year) for rule in self.holiday_rules)

    def _weekdays_between(self, start: dt.date, end: dt.date) -> int:
        days = (end - start).days
        weeks, rest = divmod(days, 7)
        per_week = 7 - len(self.weekend)
        extra = sum(1 for i in range(rest) if (start.weekday() + i) % 7 not in self.weekend)
        return weeks * per_week + extra

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` (counted) to `end` (not counted); negative if reversed."""
        if end < start:
            return -self.count_working_days(end, start)
        return self._weekdays_between(start, end) - len(self._holidays_between(start, end))

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day `count` working days after `day` (before it when negative).

        With `count == 0`, `day` itself if it is worked, else the next working day.
        """
        if count == 0:
            return day if self.is_working_day(day) else self.add_working_days(day, 1)
        step = 1 if count > 0 else -1
        need = abs(count)

        def worked_within(k: int) -> int:
            """Working days among the k days next to `day` in the direction of travel."""
            if step > 0:
                return self.count_working_days(day + _ONE_DAY, day + dt.timedelta(days=k + 1))
            return self.count_working_days(day - dt.timedelta(days=k), day)

        high = 2 * need + 14
        while worked_within(high) < need:
            high *= 2
        low = need
        while low < high:  # smallest k with worked_within(k) >= need
            mid = (low + high) // 2
            if worked_within(mid) >= need:
                high = mid
            else:
                low = mid + 1
        return day + dt.timedelta(days=step * low)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        return self.add_working_days(day, -1)

    def working_days(self, period: Period) -> Iterator[dt.date]:
        """Iterate over the working days of `period` in order."""
        holidays = set(self._holidays_between(period.start, period.end + _ONE_DAY))
        for day in period.dates():
            if day.weekday() not in self.weekend and day not in holidays:
                yield day
