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
from itertools import compress, repeat
from operator import attrgetter, ge, is_, is_not, le, methodcaller
from typing import NamedTuple

import attrs

from workplan_core.cascade.status import STATUSES, Status
from workplan_core.checkins.updates import StatusUpdate
from workplan_core.errors import NotFoundError, ValidationError

__all__ = ["AsOf", "Timeline", "TimelinePoint", "build_timelines", "latest_as_of"]

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
    """

    update: StatusUpdate
    previous: StatusUpdate | None
    as_of: dt.date

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
        """Days from the visible update's day to `as_of`."""
        return (self.as_of - self.update.on).days

    def is_stale(self, allowed_days: int) -> bool:
        """Whether no update was given for longer than `allowed_days` (cadence plus grace)."""
        return self.days_since_update > allowed_days


def _day(update: StatusUpdate) -> dt.date:
    return update.on


_NONE = -1.0
"""Stands for a progress not reported, in a timeline's progress column."""
_CODES = {status.value: status.code for status in STATUSES}


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


class Timeline:
    """The status updates of one node, for "as of" lookups in O(log n).

    Originals live in a list sorted by day (updates given on the same day keep the order they
    were added in) beside flat columns of their days (as ordinals, for `bisect`), reported
    progress and status codes; corrections live beside them, per original, in recording
    order. Nodes get a few dozen updates a year, so an append that lands in the past (an
    insertion into flat lists) stays cheap.

    Args:
        node_id: the node.
        updates: its updates in any order; corrections must name an update of this node.

    Raises:
        ValidationError: an update is for another node or repeats an id, or a correction names
            an unknown update or is recorded before the version it corrects.

    Building is O(n log n) for n updates, with the per-update work done by C-level sorts
    and maps.
    """

    __slots__ = (
        "_codes",
        "_days",
        "_fixes",
        "_ids",
        "_originals",
        "_plain",
        "_progress",
        "node_id",
    )

    def __init__(self, node_id: str, updates: Iterable[StatusUpdate] = ()) -> None:
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
        self._days = array("l", map(_ORDINAL, map(_ON, originals)))
        self._fixes: dict[str, list[StatusUpdate]] | None = None  # original id -> versions
        # the columns can be trusted when every update is plain (see `_plain`): checked and
        # filled by C-level passes, since millions of updates are indexed at once
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
            self._progress = array("d", [_NONE] * len(originals))
            self._codes = bytearray(len(originals))
        if len(originals) != len(items):
            for fix in sorted((u for u in items if u.corrects is not None), key=_ON):
                self.add(fix)

    def _check_new(self, update: StatusUpdate) -> None:
        if update.node_id != self.node_id:
            raise ValidationError.single("$.node_id", f"timeline is for node {self.node_id!r}")
        if update.id in self._ids:
            raise ValidationError.single("$.id", f"duplicate update id {update.id!r}")

    def add(self, update: StatusUpdate) -> None:
        """Append an update or a correction. O(log n), plus a list insertion for a past day."""
        self._check_new(update)
        if update.corrects is None:
            day = update.on.toordinal()
            index = bisect.bisect_right(self._days, day)
            self._days.insert(index, day)
            self._originals.insert(index, update)
            self._ids[update.id] = update
            self._plain = self._plain and _plain(update)
            plain = self._plain
            progress = update.progress if plain else None
            self._progress.insert(index, _NONE if progress is None else progress)
            self._codes.insert(index, _CODES[update.status.value] if plain else 0)
            return
        original = self._ids.get(update.corrects)
        if original is None:
            raise ValidationError.single("$.corrects", f"no update {update.corrects!r} to correct")
        if self._fixes is None:
            self._fixes = {}
        versions = self._fixes.setdefault(original.id, [])
        last = versions[-1].on if versions else original.on
        if update.on < last:
            raise ValidationError.single("$.on", f"a correction must not be recorded before {last}")
        versions.append(update)
        self._ids[update.id] = original
        self._plain = False

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
        return None if found is None else TimelinePoint(found[0], found[1], as_of)

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


def build_timelines(updates: Iterable[StatusUpdate]) -> dict[str, Timeline]:
    """Group updates by node into timelines. O(n log n) for n updates."""
    by_node: dict[str, list[StatusUpdate]] = {}
    for update in updates:
        by_node.setdefault(update.node_id, []).append(update)
    return {node_id: Timeline(node_id, items) for node_id, items in by_node.items()}
