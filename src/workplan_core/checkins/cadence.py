"""Check-in cadences: when a manager and a person or team are due to meet, and which they missed.

A [Cadence][workplan_core.checkins.cadence.Cadence] is a recurrence rule (recurrence-rule text
such as ``FREQ=WEEKLY;BYDAY=MO``) anchored at a start date, with a grace period. A due date
``d`` is *kept* by a check-in held within ``grace_days`` of it (before or after); each check-in
keeps at most one due date. A due date is *missed* once its grace period has passed, as of a
date, without a check-in that keeps it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
import itertools
import operator
from array import array
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress, repeat
from operator import add, gt, lt, sub

import attrs
from dateutil.rrule import rrulestr

from workplan_core._arguments import check_arguments
from workplan_core._fields import (
    Check,
    field_problems,
    is_day,
    is_optional_day,
    is_text,
    is_whole,
    of_type,
    wrong,
)
from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.serialization import record_type

__all__ = [
    "Attendance",
    "AttendanceTable",
    "Cadence",
    "Weekday",
    "fortnightly",
    "monthly",
    "weekly",
]


class Weekday(enum.IntEnum):
    """Days of the week as numbered by `datetime.date.weekday()`."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6

    @property
    def code(self) -> str:
        """The two-letter code used in recurrence rules (MO, TU, …)."""
        return ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[self.value]


def _check_day(day: object) -> None:
    if type(day) is not Weekday:
        raise ValidationError([wrong("$.day", "a Weekday", day)], summary="invalid recurrence rule")


def weekly(day: Weekday) -> str:
    """Rule text for a check-in every week on `day`.

    Raises:
        ValidationError: `day` is not a `Weekday`.
    """
    _check_day(day)
    return f"FREQ=WEEKLY;BYDAY={day.code}"


def fortnightly(day: Weekday) -> str:
    """Rule text for a check-in every second week on `day` (counted from the cadence start).

    Raises:
        ValidationError: `day` is not a `Weekday`.
    """
    _check_day(day)
    return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day.code}"


def monthly(day: Weekday, nth: int = 1) -> str:
    """Rule text for a check-in on the `nth` `day` of each month (`nth=-1`: the last one).

    Raises:
        ValidationError: `day` is not a `Weekday`, or `nth` not an integer from 1 to 5 or
            -1 to -5.
    """
    problems = [] if type(day) is Weekday else [wrong("$.day", "a Weekday", day)]
    if not is_whole(nth):
        problems.append(wrong("$.nth", "an integer", nth))
    elif nth == 0 or not -5 <= nth <= 5:
        problems.append(Problem("$.nth", "must be 1 to 5, or -1 to -5 counting from the end"))
    if problems:
        raise ValidationError(problems, summary="invalid recurrence rule")
    return f"FREQ=MONTHLY;BYDAY={nth:+d}{day.code}"


@functools.lru_cache(maxsize=1024)
def _expand(rule: str, start: dt.date, until: dt.date) -> tuple[dt.date, ...]:
    anchor = dt.datetime.combine(start, dt.time())
    parsed = rrulestr(rule, dtstart=anchor)
    last = dt.datetime.combine(until, dt.time())
    return tuple(d.date() for d in parsed.between(anchor, last, inc=True))


@functools.lru_cache(maxsize=1024)
def _interval(rule: str, start: dt.date) -> int:
    dates = _expand(rule, start, start + dt.timedelta(days=400))
    gaps = sorted((b - a).days for a, b in itertools.pairwise(dates))
    return gaps[len(gaps) // 2] if gaps else 366


_FIELDS: tuple[Check, ...] = (
    ("id", is_text, "a string"),
    ("manager_id", is_text, "a string"),
    ("subject", of_type(OwnerRef), "an OwnerRef"),
    ("start", is_day, "a date"),
    ("grace_days", is_whole, "an integer"),
    ("end", is_optional_day, "a date or None"),
    ("rule", is_text, "a string"),
)


def _plain_types(cadence: Cadence) -> bool:
    """Whether every field has its type (the common case: one chain of exact type tests)."""
    end = cadence.end
    return (
        type(cadence.id) is str
        and type(cadence.manager_id) is str
        and type(cadence.subject) is OwnerRef
        and type(cadence.start) is dt.date
        and type(cadence.grace_days) is int
        and (end is None or type(end) is dt.date)
        and type(cadence.rule) is str
    )


def _check(cadence: Cadence) -> list[Problem]:
    """Every field of the wrong type and every broken rule, in field order. O(1).

    The rules of a field are checked only when it has its type (so each field gets at most
    one problem, and the rules never meet a value they cannot compare).
    """
    plain = _plain_types(cadence)
    wrong_types = {} if plain else {p.path: p for p in field_problems(cadence, _FIELDS)}
    problems = []
    for name, _, _ in _FIELDS:
        found = wrong_types.get(f"$.{name}")
        if found is not None:
            problems.append(found)
        else:
            problems += _rule_problems(cadence, name, wrong_types)
    return problems


def _rule_problems(
    cadence: Cadence, name: str, wrong_types: Mapping[str, Problem]
) -> list[Problem]:
    """The rules of field `name` (of the right type) that `cadence` breaks."""
    problems = []
    if name == "id" and not cadence.id:
        problems.append(Problem("$.id", "must not be empty"))
    elif name == "subject" and cadence.subject.kind not in (OwnerKind.PERSON, OwnerKind.TEAM):
        problems.append(Problem("$.subject.kind", "a cadence meets a person or a team"))
    elif name == "grace_days" and cadence.grace_days < 0:
        problems.append(Problem("$.grace_days", "must not be negative"))
    elif name == "end" and cadence.end is not None and "$.start" not in wrong_types:
        if cadence.end < cadence.start:
            problems.append(Problem("$.end", f"must not be before start ({cadence.start})"))
    elif name == "rule":
        problems += _rule_text_problems(cadence.rule)
    return problems


def _rule_text_problems(rule: str) -> list[Problem]:
    """Why `rule` is not recurrence-rule text a cadence can anchor, if it is not."""
    if "DTSTART" in rule.upper():
        return [Problem("$.rule", "must not carry DTSTART; the cadence start anchors it")]
    try:
        rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        return [Problem("$.rule", f"not a recurrence rule: {exc}")]
    return []


_DATE = frozenset({dt.date})


def _shifted(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, stopping at the first or last date there is."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


@record_type("checkins.cadence")
@attrs.frozen
class Cadence:
    """How often a manager checks in with a person or a team.

    Attributes:
        id: unique id.
        manager_id: the person who runs the check-ins.
        subject: the person or team checked in with.
        rule: recurrence-rule text without DTSTART, e.g. ``weekly(Weekday.MONDAY)``.
        start: first day the rule applies (it anchors fortnightly rules).
        grace_days: how many days either side of a due date a check-in still keeps it.
        end: last day the cadence applies, or `None` while it runs.

    Raises:
        ValidationError: listing every field of the wrong type (values are not converted: a
            string is not a date, a datetime is not a date, a bool is not a number of days)
            and every broken rule, with its path.
    """

    id: str
    manager_id: str
    subject: OwnerRef
    rule: str
    start: dt.date
    grace_days: int = 2
    end: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        problems = _check(self)
        if problems:
            named = type(self.id) is str and self.id
            summary = f"invalid cadence {self.id!r}" if named else "invalid cadence"
            raise ValidationError(problems, summary=summary)

    @property
    def interval_days(self) -> int:
        """The usual number of days between due dates (the median gap over a year)."""
        return _interval(self.rule, self.start)

    def due_dates(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """Due dates from `start` to `end` inclusive, clipped to the cadence's own dates.

        O(k) for k due dates in the range (expansions are cached).
        """
        first = max(start, self.start)
        last = end if self.end is None else min(end, self.end)
        if last < first:
            return ()
        return tuple(d for d in _expand(self.rule, self.start, last) if d >= first)

    def kept(self, held: Iterable[dt.date], as_of: dt.date) -> dict[dt.date, dt.date]:
        """Map each due date up to `as_of` that was kept to the check-in date that kept it.

        Check-ins are matched greedily in date order to the earliest open due date whose
        window (due date ± grace) contains them. O((k + h) log h).
        """
        check_arguments("invalid attendance arguments", as_of=(as_of, dt.date))
        days = set(held)
        if not _DATE.issuperset(map(type, days)):
            wrong = sorted({type(d).__name__ for d in days if type(d) is not dt.date})
            raise ValidationError.single("$.held", f"must hold only dates, got {', '.join(wrong)}")
        dues = self.due_dates(self.start, _shifted(as_of, self.grace_days))
        meetings = sorted(d for d in days if d <= as_of)
        grace = dt.timedelta(days=self.grace_days)
        result: dict[dt.date, dt.date] = {}
        i = 0
        for due in dues:
            while i < len(meetings) and meetings[i] < due - grace:
                i += 1
            if i < len(meetings) and meetings[i] <= due + grace:
                result[due] = meetings[i]
                i += 1
        return result

    def closed_due_dates(self, as_of: dt.date) -> tuple[dt.date, ...]:
        """Due dates whose grace period ended before `as_of`."""
        check_arguments("invalid attendance arguments", as_of=(as_of, dt.date))
        return self.due_dates(self.start, _shifted(as_of, -self.grace_days - 1))

    def missed(self, held: Iterable[dt.date], as_of: dt.date) -> tuple[dt.date, ...]:
        """Due dates whose grace period ended before `as_of` with no check-in keeping them."""
        kept = self.kept(held, as_of)
        return tuple(d for d in self.closed_due_dates(as_of) if d not in kept)

    def missed_runs(
        self, held: Iterable[dt.date], as_of: dt.date
    ) -> tuple[tuple[dt.date, ...], ...]:
        """The maximal runs of consecutive closed due dates that were all missed, oldest first.

        The last run is *current* when it ends at the latest closed due date.
        """
        missed = set(self.missed(held, as_of))
        runs: list[list[dt.date]] = [[]]
        for due in self.closed_due_dates(as_of):
            if due in missed:
                runs[-1].append(due)
            elif runs[-1]:
                runs.append([])
        return tuple(tuple(run) for run in runs if run)


class Attendance:
    """A cadence's kept and missed due dates, folded once for fast "as of" questions.

    Which due dates were missed does not depend on the day asked about: a due date closes
    once its grace period has passed, and whether a check-in kept it depends only on the
    check-ins held up to the end of its grace period (they are matched in date order, see
    [Cadence.kept][workplan_core.checkins.cadence.Cadence.kept]). So the matching is done once,
    over every check-in held, for the due dates up to the last check-in plus grace (every
    later due date is missed); [as_of][workplan_core.checkins.cadence.Attendance.as_of] then
    answers with a few `bisect`s, exactly as
    [Cadence.missed_runs][workplan_core.checkins.cadence.Cadence.missed_runs] would.

    Args:
        cadence: the cadence.
        held: the days its check-ins were held, in any order (repeats count as held twice).

    Building is O((k + h) log h) for k due dates and h check-ins.
    """

    __slots__ = ("_cadence", "_dues", "_held", "_horizon", "_missed", "_run_start")

    def __init__(self, cadence: Cadence, held: Iterable[dt.date]) -> None:
        self._cadence = cadence
        self._held: list[dt.date] = sorted(held)
        grace = dt.timedelta(days=cadence.grace_days)
        if self._held:
            self._horizon = self._held[-1] + grace
            self._dues = cadence.due_dates(cadence.start, self._horizon)
        else:
            self._horizon = cadence.start - dt.timedelta(days=1)
            self._dues = ()
        kept = cadence.kept(self._held, self._horizon) if self._dues else {}
        # missed[k]: how many of the first k due dates were missed; run_start[k]: where the
        # run of missed due dates ending at due date k starts (k + 1 when k was kept)
        self._missed: list[int] = [0]
        self._run_start: list[int] = []
        count = start = 0
        for k, due in enumerate(self._dues):
            if due in kept:
                start = k + 1
            else:
                count += 1
            self._missed.append(count)
            self._run_start.append(start)

    @property
    def cadence(self) -> Cadence:
        """The cadence."""
        return self._cadence

    def as_of(self, as_of: dt.date, window_start: dt.date) -> tuple[int, int, tuple[dt.date, ...]]:
        """Check-ins held and due dates missed from `window_start` to `as_of`, and the current run.

        Returns:
            The check-ins held in the window (on or before `as_of`), the closed due dates in
            the window that were missed, and the current run of missed due dates (the last
            run of `Cadence.missed_runs` when it ends at the latest closed due date, else
            empty).

        O(log k + log h), plus O(m) for m due dates after the last check-in's grace period.
        """
        cadence, held, dues = self._cadence, self._held, self._dues
        upto = bisect.bisect_right(held, as_of)
        held_count = upto - bisect.bisect_left(held, window_start, 0, upto)
        closed_end = as_of - dt.timedelta(days=cadence.grace_days + 1)
        closed = bisect.bisect_right(dues, closed_end)
        first = bisect.bisect_left(dues, window_start, 0, closed)
        missed = self._missed[closed] - self._missed[first]
        start = self._run_start[closed - 1] if closed else 0
        if closed_end <= self._horizon:
            return held_count, missed, dues[start:closed]
        # due dates after the last check-in's grace period: all missed
        beyond = cadence.due_dates(self._horizon + dt.timedelta(days=1), closed_end)
        missed += len(beyond) - bisect.bisect_left(beyond, window_start)
        return held_count, missed, (*dues[start:closed], *beyond)


_ORDINAL = operator.methodcaller("toordinal")


class AttendanceTable:
    """Many cadences' attendance joined into shared columns, answered for many at once.

    [as_of][workplan_core.checkins.cadence.AttendanceTable.as_of] gives the totals and
    current runs that [Attendance.as_of][workplan_core.checkins.cadence.Attendance.as_of]
    gives cadence by cadence, with a few C-level `bisect` passes over the joined check-in
    days, due dates and missed counts instead of Python-level work per cadence.

    Args:
        attendances: the cadences' attendance, in the order they are referred to by index.

    Building is O(k + h) for k due dates and h check-ins in all.
    """

    __slots__ = (
        "_attendances",
        "_dues",
        "_dues_at",
        "_grace",
        "_held",
        "_held_at",
        "_horizon",
        "_missed",
        "_run_start",
    )

    def __init__(self, attendances: Iterable[Attendance]) -> None:
        self._attendances = list(attendances)
        items = self._attendances
        held = [array("l", map(_ORDINAL, a._held)) for a in items]
        dues = [array("l", map(_ORDINAL, a._dues)) for a in items]
        self._held = array("l", b"".join(held))
        self._held_at = array("l", itertools.accumulate(map(len, held), initial=0))
        self._dues = array("l", b"".join(dues))
        self._dues_at = array("l", itertools.accumulate(map(len, dues), initial=0))
        # per cadence, len(dues) + 1 missed counts: cadence i's start at dues_at[i] + i
        self._missed = array("l", itertools.chain.from_iterable(a._missed for a in items))
        self._run_start = array("l", itertools.chain.from_iterable(a._run_start for a in items))
        self._run_start.append(0)  # read (and ignored) for cadences without closed due dates
        self._grace = array("l", [a.cadence.grace_days for a in items])
        self._horizon = array("l", [a._horizon.toordinal() for a in items])

    def as_of(
        self, indexes: Sequence[int], as_of: dt.date, window_start: dt.date
    ) -> tuple[int, int, list[tuple[Cadence, tuple[dt.date, ...]]]]:
        """Check-ins held and due dates missed in the window, over the cadences at `indexes`.

        Returns:
            The totals of `Attendance.as_of` over those cadences, and each cadence with a
            current run of missed due dates with that run, in the order of `indexes`.

        O(c log k) for c cadences of up to k due dates or check-ins each, in C-level
        passes, plus Python-level work for the runs and the cadences whose due dates
        passed the last check-in's grace period.
        """
        day, since = as_of.toordinal(), window_start.toordinal()
        graces = list(map(self._grace.__getitem__, indexes))
        if day - max(graces, default=0) - 1 < 1:  # before the first day there is: as each says
            return self._one_by_one(indexes, as_of, window_start)
        ends = list(map(self._held_at.__getitem__, map(add, indexes, repeat(1))))
        starts = list(map(self._held_at.__getitem__, indexes))
        upto = list(map(bisect.bisect_right, repeat(self._held), repeat(day), starts, ends))
        before = map(bisect.bisect_left, repeat(self._held), repeat(since), starts, upto)
        held = sum(upto) - sum(before)
        closed_end = list(map(sub, repeat(day - 1), graces))
        low = list(map(self._dues_at.__getitem__, indexes))
        high = map(self._dues_at.__getitem__, map(add, indexes, repeat(1)))
        closed = list(map(bisect.bisect_right, repeat(self._dues), closed_end, low, high))
        first = map(bisect.bisect_left, repeat(self._dues), repeat(since), low, closed)
        missed_at = self._missed.__getitem__
        missed = list(
            map(
                sub,
                map(missed_at, map(add, closed, indexes)),
                map(missed_at, map(add, first, indexes)),
            )
        )
        run_from = list(
            map(add, low, map(self._run_start.__getitem__, map(sub, closed, repeat(1))))
        )
        horizons = map(self._horizon.__getitem__, indexes)
        runs: dict[int, tuple[dt.date, ...]] = {}
        for i in compress(range(len(indexes)), map(lt, run_from, closed)):
            dues = self._attendances[indexes[i]]._dues
            runs[i] = dues[run_from[i] - low[i] : closed[i] - low[i]]
        for i in compress(range(len(indexes)), map(gt, closed_end, horizons)):
            # due dates after the last check-in's grace period: as the cadence's own says
            _, missed[i], runs[i] = self._attendances[indexes[i]].as_of(as_of, window_start)
        cadence = self._attendances.__getitem__
        found = [(cadence(indexes[i]).cadence, runs[i]) for i in sorted(runs) if runs[i]]
        return held, sum(missed), found

    def _one_by_one(
        self, indexes: Sequence[int], as_of: dt.date, window_start: dt.date
    ) -> tuple[int, int, list[tuple[Cadence, tuple[dt.date, ...]]]]:
        """`as_of` cadence by cadence."""
        held = missed = 0
        found = []
        for index in indexes:
            attendance = self._attendances[index]
            own_held, own_missed, run = attendance.as_of(as_of, window_start)
            held += own_held
            missed += own_missed
            if run:
                found.append((attendance.cadence, run))
        return held, missed, found
