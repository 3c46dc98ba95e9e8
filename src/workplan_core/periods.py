"""Fiscal time: date ranges, financial years with halves and quarters, and working days.

* [Period][workplan_core.periods.Period] is an inclusive date range.
* [FiscalCalendar][workplan_core.periods.FiscalCalendar] cuts time into financial years,
  halves and quarters from a configurable start (e.g. July 1) and names them
  (``FY2027``, ``FY2027-H1``, ``FY2027-Q3``).
* [WorkCalendar][workplan_core.periods.WorkCalendar] knows weekends and holidays (explicit
  dates and recurring rules) and adds and counts working days.

Everything here is a pure value: no clock is read; pass the dates you mean. Values check the
kinds of their fields when made, and methods check their arguments: a datetime is not a date
here, a string is not a number and a text is not an enum member. Anything refused raises a
[ValidationError][workplan_core.errors.ValidationError] naming every bad field or argument.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import warnings
from calendar import monthrange
from collections.abc import Iterable, Iterator
from typing import cast

import attrs
from dateutil.relativedelta import relativedelta
from dateutil.rrule import (
    DAILY,
    HOURLY,
    MINUTELY,
    MONTHLY,
    SECONDLY,
    WEEKLY,
    YEARLY,
    rrule,
    rruleset,
    rrulestr,
)

from workplan_core._arguments import check_arguments
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


# --------------------------------------------------------------------------- kinds


def _date_problem(value: object, rule: str = "a date") -> str | None:
    """Why `value` is not a date (a datetime is not one here), or `None`."""
    if type(value) is dt.date:
        return None
    if isinstance(value, dt.datetime):
        return f"must be {rule}, not a datetime"
    if isinstance(value, dt.date):
        return None
    return f"must be {rule}, got {type(value).__name__}"


def _int_problem(value: object) -> str | None:
    """Why `value` is not an integer (a bool is not one here), or `None`."""
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return None
    return f"must be an integer, got {type(value).__name__}"


def _check_arguments(**given: tuple[object, type]) -> None:
    """Raise one ValidationError naming every argument not of its kind (paths ``$.<name>``).

    Called only when a method's fast chain of exact type tests fails. O(arguments).
    """
    check_arguments("invalid arguments", **given)


# --------------------------------------------------------------------------- Period


def _check_period(instance: Period, _: attrs.Attribute[dt.date], end: dt.date) -> None:
    start = instance.start
    if type(start) is not dt.date or type(end) is not dt.date:
        problems = [
            Problem(f"$.{name}", message)
            for name, value in (("start", start), ("end", end))
            if (message := _date_problem(value))
        ]
        if problems:
            raise ValidationError(problems, summary="invalid period")
    if end < start:
        raise ValidationError.single("$.end", f"must not be before start ({start})")


def _other_period(other: object) -> None:
    if not isinstance(other, Period):
        raise ValidationError.single("$.other", f"must be a Period, got {type(other).__name__}")


@attrs.frozen(order=True)
class Period:
    """An inclusive range of calendar days, from `start` to `end`.

    Raises:
        ValidationError: when `start` or `end` is not a date (a datetime is refused), or
            `end` is before `start` (path `$.end`).
    """

    start: dt.date
    end: dt.date = attrs.field(validator=_check_period)

    @property
    def days(self) -> int:
        """Number of days in the period, both ends counted."""
        return (self.end - self.start).days + 1

    def contains(self, item: dt.date | Period) -> bool:
        """Whether a date, or a whole other period, lies inside this period.

        Raises:
            ValidationError: `item` is neither a date nor a Period (a datetime is refused).
        """
        kind = type(item)
        if kind is dt.date:
            return self.start <= item <= self.end  # type: ignore[operator]
        if isinstance(item, Period):
            return self.start <= item.start and item.end <= self.end
        message = _date_problem(item, "a date or a Period")
        if message:
            raise ValidationError.single("$.item", message)
        return self.start <= item <= self.end

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Period | dt.date):
            return self.contains(item)
        return False

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        if type(other) is not Period:
            _other_period(other)
        return self.start <= other.end and other.start <= self.end

    def intersection(self, other: Period) -> Period | None:
        """The days both periods share, or `None` when they are disjoint."""
        if not self.overlaps(other):
            return None
        return Period(max(self.start, other.start), min(self.end, other.end))

    def dates(self) -> Iterator[dt.date]:
        """Iterate over every day of the period in order."""
        day = self.start
        while day < self.end:
            yield day
            day += _ONE_DAY
        yield self.end

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


def _label(year: int, granularity: Granularity, index: int) -> str:
    if granularity is Granularity.YEAR:
        return f"FY{year:04d}"
    letter = "H" if granularity is Granularity.HALF else "Q"
    return f"FY{year:04d}-{letter}{index}"


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _year_range(month: int, day: int, offset: int) -> tuple[int, int]:
    """The first and last financial years whose every day is a Python date.

    `offset` is 1 when a financial year is named by the calendar year it ends in and starts in
    the year before, else 0.
    """
    spans = (month, day) != (1, 1)
    return 1 + offset, 9999 if offset or not spans else 9998


def _part_period(
    origin: tuple[int, int, int], year: int, granularity: Granularity, index: int
) -> Period:
    """The days of part `index` of financial year `year` (which must be in range).

    `origin` is the calendar's start month and day and its offset (see `_year_range`).
    """
    month, day, offset = origin
    base = dt.date(year - offset, month, day)
    start = base + relativedelta(months=granularity.months * (index - 1))
    try:
        end = base + relativedelta(months=granularity.months * index) - _ONE_DAY
    except ValueError:  # the next part would start on 10000-01-01
        end = dt.date.max
    return Period(start, end)


def _fits_a_calendar(year: int, granularity: Granularity, index: int, period: Period) -> bool:
    """Whether some fiscal calendar names `period` as part `index` of financial year `year`.

    Works back from the period's first day to the financial year's first day (its month is
    exact; its day is too unless the month arithmetic clipped it to a month's last day), so at
    most four start days and two labellings are tried. O(1).
    """
    start = period.start
    months = start.year * 12 + start.month - 1 - granularity.months * (index - 1)
    base_year, base_month = months // 12, months % 12 + 1
    offset = year - base_year
    if offset not in (0, 1) or base_year < 1:
        return False
    clipped = start.day == monthrange(start.year, start.month)[1]  # maybe cut to a month's end
    days = range(start.day, 32) if clipped else (start.day,)
    for day in days:
        if day > _DAYS_IN_MONTH[base_month - 1] or (offset and (base_month, day) == (1, 1)):
            continue
        low, high = _year_range(base_month, day, offset)
        if low <= year <= high and (
            _part_period((base_month, day, offset), year, granularity, index) == period
        ):
            return True
    return False


def _check_fiscal_period(fp: FiscalPeriod, _: object, period: Period) -> None:
    year, granularity, index = fp.year, fp.granularity, fp.index
    problems = []
    if message := _int_problem(year):
        problems.append(Problem("$.year", message))
    if type(granularity) is not Granularity:
        problems.append(
            Problem("$.granularity", f"must be a Granularity, got {type(granularity).__name__}")
        )
    if message := _int_problem(index):
        problems.append(Problem("$.index", message))
    elif type(granularity) is Granularity and not 1 <= index <= granularity.parts:
        problems.append(
            Problem(
                "$.index",
                f"a {granularity.value} index must be between 1 and {granularity.parts}",
            )
        )
    if type(period) is not Period:
        problems.append(Problem("$.period", f"must be a Period, got {type(period).__name__}"))
    if not problems and not _fits_a_calendar(year, granularity, index, period):
        label = _label(year, granularity, index)
        problems.append(Problem("$.period", f"{period} is not {label} of any fiscal calendar"))
    if problems:
        raise ValidationError(problems, summary="invalid fiscal period")


@attrs.frozen(order=True)
class FiscalPeriod:
    """A financial year, half or quarter: its label parts and the days it covers.

    Made by a [FiscalCalendar][workplan_core.periods.FiscalCalendar]; one made directly (or
    structured from data) is checked to be a part that some fiscal calendar gives.

    Attributes:
        granularity: year, half or quarter.
        year: the financial year's number as named by the calendar's labelling rule.
        index: 1 for a year, 1–2 for a half, 1–4 for a quarter.
        period: the days covered.

    Raises:
        ValidationError: a field of the wrong kind, an index out of range for the
            granularity, or a period that no fiscal calendar names so.
    """

    year: int
    granularity: Granularity
    index: int
    period: Period = attrs.field(validator=_check_fiscal_period)

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
        """The label, e.g. ``FY2027``, ``FY2027-H1`` or ``FY2027-Q3`` (years zero-padded)."""
        return _label(self.year, self.granularity, self.index)

    def __str__(self) -> str:
        return self.label


def _fiscal_period(year: int, granularity: Granularity, index: int, period: Period) -> FiscalPeriod:
    """A FiscalPeriod the calendar has computed itself, made without checking it again."""
    fp = object.__new__(FiscalPeriod)
    object.__setattr__(fp, "year", year)
    object.__setattr__(fp, "granularity", granularity)
    object.__setattr__(fp, "index", index)
    object.__setattr__(fp, "period", period)
    return fp


_LABEL = re.compile(r"FY(?P<year>[0-9]{4})(?:-(?P<kind>[HQ])(?P<index>[0-9]))?")


def _check_fiscal_calendar(instance: FiscalCalendar, _: object, labelling: Labelling) -> None:
    month, day = instance.start_month, instance.start_day
    if (
        type(month) is int
        and type(day) is int
        and type(labelling) is Labelling
        and 1 <= month <= 12
        and 1 <= day <= _DAYS_IN_MONTH[month - 1]
    ):
        return
    problems = []
    month_problem = _int_problem(month)
    if month_problem:
        problems.append(Problem("$.start_month", month_problem))
    elif not 1 <= month <= 12:
        problems.append(Problem("$.start_month", "must be between 1 and 12"))
    if message := _int_problem(day):
        problems.append(Problem("$.start_day", message))
    elif not month_problem and 1 <= month <= 12:
        limit = _DAYS_IN_MONTH[month - 1]
        if not 1 <= day <= limit:
            problems.append(
                Problem("$.start_day", f"must be between 1 and {limit} for month {month}")
            )
    if type(labelling) is not Labelling:
        problems.append(
            Problem("$.labelling", f"must be a Labelling, got {type(labelling).__name__}")
        )
    if problems:
        raise ValidationError(problems, summary="invalid fiscal calendar")


@attrs.frozen
class FiscalCalendar:
    """Financial years starting on a fixed month and day, with halves and quarters.

    Attributes:
        start_month: month the financial year starts in (1–12; default January).
        start_day: day of that month (it must exist in every year, so February stops at 28).
        labelling: whether a year spanning two calendar years is named by its end or start
            (a [Labelling][workplan_core.periods.Labelling]; its text is not converted).

    A calendar names the financial years whose every day is a Python date: FY0001 to FY9999
    for a January 1 start; FY0002 to FY9999 when a year is named by the calendar year it ends
    in and starts the year before; FY0001 to FY9998 when named by its start year. Years and
    days outside that range are refused with a ValidationError.

    Raises:
        ValidationError: naming every field of the wrong kind (an integer is required, not a
            bool, float or string) or out of range.

    Example:
        >>> cal = FiscalCalendar(start_month=7)
        >>> cal.containing(dt.date(2026, 11, 27), Granularity.QUARTER).label
        'FY2027-Q2'
    """

    start_month: int = 1
    start_day: int = 1
    labelling: Labelling = attrs.field(default=Labelling.END_YEAR, validator=_check_fiscal_calendar)

    @property
    def _offset(self) -> int:
        """1 when FY n starts in calendar year n - 1, else 0."""
        spans = (self.start_month, self.start_day) != (1, 1)
        return 1 if spans and self.labelling is Labelling.END_YEAR else 0

    def _years(self) -> tuple[int, int]:
        return _year_range(self.start_month, self.start_day, self._offset)

    def _part(self, year: int, granularity: Granularity, index: int) -> FiscalPeriod:
        if type(year) is not int or type(granularity) is not Granularity or type(index) is not int:
            _check_arguments(
                year=(year, int), granularity=(granularity, Granularity), index=(index, int)
            )
        low, high = self._years()
        if not low <= year <= high:
            raise ValidationError.single(
                "$.year", f"must be between {low} and {high} for this calendar"
            )
        if not 1 <= index <= granularity.parts:
            raise ValidationError.single(
                "$.index", f"a {granularity.value} index must be between 1 and {granularity.parts}"
            )
        start = (self.start_month, self.start_day, self._offset)
        period = _part_period(start, year, granularity, index)
        return _fiscal_period(year, granularity, index, period)

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
        if type(granularity) is not Granularity:
            _check_arguments(year=(year, int), granularity=(granularity, Granularity))
        return tuple(self._part(year, granularity, i) for i in range(1, granularity.parts + 1))

    def _fiscal_year(self, day: dt.date, path: str = "$.day") -> int:
        year = (
            day.year if (day.month, day.day) >= (self.start_month, self.start_day) else day.year - 1
        ) + self._offset
        low, high = self._years()
        if year < low:
            first = self._part(low, Granularity.YEAR, 1)
            raise ValidationError.single(
                path,
                f"{day} is before the first financial year this calendar can name "
                f"({first.label}, from {first.start})",
            )
        if year > high:
            last = self._part(high, Granularity.YEAR, 1)
            raise ValidationError.single(
                path,
                f"{day} is after the last financial year this calendar can name "
                f"({last.label}, to {last.end})",
            )
        return year

    def fiscal_year_of(self, day: dt.date) -> int:
        """The number of the financial year that contains `day`.

        Raises:
            ValidationError: `day` is not a date, or lies outside the years the calendar can
                name.
        """
        if type(day) is not dt.date:
            _check_arguments(day=(day, dt.date))
        return self._fiscal_year(day)

    def containing(self, day: dt.date, granularity: Granularity = Granularity.YEAR) -> FiscalPeriod:
        """The year, half or quarter that contains `day`.

        Raises:
            ValidationError: `day` is not a date or `granularity` not a Granularity, or `day`
                lies outside the years the calendar can name.
        """
        if type(day) is not dt.date or type(granularity) is not Granularity:
            _check_arguments(day=(day, dt.date), granularity=(granularity, Granularity))
        for part in self.parts(self._fiscal_year(day), granularity):
            if day <= part.end:
                return part
        raise AssertionError("unreachable: the parts of a year tile it")  # pragma: no cover

    def _fiscal_period_argument(self, fp: FiscalPeriod) -> None:
        if type(fp) is not FiscalPeriod:
            _check_arguments(fp=(fp, FiscalPeriod))

    def next(self, fp: FiscalPeriod) -> FiscalPeriod:
        """The period of the same granularity that follows `fp`.

        Raises:
            ValidationError: `fp` is not a FiscalPeriod, or ends the last year the calendar
                can name.
        """
        self._fiscal_period_argument(fp)
        if fp.end >= self._part(self._years()[1], Granularity.YEAR, 1).end:
            raise ValidationError.single(
                "$.fp", f"{fp.label} is the last {fp.granularity.value} this calendar can name"
            )
        return self.containing(fp.end + _ONE_DAY, fp.granularity)

    def previous(self, fp: FiscalPeriod) -> FiscalPeriod:
        """The period of the same granularity that precedes `fp`.

        Raises:
            ValidationError: `fp` is not a FiscalPeriod, or starts the first year the
                calendar can name.
        """
        self._fiscal_period_argument(fp)
        if fp.start <= self._part(self._years()[0], Granularity.YEAR, 1).start:
            raise ValidationError.single(
                "$.fp", f"{fp.label} is the first {fp.granularity.value} this calendar can name"
            )
        return self.containing(fp.start - _ONE_DAY, fp.granularity)

    def between(
        self, start: dt.date, end: dt.date, granularity: Granularity = Granularity.QUARTER
    ) -> Iterator[FiscalPeriod]:
        """Every period at `granularity` that overlaps the days `start` to `end`, in order.

        Raises:
            ValidationError: (at once, not when iterated) an argument of the wrong kind,
                `end` before `start`, or a day outside the years the calendar can name.
        """
        if type(start) is not dt.date or type(end) is not dt.date:
            _check_arguments(
                start=(start, dt.date), end=(end, dt.date), granularity=(granularity, Granularity)
            )
        if type(granularity) is not Granularity:
            _check_arguments(granularity=(granularity, Granularity))
        if end < start:
            raise ValidationError.single("$.end", f"must not be before start ({start})")
        self._fiscal_year(start, "$.start")
        self._fiscal_year(end, "$.end")
        return self._between(start, end, granularity)

    def _between(
        self, start: dt.date, end: dt.date, granularity: Granularity
    ) -> Iterator[FiscalPeriod]:
        current = self.containing(start, granularity)
        while True:
            yield current
            if current.end >= end:
                return
            current = self.next(current)

    def parse(self, label: str) -> FiscalPeriod:
        """Parse a label such as ``FY2027``, ``FY2027-H2`` or ``FY2027-Q3``.

        Raises:
            ValidationError: the label is not a string, does not have one of those forms
                (four ASCII digits for the year), or names a year the calendar cannot.
        """
        if type(label) is not str:
            _check_arguments(label=(label, str))
        match = _LABEL.fullmatch(label.strip())
        if match is None:
            raise ValidationError.single(
                "$", f"{label!r} is not a fiscal label like FY2027, FY2027-H1 or FY2027-Q3"
            )
        year = int(match["year"])
        low, high = self._years()
        if not low <= year <= high:
            raise ValidationError.single(
                "$", f"{label!r}: the year must be between {low} and {high} for this calendar"
            )
        if match["kind"] is None:
            return self.year(year)
        granularity = Granularity.HALF if match["kind"] == "H" else Granularity.QUARTER
        index = int(match["index"])
        if not 1 <= index <= granularity.parts:
            raise ValidationError.single(
                "$", f"{label!r}: a {granularity.value} index must be 1 to {granularity.parts}"
            )
        return self._part(year, granularity, index)


# --------------------------------------------------------------------------- holiday rules

_ANCHOR = dt.datetime(1, 1, 1)
"""Where a holiday rule without a DTSTART starts: 0001-01-01, a Monday."""

_STEPS = {
    WEEKLY: dt.timedelta(weeks=1),
    DAILY: dt.timedelta(days=1),
    HOURLY: dt.timedelta(hours=1),
    MINUTELY: dt.timedelta(minutes=1),
    SECONDLY: dt.timedelta(seconds=1),
}


@functools.lru_cache(maxsize=512)
def _parsed_rule(rule: str) -> rrule | rruleset:
    """The recurrence of `rule` (a time zone on its dates is dropped: holidays are local)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed: rrule | rruleset = rrulestr(rule, dtstart=_ANCHOR, ignoretz=True)
    return parsed


def _rule_count_problem(rule: str) -> str | None:
    """Why COUNT cannot mean what it says in `rule`, or `None`."""
    tokens = rule.upper().split()
    has_start = any(token.startswith("DTSTART") for token in tokens)
    for token in tokens:
        if token.startswith(("DTSTART", "RDATE", "EXDATE")):
            continue
        body = token.split(":", 1)[1] if ":" in token else token
        names = {part.split("=", 1)[0] for part in body.split(";")}
        if "COUNT" in names and "UNTIL" in names:
            return "COUNT and UNTIL must not both be given"
        if "COUNT" in names and not has_start:
            return (
                "COUNT needs a DTSTART to count from (e.g. DTSTART:20270101T000000 on a line "
                "before the rule)"
            )
    return None


@functools.lru_cache(maxsize=512)
def _rule_problem(rule: str) -> str | None:
    """Why `rule` is not a usable holiday rule, or `None`."""
    problem = _rule_count_problem(rule)
    if problem:
        return problem
    try:
        _parsed_rule(rule)
    except (ValueError, TypeError, Warning) as exc:
        return f"not a recurrence rule: {exc}"
    return None


def _moved(rule: rrule, year: int) -> rrule:
    """The same recurrence started at its last point at least a year before `year`.

    An rrule without COUNT repeats on a lattice of `interval` periods from its DTSTART, so
    starting it at a later point of that lattice keeps every later occurrence. Starting a year
    early leaves room for weeks that spill over a year's end. Keeps the rule as it is when it
    counts (COUNT), when its lattice is not whole calendar steps (a DTSTART on a 29th–31st of a
    monthly rule, or on February 29 of a yearly one), when it starts late enough, or when the
    rule does not keep its parts where this dateutil release does (moving is only a shortcut:
    the rule as it is gives the same dates, more slowly). O(1).
    """
    state = vars(rule)
    try:
        start: dt.datetime = state["_dtstart"]
        freq: int = state["_freq"]
        interval: int = state["_interval"]
        count: int | None = state["_count"]
    except KeyError:
        return rule
    target = dt.datetime(year - 1, 1, 1) if year > 1 else start
    if count is not None or start >= target:
        return rule
    if freq == YEARLY:
        if (start.month, start.day) == (2, 29):
            return rule
        steps = (target.year - start.year) // interval
        moved = start.replace(year=start.year + steps * interval)
        if moved > target:
            moved = start.replace(year=moved.year - interval)
    elif freq == MONTHLY:
        if start.day > 28:
            return rule
        months = (target.year - start.year) * 12 + target.month - start.month
        moved = start + relativedelta(months=months // interval * interval)
        if moved > target:
            moved -= relativedelta(months=interval)
    else:
        step = _STEPS[freq] * interval
        moved = start + (target - start) // step * step
    if moved <= start:
        return rule
    return rule.replace(dtstart=moved)


def _near(parsed: rrule | rruleset, year: int) -> rrule | rruleset:
    """`parsed`, with every rule in it started shortly before `year` (see `_moved`)."""
    if isinstance(parsed, rrule):
        return _moved(parsed, year)
    state = vars(parsed)
    if not {"_rrule", "_exrule", "_rdate", "_exdate"} <= state.keys():
        return parsed  # kept otherwise by this dateutil release: the set as it is
    moved = rruleset()
    for rule in state["_rrule"]:
        moved.rrule(_moved(rule, year))
    for rule in state["_exrule"]:
        moved.exrule(_moved(rule, year))
    for day in state["_rdate"]:
        moved.rdate(day)
    for day in state["_exdate"]:
        moved.exdate(day)
    return moved


@functools.lru_cache(maxsize=4096)
def _rule_dates(rule: str, year: int) -> frozenset[dt.date]:
    """The days of calendar year `year` on which `rule` recurs (from its one anchor)."""
    start = dt.datetime(year, 1, 1)
    end = dt.datetime(year, 12, 31, 23, 59, 59)
    recurrence = _near(_parsed_rule(rule), year)
    return frozenset(d.date() for d in recurrence.between(start, end, inc=True))


# --------------------------------------------------------------------------- working days

_SEARCH_SLACK = 3653
"""Days beyond a week per working day wanted that adding searches before giving up."""


def _weekdays(values: Iterable[int]) -> frozenset[int]:
    if type(values) is frozenset:
        return values
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return cast("frozenset[int]", values)  # refused by the check, naming its kind
    try:
        return frozenset(values)
    except TypeError:  # unhashable items
        return cast("frozenset[int]", values)


def _dates(values: Iterable[dt.date]) -> frozenset[dt.date]:
    return cast("frozenset[dt.date]", _weekdays(cast("Iterable[int]", values)))


def _rules(values: Iterable[str]) -> tuple[str, ...]:
    if type(values) is tuple:
        return values
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return cast("tuple[str, ...]", values)  # refused by the check, naming its kind
    return tuple(values)


def _weekend_problems(weekend: object) -> list[Problem]:
    if type(weekend) is not frozenset:
        return [
            Problem("$.weekend", f"must be a set of weekday numbers, got {type(weekend).__name__}")
        ]
    wrong = sorted({type(d).__name__ for d in weekend if _int_problem(d)})
    if wrong:
        return [
            Problem(
                "$.weekend", f"must hold only weekday numbers (integers), got {', '.join(wrong)}"
            )
        ]
    problems = []
    if any(not 0 <= d <= 6 for d in weekend):
        problems.append(Problem("$.weekend", "weekdays are numbered 0 (Monday) to 6 (Sunday)"))
    if len(weekend & set(range(7))) == 7:
        problems.append(Problem("$.weekend", "must leave at least one working day in the week"))
    return problems


def _holiday_problems(holidays: object) -> list[Problem]:
    if type(holidays) is not frozenset:
        return [Problem("$.holidays", f"must be a set of dates, got {type(holidays).__name__}")]
    kinds = {type(day) for day in holidays}
    kinds.discard(dt.date)
    wrong = {
        kind for kind in kinds if issubclass(kind, dt.datetime) or not issubclass(kind, dt.date)
    }
    if not wrong:
        return []
    if all(issubclass(kind, dt.datetime) for kind in wrong):
        return [Problem("$.holidays", "must hold only dates, not datetimes")]
    names = ", ".join(sorted(kind.__name__ for kind in wrong))
    return [Problem("$.holidays", f"must hold only dates, got {names}")]


def _holiday_rule_problems(rules: object) -> list[Problem]:
    if type(rules) is not tuple:
        if isinstance(rules, str):
            return [
                Problem(
                    "$.holiday_rules", "must be a list of recurrence rules, not a single string"
                )
            ]
        return [
            Problem(
                "$.holiday_rules",
                f"must be a list of recurrence rules, got {type(rules).__name__}",
            )
        ]
    problems = []
    for index, rule in enumerate(rules):
        path = f"$.holiday_rules[{index}]"
        if not isinstance(rule, str):
            problems.append(Problem(path, f"must be a string, got {type(rule).__name__}"))
        elif message := _rule_problem(str(rule)):
            problems.append(Problem(path, message))
    return problems


_DATE_TYPES = frozenset({dt.date})
_INT_TYPES = frozenset({int})


def _check_work_calendar(calendar: WorkCalendar, _: object, rules: tuple[str, ...]) -> None:
    weekend, holidays = calendar.weekend, calendar.holidays
    if (
        type(weekend) is frozenset
        and type(holidays) is frozenset
        and type(rules) is tuple
        and _INT_TYPES.issuperset(map(type, weekend))
        and all(0 <= d <= 6 for d in weekend)
        and len(weekend) < 7
        and (not holidays or _DATE_TYPES.issuperset(map(type, holidays)))
        and all(type(rule) is str and _rule_problem(rule) is None for rule in rules)
    ):
        return
    problems = [
        *_weekend_problems(weekend),
        *_holiday_problems(holidays),
        *_holiday_rule_problems(rules),
    ]
    if problems:
        raise ValidationError(problems, summary="invalid work calendar")


@attrs.frozen
class WorkCalendar:
    r"""Working days: every day that is neither a weekend day nor a holiday.

    Attributes:
        weekend: weekday numbers that are not worked (0 = Monday … 6 = Sunday).
        holidays: single non-working dates (dates, not datetimes).
        holiday_rules: recurring holidays as recurrence-rule text, e.g.
            ``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"`` (Christmas Day). Each rule recurs
            continuously from one anchor: its own ``DTSTART`` line if it has one (e.g.
            ``"DTSTART:20261225T000000\nRRULE:FREQ=YEARLY;COUNT=3"``), else 0001-01-01 (a
            Monday), so a rule without DTSTART applies on every date and its INTERVAL counts
            from that day. No day before a rule's DTSTART is a holiday from it. A COUNT needs
            a DTSTART to count from and may not be combined with UNTIL. A time zone on the
            rule's dates is ignored: holidays are local days.

    Counting is O(log h + r·y) for h explicit holidays and r rules over y years spanned; adding
    n working days is a binary search over counts, O(log n) counts. Adding searches at most
    7·n + 3653 days (and never past the first or last Python date) before it gives up with a
    ValidationError, so a calendar whose holidays cover every day cannot make it hang.

    Raises:
        ValidationError: naming every bad field: a weekend that is not a set of weekday
            numbers 0–6 or leaves no day in the week, holidays that are not dates (a datetime
            is refused: it would never match a day), rules that are not a list of valid rule
            strings (a single string is refused).
    """

    weekend: frozenset[int] = attrs.field(default=frozenset({5, 6}), converter=_weekdays)
    holidays: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_dates)
    holiday_rules: tuple[str, ...] = attrs.field(
        default=(), converter=_rules, validator=_check_work_calendar
    )

    def _holidays_in(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Sorted distinct holidays on weekdays worked, in [first, last]."""
        days = {d for d in self.holidays if first <= d <= last}
        for rule in self.holiday_rules:
            for year in range(first.year, last.year + 1):
                days.update(d for d in _rule_dates(rule, year) if first <= d <= last)
        return sorted(d for d in days if d.weekday() not in self.weekend)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is worked."""
        if type(day) is not dt.date:
            _check_arguments(day=(day, dt.date))
        if day.weekday() in self.weekend or day in self.holidays:
            return False
        return not any(day in _rule_dates(rule, day.year) for rule in self.holiday_rules)

    def _weekdays_in(self, first: dt.date, days: int) -> int:
        """Days among the `days` days from `first` that are not weekend days."""
        weeks, rest = divmod(days, 7)
        per_week = 7 - len(self.weekend)
        weekday = first.weekday()
        extra = sum(1 for i in range(rest) if (weekday + i) % 7 not in self.weekend)
        return weeks * per_week + extra

    def _worked(self, first: dt.date, last: dt.date) -> int:
        """Working days in [first, last], both counted (0 when last < first)."""
        if last < first:
            return 0
        days = (last - first).days + 1
        return self._weekdays_in(first, days) - len(self._holidays_in(first, last))

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` (counted) to `end` (not counted); negative if reversed."""
        if type(start) is not dt.date or type(end) is not dt.date:
            _check_arguments(start=(start, dt.date), end=(end, dt.date))
        if end < start:
            return -self.count_working_days(end, start)
        if end == start:
            return 0
        return self._worked(start, end - _ONE_DAY)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day `count` working days after `day` (before it when negative).

        With `count == 0`, `day` itself if it is worked, else the next working day.

        Raises:
            ValidationError: an argument of the wrong kind, or fewer than `count` working
                days within reach: before the first or after the last Python date, or within
                7·|count| + 3653 days (a calendar whose holidays cover every day).
        """
        if type(day) is not dt.date or type(count) is not int:
            _check_arguments(day=(day, dt.date), count=(count, int))
        if count == 0:
            return day if self.is_working_day(day) else self.add_working_days(day, 1)
        step = 1 if count > 0 else -1
        need = abs(count)
        room = (dt.date.max - day).days if step > 0 else (day - dt.date.min).days
        limit = min(room, 7 * need + _SEARCH_SLACK)

        def worked_within(k: int) -> int:
            """Working days among the k days next to `day` in the direction of travel."""
            if k == 0:
                return 0
            if step > 0:
                return self._worked(day + _ONE_DAY, day + dt.timedelta(days=k))
            return self._worked(day - dt.timedelta(days=k), day - _ONE_DAY)

        high = min(2 * need + 14, limit)
        while (found := worked_within(high)) < need:
            if high == limit:
                raise self._not_found(day, step, need=need, found=found, searched=limit, room=room)
            high = min(high * 2, limit)
        low = need
        while low < high:  # smallest k with worked_within(k) >= need
            mid = (low + high) // 2
            if worked_within(mid) >= need:
                high = mid
            else:
                low = mid + 1
        return day + dt.timedelta(days=step * low)

    @staticmethod
    def _not_found(
        day: dt.date, step: int, *, need: int, found: int, searched: int, room: int
    ) -> ValidationError:
        if searched == room:
            first, last = (day, dt.date.max) if step > 0 else (dt.date.min, day)
            message = f"found only {found} of {need} working days between {first} and {last}"
        else:
            direction = "after" if step > 0 else "before"
            message = (
                f"found only {found} of {need} working days in the {searched} days {direction} "
                f"{day}: the weekend and holidays leave (almost) no working day"
            )
        return ValidationError.single("$.count", message)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        return self.add_working_days(day, -1)

    def working_days(self, period: Period) -> Iterator[dt.date]:
        """Iterate over the working days of `period` in order."""
        if type(period) is not Period:
            _check_arguments(period=(period, Period))
        return self._working_days(period)

    def _working_days(self, period: Period) -> Iterator[dt.date]:
        holidays = set(self._holidays_in(period.start, period.end))
        for day in period.dates():
            if day.weekday() not in self.weekend and day not in holidays:
                yield day
