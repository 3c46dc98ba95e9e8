"""Per-node timelines of status updates with logarithmic "as of any date" lookups.

A [Timeline][workplan_core.checkins.timeline.Timeline] keeps the original updates ordered by
the day they were given (a flat list beside a flat list of their days, for `bisect`) and,
beside each original, its corrections in the order they were recorded. As of a day, the
visible update is the latest original given on or before that day, in its latest version
recorded on or before that day — so a report for a past day shows exactly what was known then.

[latest_as_of][workplan_core.checkins.timeline.latest_as_of] answers for many timelines at once
(one `bisect` each, no objects built), which is what dashboards use.
"""

from __future__ import annotations

import bisect
import datetime as dt
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import add, attrgetter, ge, gt, is_, is_not, le, methodcaller, not_, sub
from typing import NamedTuple, cast

import attrs

from workplan_core.cascade.status import STATUSES, Status
from workplan_core.checkins.updates import StatusUpdate
from workplan_core.errors import NotFoundError, Problem, ValidationError

__all__ = [
    "AsOf",
    "Timeline",
    "TimelinePoint",
    "TimelineTable",
    "Visible",
    "build_timelines",
    "latest_as_of",
]

_ON = attrgetter("on")
_ID = attrgetter("id")
_NODE = attrgetter("node_id")
_PROGRESS = attrgetter("progress")
_CORRECTS = attrgetter("corrects")
_VALUE_READ = attrgetter("value")
_STATUS = attrgetter("status")
_VALUE = attrgetter("_value_")  # an enum's value without the property's overhead
_ORDINAL = methodcaller("toordinal")


@attrs.frozen
class TimelinePoint:
    """A node's reported state as of a day.

    Attributes:
        update: the visible update (after corrections known by that day).
        previous: the visible update before it, if any.
        as_of: the day asked about.
        reading_on: the day the visible reading stands at: the update's own day, or for a
            correction the day of the update it corrects (a correction restates an earlier
            reading; it is not a new one, so it does not make a node fresh).
    """

    update: StatusUpdate
    previous: StatusUpdate | None
    as_of: dt.date
    reading_on: dt.date = attrs.field(
        default=attrs.Factory(lambda self: self.update.on, takes_self=True)
    )

    @property
    def progress_change(self) -> float | None:
        """Progress now minus progress at the previous update (`None` if either is unknown)."""
        if self.previous is None or self.previous.progress is None:
            return None
        if self.update.progress is None:
            return None
        return self.update.progress - self.previous.progress

    @property
    def days_since_update(self) -> int:
        """Days from the visible reading's day (`reading_on`) to `as_of`."""
        return (self.as_of - self.reading_on).days

    def is_stale(self, allowed_days: int) -> bool:
        """Whether no update was given for longer than `allowed_days` (cadence plus grace)."""
        return self.days_since_update > allowed_days


def _day(update: StatusUpdate) -> dt.date:
    return update.on


def other_node_problem(path: str, target: str, owner: str) -> Problem:
    """A correction at `path` names `target`, an update of another node, `owner`."""
    return Problem(
        f"{path}.corrects",
        f"{target!r} is an update of node {owner!r}; a correction must be of the same node",
    )


def correction_problem(correction: StatusUpdate, latest: StatusUpdate | None) -> Problem | None:
    """Why a timeline refuses `correction`, or `None` if it takes it.

    `latest` is the latest version of the original `correction` corrects (see
    `Timeline.latest_version`), `None` if the timeline has no update of that id. Paths are
    the correction's own (``$.corrects``, ``$.on``).
    """
    if latest is None:
        return Problem("$.corrects", f"no update {correction.corrects!r} to correct")
    if correction.on < latest.on:
        return Problem("$.on", f"a correction must not be recorded before {latest.on}")
    return None


_NONE = -1.0
"""Stands for a progress not reported, in a timeline's progress column."""
_NO_CONFIDENCE = 255
"""Stands for a confidence not reported, in a timeline's confidence column."""
_CODES = {status.value: status.code for status in STATUSES}
_CONFIDENCE = attrgetter("confidence")


def _plain(update: StatusUpdate) -> bool:
    """Whether the columns hold all a reading needs.

    That is a known status, a valid progress or none, and no value; anything else is read
    from the update itself.
    """
    progress = update.progress
    return (
        update.value is None
        and isinstance(update.status, Status)
        and (progress is None or 0.0 <= progress <= 1.0)
    )


def _flat(update: StatusUpdate) -> bool:
    """Whether the columns hold all a dashboard row needs too, for a plain update.

    That is a float progress or none, a plain date, and a confidence that fits a byte.
    """
    confidence = update.confidence
    return (
        (update.progress is None or type(update.progress) is float)
        and type(update.on) is dt.date
        and (confidence is None or (type(confidence) is int and 0 <= confidence < _NO_CONFIDENCE))
    )


class Timeline:
    """The status updates of one node, for "as of" lookups in O(log n).

    Originals live in a list sorted by day (updates given on the same day keep the order they
    were added in) beside flat columns of their days (as ordinals, for `bisect`), reported
    progress, status codes and confidence; corrections live beside them, per original, in
    recording order. Nodes get a few dozen updates a year, so an append that lands in the
    past (an insertion into flat lists) stays cheap. The columns are changed in place, never
    replaced. A timeline is *flat* while its columns hold everything a dashboard reads
    (no corrections or metric values, known statuses, float progress in [0, 1] or none, plain
    dates, confidences that fit a byte); other timelines are read update by update.

    Args:
        node_id: the node.
        updates: its updates in any order; corrections must name an update of this node.
        journal: a list the node's id is appended to whenever `add` changes the timeline
            (how a [TimelineTable][workplan_core.checkins.timeline.TimelineTable] learns
            of changes).

    Raises:
        ValidationError: an update is for another node or repeats an id, or a correction names
            an unknown update or is recorded before the version it corrects.

    Building is O(n log n) for n updates, with the per-update work done by C-level sorts
    and maps.
    """

    __slots__ = (
        "_codes",
        "_confidence",
        "_days",
        "_fixes",
        "_flat",
        "_ids",
        "_journal",
        "_originals",
        "_plain",
        "_progress",
        "node_id",
    )

    def __init__(
        self,
        node_id: str,
        updates: Iterable[StatusUpdate] = (),
        *,
        journal: list[str] | None = None,
    ) -> None:
        self.node_id = node_id
        items = updates if isinstance(updates, list) else list(updates)
        if any(map(node_id.__ne__, map(_NODE, items))):
            raise ValidationError.single("$.node_id", f"timeline is for node {node_id!r}")
        originals = list(compress(items, map(is_, map(_CORRECTS, items), repeat(None))))
        ids = dict(zip(map(_ID, originals), originals, strict=True))
        self._ids: dict[str, StatusUpdate] = ids  # update id -> the original it belongs to
        if len(ids) != len(originals):
            seen: set[str] = set()
            for update in originals:
                if update.id in seen:
                    raise ValidationError.single("$.id", f"duplicate update id {update.id!r}")
                seen.add(update.id)
        originals.sort(key=_ON)  # stable: same-day updates keep their order
        self._originals: list[StatusUpdate] = originals
        self._journal: list[str] | None = None  # set below: the fixes are part of building
        self._fill_columns(originals)
        if len(originals) != len(items):
            for fix in sorted((u for u in items if u.corrects is not None), key=_ON):
                self.add(fix)
        self._journal = journal

    def _fill_columns(self, originals: list[StatusUpdate]) -> None:
        """Fill the columns, checked and filled by C-level passes (millions of updates)."""
        days = list(map(_ON, originals))
        self._days = array("l", map(_ORDINAL, days))
        self._fixes: dict[str, list[StatusUpdate]] | None = None  # original id -> versions
        # the columns can be trusted when every update is plain (see `_plain`)
        statuses = list(map(_STATUS, originals))
        progress = list(map(_PROGRESS, originals))
        known = progress if None not in progress else [p for p in progress if p is not None]
        self._plain = (
            set(map(type, statuses)) <= {Status}
            and not any(map(is_not, map(_VALUE_READ, originals), repeat(None)))
            and all(map(le, repeat(0.0), known))
            and all(map(ge, repeat(1.0), known))
        )
        if self._plain:
            if known is not progress:
                progress = [_NONE if p is None else p for p in progress]
            self._progress = array("d", progress)
            self._codes = bytearray(map(_CODES.__getitem__, map(_VALUE, statuses)))
        else:
            self._progress = array("d", [_NONE]) * len(originals)
            self._codes = bytearray(len(originals))
        confidence = list(map(_CONFIDENCE, originals))
        given = confidence if None not in confidence else [c for c in confidence if c is not None]
        # flat: rows can be read from the columns too (see `_flat`)
        self._flat = (
            self._plain
            and set(map(type, known)) <= {float}
            and set(map(type, days)) <= {dt.date}
            and set(map(type, given)) <= {int}
            and all(map(le, repeat(0), given))
            and all(map(gt, repeat(_NO_CONFIDENCE), given))
        )
        if not self._flat:
            self._confidence = bytearray(len(originals))
        elif given is confidence:
            self._confidence = bytearray(cast("list[int]", confidence))
        else:
            self._confidence = bytearray(_NO_CONFIDENCE if c is None else c for c in confidence)

    def _check_new(self, update: StatusUpdate) -> None:
        if update.node_id != self.node_id:
            raise ValidationError.single("$.node_id", f"timeline is for node {self.node_id!r}")
        if update.id in self._ids:
            raise ValidationError.single("$.id", f"duplicate update id {update.id!r}")

    def add(self, update: StatusUpdate) -> None:
        """Append an update or a correction. O(log n), plus a list insertion for a past day."""
        self._check_new(update)
        if update.corrects is None:
            self._insert(update)
        else:
            self._correct(update, update.corrects)
        if self._journal is not None:
            self._journal.append(self.node_id)

    def _insert(self, update: StatusUpdate) -> None:
        day = update.on.toordinal()
        index = bisect.bisect_right(self._days, day)
        self._days.insert(index, day)
        self._originals.insert(index, update)
        self._ids[update.id] = update
        self._plain = plain = self._plain and _plain(update)
        self._flat = flat = self._flat and plain and _flat(update)
        progress = update.progress if plain else None
        self._progress.insert(index, _NONE if progress is None else progress)
        self._codes.insert(index, _CODES[update.status.value] if plain else 0)
        confidence = update.confidence if flat else 0
        self._confidence.insert(index, _NO_CONFIDENCE if confidence is None else confidence)

    def _correct(self, update: StatusUpdate, corrects: str) -> None:
        found = self.latest_version(corrects)
        problem = correction_problem(update, None if found is None else found[1])
        if problem is not None:
            raise ValidationError.single(problem.path, problem.message)
        assert found is not None  # an unknown one is a problem
        original = found[0]
        if self._fixes is None:
            self._fixes = {}
        self._fixes.setdefault(original.id, []).append(update)
        self._ids[update.id] = original
        self._plain = self._flat = False

    def latest_version(self, update_id: str) -> tuple[StatusUpdate, StatusUpdate] | None:
        """The original `update_id` is a version of, and that original's latest version.

        The original is the update itself, or the one a correction (or a chain of them)
        corrects. `None` when no update of this node has that id. O(1).
        """
        original = self._ids.get(update_id)
        if original is None:
            return None
        versions = None if self._fixes is None else self._fixes.get(original.id)
        return original, versions[-1] if versions else original

    def _visible(self, original: StatusUpdate, as_of: dt.date | None) -> StatusUpdate:
        versions = None if self._fixes is None else self._fixes.get(original.id)
        if not versions:
            return original
        if as_of is None:
            return versions[-1]
        index = bisect.bisect_right(versions, as_of, key=_day)
        return versions[index - 1] if index else original

    def __len__(self) -> int:
        return len(self._originals)

    def pair(self, as_of: dt.date) -> tuple[StatusUpdate, StatusUpdate | None] | None:
        """The visible update as of `as_of` and the visible one before it. O(log n).

        `None` before the first update; builds no `TimelinePoint`.
        """
        index = bisect.bisect_right(self._days, as_of.toordinal()) - 1
        if index < 0:
            return None
        originals = self._originals
        if self._fixes is None:
            return originals[index], (originals[index - 1] if index else None)
        current = self._visible(originals[index], as_of)
        previous = self._visible(originals[index - 1], as_of) if index else None
        return current, previous

    def at(self, as_of: dt.date) -> TimelinePoint | None:
        """The state as of `as_of`, or `None` before the first update. O(log n)."""
        found = self.pair(as_of)
        if found is None:
            return None
        return TimelinePoint(found[0], found[1], as_of, self.reading_on(as_of))

    def reading_on(self, as_of: dt.date) -> dt.date:
        """The day the update visible on `as_of` stands at (a correction: its original's).

        Raises:
            NotFoundError: no update is visible on `as_of`.
        """
        index = bisect.bisect_right(self._days, as_of.toordinal()) - 1
        if index < 0:
            raise NotFoundError(f"no update of node {self.node_id!r} on or before {as_of}")
        return self._originals[index].on

    def latest(self) -> StatusUpdate:
        """The newest update with every correction applied.

        Raises:
            NotFoundError: the timeline is empty.
        """
        if not self._originals:
            raise NotFoundError(f"no updates for node {self.node_id!r}")
        return self._visible(self._originals[-1], None)

    def history(self, as_of: dt.date | None = None) -> Iterator[StatusUpdate]:
        """The visible updates in day order, as known on `as_of` (default: everything)."""
        for original in self._originals:
            if as_of is not None and original.on > as_of:
                break
            yield self._visible(original, as_of)


class AsOf(NamedTuple):
    """The visible updates of many timelines as of one day, as columns (see `latest_as_of`).

    Attributes:
        found: indexes (into the timelines asked about) of those with a visible update.
        progress: for each of those, the visible update's progress (`None`: not reported).
        statuses: its status.
        values: its metric value (`None`: not reported).
        current: for the first `updates` timelines, the visible update (or `None`).
        previous: for those, the visible update before it (or `None`).
    """

    found: list[int]
    progress: list[float | None]
    statuses: list[Status]
    values: list[float | None]
    current: list[StatusUpdate | None]
    previous: list[StatusUpdate | None]


def latest_as_of(
    timelines: Sequence[Timeline | None], as_of: dt.date, *, updates: int | None = None
) -> AsOf:
    """What each timeline (or `None`) shows as of `as_of`, for many timelines at once.

    Args:
        timelines: the timelines (`None` for nodes without updates).
        as_of: the day.
        updates: for how many timelines (the first ones) to return the update objects too
            (default: all).

    O(t log u) for t timelines of up to u updates: one `bisect` each over flat columns,
    touching the update objects only where asked for (or where a correction, a value or an
    unusual field makes the columns insufficient).
    """
    wanted = len(timelines) if updates is None else updates
    found: list[int] = []
    progress: list[float | None] = []
    statuses: list[Status] = []
    values: list[float | None] = []
    current: list[StatusUpdate | None] = [None] * wanted
    previous: list[StatusUpdate | None] = [None] * wanted
    day = as_of.toordinal()
    find = bisect.bisect_right
    for i, timeline in enumerate(timelines):
        if timeline is None:
            continue
        index = find(timeline._days, day) - 1
        if index < 0:
            continue
        found.append(i)
        if timeline._plain:
            own = timeline._progress[index]
            progress.append(None if own < 0.0 else own)
            statuses.append(STATUSES[timeline._codes[index]])
            values.append(None)
            if i < wanted:
                originals = timeline._originals
                current[i] = originals[index]
                if index:
                    previous[i] = originals[index - 1]
            continue
        pair = timeline.pair(as_of)
        assert pair is not None
        update = pair[0]
        progress.append(update.progress)
        statuses.append(update.status)
        values.append(update.value)
        if i < wanted:
            current[i], previous[i] = pair
    return AsOf(found, progress, statuses, values, current, previous)


_DAYS = attrgetter("_days")
_PROGRESS_COLUMN = attrgetter("_progress")
_CODES_COLUMN = attrgetter("_codes")
_FLAT = attrgetter("_flat")
_CONFIDENCE_COLUMN = attrgetter("_confidence")


class Visible(NamedTuple):
    """What the timelines at many positions show as of one day (see `TimelineTable.visible`).

    Attributes:
        hits: indexes (into the positions asked about) of those with a visible update,
            ascending.
        read: their positions.
        progress: per hit, the visible update's reported progress (`None`: not reported;
            also `None` at the `odd` hits).
        codes: per hit, its status code (0 at the `odd` hits).
        odd: the hits (indexes into `hits`) whose timeline's columns do not hold all a
            reading needs (see `Timeline`), with their visible update, ascending.
        rows: how many hits are among the first `rows` positions asked about.
        last_update: for those `rows` hits, the day the visible update stands at (a
            correction: the day of the update it corrects).
        confidence: its confidence.
        trend: its progress minus the progress of the visible update before it, when both
            are known (else `None`).
    """

    hits: list[int]
    read: list[int]
    progress: list[float | None]
    codes: list[int]
    odd: dict[int, StatusUpdate]
    rows: int
    last_update: list[dt.date]
    confidence: list[int | None]
    trend: list[float | None]


class TimelineTable:
    """A cascade's timelines by position, flattened into shared columns, for "as of" lookups.

    The columns of every flat timeline (see `Timeline`) are joined, in position order, into
    one column each (days, progress, status codes, confidence) with each position's start,
    so a lookup over many positions is a few C-level passes over memory read in order, with
    no Python-level work per node. Timelines with the same days (check-ins are held on the
    same days for many nodes) share one `bisect` per lookup. Timelines that are not flat,
    and those changed since (see
    [refresh][workplan_core.checkins.timeline.TimelineTable.refresh]), are read one by one.

    Args:
        timelines: by position, `None` for nodes without updates.

    Building is O(n + u) for n positions and u updates, in C-level joins and maps.
    """

    __slots__ = (
        "_before",
        "_codes",
        "_confidence",
        "_days",
        "_layout",
        "_layouts",
        "_live",
        "_progress",
        "_timelines",
        "changed",
    )

    def __init__(self, timelines: Iterable[Timeline | None]) -> None:
        self._timelines = [_NO_UPDATES if t is None else t for t in timelines]
        everyone = range(len(self._timelines))
        self._live = set(compress(everyone, map(not_, map(_FLAT, self._timelines))))
        joined = list(self._timelines)
        for position in self._live:
            joined[position] = _NO_UPDATES
        days = list(map(_DAYS, joined))
        # per position, the index before its first update in the joined columns
        # lists, not arrays: reading them builds no int objects
        self._before = list(accumulate(map(len, days), initial=-1))
        keys = list(map(bytes, days))
        layouts = dict.fromkeys(chain((b"",), keys))  # distinct days; none first
        self._layouts = [array("l", key) for key in layouts]
        self._layout = list(map(dict(zip(layouts, count())).__getitem__, keys))
        # unused entries at the end of each column, read (and ignored) for timelines read
        # one by one and before a node's first update
        self._days = array("l", b"".join(days) + _FIRST_DAY)
        self._progress = array("d", b"".join(map(_PROGRESS_COLUMN, joined)) + bytes(16))
        self._codes = b"".join(map(_CODES_COLUMN, joined)) + bytes(1)
        self._confidence = b"".join(map(_CONFIDENCE_COLUMN, joined)) + bytes(1)
        self.changed = 0
        """How many positions were refreshed since building."""

    def __len__(self) -> int:
        return len(self._timelines)

    def refresh(self, position: int, timeline: Timeline) -> None:
        """Read the node at `position` from `timeline` from now on (it changed). O(1)."""
        self._timelines[position] = timeline
        self._layout[position] = 0  # no updates in the joined columns
        if position not in self._live:
            self._live.add(position)
            self.changed += 1

    def visible(self, positions: Sequence[int], as_of: dt.date, *, rows: int) -> Visible:
        """What the timelines at `positions` show as of `as_of`, as columns.

        Row columns (last update, confidence, trend) are returned for the first `rows`
        positions only. Agrees with `latest_as_of` and `Timeline.pair`.
        O(t + d log u) for t positions with d distinct days of up to u updates, in C-level
        passes; the l timelines read one by one (see the class) add O(l log u) Python-level
        work.
        """
        counts = list(map(bisect.bisect_right, self._layouts, repeat(as_of.toordinal())))
        found = list(map(counts.__getitem__, map(self._layout.__getitem__, positions)))
        live = self._read_live(positions, as_of, found) if self._live else {}
        hits = list(compress(range(len(found)), found))
        read = list(compress(positions, found))
        found = list(compress(found, found))  # per hit, how many updates are visible
        at = list(map(add, map(self._before.__getitem__, read), found))
        progress = _reported(list(map(self._progress.__getitem__, at)))
        count = bisect.bisect_left(hits, rows)
        first = list(map(gt, repeat(2), islice(found, count)))  # no update before it
        seen = Visible(
            hits,
            read,
            progress,
            list(map(self._codes.__getitem__, at)),
            {},
            count,
            *self._row_columns(at[:count], progress, first),
        )
        for i, pair in live.items():
            self._patch(seen, bisect.bisect_left(hits, i), positions[i], pair, as_of)
        return seen

    def _row_columns(
        self, at: list[int], progress: list[float | None], first: list[bool]
    ) -> tuple[list[dt.date], list[int | None], list[float | None]]:
        """Last update, confidence and trend of the rows whose visible updates are `at`."""
        ordinals = list(map(self._days.__getitem__, at))
        dates = {day: dt.date.fromordinal(day) for day in set(ordinals)}
        last_update = list(map(dates.__getitem__, ordinals))
        confidence: list[int | None] = list(map(self._confidence.__getitem__, at))
        if _NO_CONFIDENCE in confidence:
            confidence = [None if c == _NO_CONFIDENCE else c for c in confidence]
        before = list(map(self._progress.__getitem__, map(sub, at, repeat(1))))
        return last_update, confidence, _trends(progress, before, first)

    def _read_live(
        self, positions: Sequence[int], as_of: dt.date, found: list[int]
    ) -> dict[int, tuple[StatusUpdate, StatusUpdate | None]]:
        """The visible pairs at the positions read one by one (1 in `found`), by index."""
        pairs = {}
        for i in compress(range(len(positions)), map(self._live.__contains__, positions)):
            pair = self._timelines[positions[i]].pair(as_of)
            if pair is not None:
                found[i] = 1
                pairs[i] = pair
        return pairs

    def _patch(
        self,
        seen: Visible,
        j: int,
        position: int,
        pair: tuple[StatusUpdate, StatusUpdate | None],
        as_of: dt.date,
    ) -> None:
        """Fill hit `j` from a timeline read one by one, as `latest_as_of` reads it."""
        timeline = self._timelines[position]
        current, previous = pair
        index = bisect.bisect_right(timeline._days, as_of.toordinal()) - 1
        if timeline._plain:
            own = timeline._progress[index]
            seen.progress[j] = None if own < 0.0 else own
            seen.codes[j] = timeline._codes[index]
        else:
            seen.odd[j] = current
            seen.progress[j], seen.codes[j] = None, 0
        if j < seen.rows:
            seen.last_update[j] = timeline._originals[index].on  # a correction: its original's
            seen.confidence[j] = current.confidence
            seen.trend[j] = (
                None
                if previous is None or previous.progress is None or current.progress is None
                else current.progress - previous.progress
            )


def _reported(progress: list[float]) -> list[float | None]:
    """Progress from a column, `None` where not reported."""
    if _NONE in progress:
        return [None if p < 0.0 else p for p in progress]
    return cast("list[float | None]", progress)


def _trends(
    progress: Sequence[float | None], before: Sequence[float], first: Iterable[bool]
) -> list[float | None]:
    """Per row, progress minus the progress before (`_NONE`: not reported), unless first."""
    if None not in progress and _NONE not in before:
        trend: list[float | None] = list(map(sub, progress, before))  # as long as `before`
        for j in compress(range(len(trend)), first):
            trend[j] = None
        return trend
    return [
        None if f or p is None or b < 0.0 else p - b
        for p, b, f in zip(progress, before, first, strict=False)
    ]


_FIRST_DAY = array("l", [dt.date.min.toordinal()]).tobytes()
"""The unused entry at the end of a `TimelineTable`'s days (a valid day)."""
_NO_UPDATES = Timeline("")
"""Stands for a node without updates in a `TimelineTable` (it never gets any)."""


def build_timelines(updates: Iterable[StatusUpdate]) -> dict[str, Timeline]:
    """Group updates by node into timelines. O(n log n) for n updates."""
    by_node: dict[str, list[StatusUpdate]] = {}
    for update in updates:
        by_node.setdefault(update.node_id, []).append(update)
    return {node_id: Timeline(node_id, items) for node_id, items in by_node.items()}
