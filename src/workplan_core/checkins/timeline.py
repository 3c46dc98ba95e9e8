"""Per-node timelines of status updates with logarithmic "as of any date" lookups.

A [Timeline][workplan_core.checkins.timeline.Timeline] keeps the original updates ordered by
the day they were given (a `sortedcontainers.SortedKeyList`) and, beside each original, its
corrections in the order they were recorded. As of a day, the visible update is the latest
original given on or before that day, in its latest version recorded on or before that day — so
a report for a past day shows exactly what was known then.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator

import attrs
from sortedcontainers import SortedKeyList

from workplan_core.checkins.updates import StatusUpdate
from workplan_core.errors import NotFoundError, ValidationError

__all__ = ["Timeline", "TimelinePoint", "build_timelines"]


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


class Timeline:
    """The status updates of one node, for "as of" lookups in O(log n).

    Originals live in a `SortedKeyList` keyed by day (updates given on the same day keep the
    order they were added in); corrections live beside them, per original, in recording order.
    Lookups bisect a flat copy of the days, made once after each run of appends.

    Args:
        node_id: the node.
        updates: its updates in any order; corrections must name an update of this node.

    Raises:
        ValidationError: an update is for another node or repeats an id, or a correction names
            an unknown update or is recorded before the version it corrects.
    """

    def __init__(self, node_id: str, updates: Iterable[StatusUpdate] = ()) -> None:
        self.node_id = node_id
        originals: list[StatusUpdate] = []
        fixes: list[StatusUpdate] = []
        for update in updates:
            (originals if update.corrects is None else fixes).append(update)
        self._ids: dict[str, StatusUpdate] = {}  # update id -> the original it belongs to
        for update in originals:
            self._check_new(update)
            self._ids[update.id] = update
        self._originals: SortedKeyList = SortedKeyList(originals, key=_day)
        self._flat: tuple[list[dt.date], list[StatusUpdate]] | None = None
        self._fixes: dict[str, list[StatusUpdate]] = {}
        for fix in sorted(fixes, key=_day):
            self.add(fix)

    def _check_new(self, update: StatusUpdate) -> None:
        if update.node_id != self.node_id:
            raise ValidationError.single("$.node_id", f"timeline is for node {self.node_id!r}")
        if update.id in self._ids:
            raise ValidationError.single("$.id", f"duplicate update id {update.id!r}")

    def add(self, update: StatusUpdate) -> None:
        """Append an update or a correction. O(log n)."""
        self._check_new(update)
        if update.corrects is None:
            self._originals.add(update)
            self._flat = None
            self._ids[update.id] = update
            return
        original = self._ids.get(update.corrects)
        if original is None:
            raise ValidationError.single("$.corrects", f"no update {update.corrects!r} to correct")
        versions = self._fixes.setdefault(original.id, [])
        last = versions[-1].on if versions else original.on
        if update.on < last:
            raise ValidationError.single("$.on", f"a correction must not be recorded before {last}")
        versions.append(update)
        self._ids[update.id] = original

    def _visible(self, original: StatusUpdate, as_of: dt.date | None) -> StatusUpdate:
        versions = self._fixes.get(original.id)
        if not versions:
            return original
        if as_of is None:
            return versions[-1]
        index = bisect.bisect_right(versions, as_of, key=_day)
        return versions[index - 1] if index else original

    def __len__(self) -> int:
        return len(self._originals)

    def _flattened(self) -> tuple[list[dt.date], list[StatusUpdate]]:
        """Plain lists of the days and originals, rebuilt after an append (O(n), amortised)."""
        if self._flat is None:
            originals = list(self._originals)
            self._flat = ([u.on for u in originals], originals)
        return self._flat

    def at(self, as_of: dt.date) -> TimelinePoint | None:
        """The state as of `as_of`, or `None` before the first update. O(log n)."""
        days, originals = self._flattened()
        index = bisect.bisect_right(days, as_of) - 1
        if index < 0:
            return None
        current = self._visible(originals[index], as_of)
        previous = self._visible(originals[index - 1], as_of) if index > 0 else None
        return TimelinePoint(current, previous, as_of)

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


def build_timelines(updates: Iterable[StatusUpdate]) -> dict[str, Timeline]:
    """Group updates by node into timelines. O(n log n) for n updates."""
    by_node: dict[str, list[StatusUpdate]] = {}
    for update in updates:
        by_node.setdefault(update.node_id, []).append(update)
    return {node_id: Timeline(node_id, items) for node_id, items in by_node.items()}
