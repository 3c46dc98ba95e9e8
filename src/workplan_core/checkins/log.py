"""The check-in log: every check-in record, indexed once for fast "as of" questions.

A [CheckinLog][workplan_core.checkins.log.CheckinLog] is the read model that dashboards,
escalations and evidence are computed from. It only indexes what it is given (appended records);
it never changes them, so the same log answers for any past day.

Besides the records, the log keeps what "as of" questions need folded once, independent of
the day asked about: per node a timeline (updates sorted by day, for `bisect`), per impediment
its state after each event, per cadence which due dates were kept, and per person the days
after which their nodes count as stale. [from_records][workplan_core.checkins.log.CheckinLog.
from_records] builds all of it up front; after an `add_*` the part it touches is rebuilt on
the next question.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence, Set
from itertools import chain, repeat
from operator import attrgetter
from typing import NamedTuple

from workplan_core._collector import collector_paused
from workplan_core.checkins.cadence import Attendance, Cadence
from workplan_core.checkins.impediments import (
    Impediment,
    ImpedimentAction,
    ImpedimentEvent,
    ImpedimentHistory,
)
from workplan_core.checkins.timeline import Timeline
from workplan_core.checkins.updates import CheckIn, StatusUpdate
from workplan_core.errors import ValidationError
from workplan_core.org.refs import OwnerKind

__all__ = ["CheckinLog"]

_UPDATES = attrgetter("updates")
_EVENTS = attrgetter("impediments")
_NODE = attrgetter("node_id")


class CheckinLog:
    """Cadences, check-ins, status updates and impediment events, indexed by node and cadence.

    Build it with [from_records][workplan_core.checkins.log.CheckinLog.from_records] (bulk, the
    fast path) or grow it with the `add_*` methods.
    """

    def __init__(self) -> None:
        self._cadences: dict[str, Cadence] = {}
        self._checkins: dict[str, CheckIn] = {}
        self._timelines: dict[str, Timeline] = {}
        self._events: dict[str, list[ImpedimentEvent]] = {}  # impediment id -> events
        self._impediments_of_node: dict[str, list[str]] = {}
        self._held: dict[str, list[dt.date]] = {}  # cadence id -> check-in days
        self._histories: dict[str, ImpedimentHistory] = {}  # impediment id -> folded events
        self._attendance: dict[str, Attendance] = {}  # cadence id -> kept and missed dues
        self._stale_after: dict[str, int] = {}  # person -> days without update allowed
        self._cadence_rank: dict[str, int] = {}  # cadence id -> how many were added before
        self._cadences_of: dict[str | None, list[Cadence]] = {}  # person (None: team) -> cadences
        self._node_impediments: dict[str, _NodeImpediments] | None = None  # built on demand

    @classmethod
    def from_records(
        cls,
        *,
        cadences: Iterable[Cadence] = (),
        checkins: Iterable[CheckIn] = (),
        updates: Iterable[StatusUpdate] = (),
        impediment_events: Iterable[ImpedimentEvent] = (),
    ) -> CheckinLog:
        """Index many records at once. O(n log n) for n records.

        Updates and impediment events carried inside check-ins are indexed too. The
        per-record work (grouping updates by node, sorting each node's updates) runs in
        C-level maps and sorts; timelines, impediment histories and attendance are built
        here, so the first question costs no more than the next.
        """
        log = cls()
        with collector_paused():  # millions of acyclic containers: nothing to collect
            for cadence in cadences:
                log.add_cadence(cadence)
            meetings = checkins if isinstance(checkins, (list, tuple)) else list(checkins)
            deque(map(log._add_meeting, meetings), maxlen=0)
            carried = chain.from_iterable(map(_UPDATES, meetings))
            by_node: defaultdict[str, list[StatusUpdate]] = defaultdict(list)
            for source in (carried, updates):
                items = list(source)
                deque(map(list.append, map(by_node.__getitem__, map(_NODE, items)), items), 0)
            log._timelines = {
                node_id: Timeline(node_id, items) for node_id, items in by_node.items()
            }
            events = chain(impediment_events, chain.from_iterable(map(_EVENTS, meetings)))
            deque(map(log.add_impediment_event, events), maxlen=0)
            log._impediments_by_node()
            for cadence_id in log._cadences:
                log.attendance(cadence_id)
        return log

    # ------------------------------------------------------------------ growing

    def add_cadence(self, cadence: Cadence) -> None:
        """Add a cadence (ids are unique)."""
        if cadence.id in self._cadences:
            raise ValidationError.single("$.id", f"duplicate cadence id {cadence.id!r}")
        self._cadence_rank[cadence.id] = len(self._cadences)
        self._cadences[cadence.id] = cadence
        self._cadences_of.setdefault(_subject_key(cadence), []).append(cadence)
        if cadence.subject.kind is OwnerKind.PERSON:
            person = cadence.subject.id
            days = cadence.interval_days + cadence.grace_days
            self._stale_after[person] = min(days, self._stale_after.get(person, days))

    def _add_meeting(self, checkin: CheckIn) -> None:
        if checkin.id in self._checkins:
            raise ValidationError.single("$.id", f"duplicate check-in id {checkin.id!r}")
        self._checkins[checkin.id] = checkin
        if checkin.cadence_id is not None:
            self._held.setdefault(checkin.cadence_id, []).append(checkin.on)
            self._attendance.pop(checkin.cadence_id, None)

    def add_checkin(self, checkin: CheckIn) -> None:
        """Add a check-in with its updates and impediment events."""
        self._add_meeting(checkin)
        for update in checkin.updates:
            self.add_update(update)
        for event in checkin.impediments:
            self.add_impediment_event(event)

    def add_update(self, update: StatusUpdate) -> None:
        """Append a status update (or a correction) to its node's timeline. O(log n)."""
        timeline = self._timelines.get(update.node_id)
        if timeline is None:
            timeline = self._timelines[update.node_id] = Timeline(update.node_id)
        timeline.add(update)

    def add_impediment_event(self, event: ImpedimentEvent) -> None:
        """Append an impediment event."""
        self._events.setdefault(event.impediment_id, []).append(event)
        self._histories.pop(event.impediment_id, None)
        self._node_impediments = None
        if event.action is ImpedimentAction.RAISED and event.node_id is not None:
            self._impediments_of_node.setdefault(event.node_id, []).append(event.impediment_id)

    # ------------------------------------------------------------------ reading

    @property
    def cadences(self) -> Mapping[str, Cadence]:
        """The cadences by id."""
        return self._cadences

    @property
    def checkins(self) -> Mapping[str, CheckIn]:
        """The check-ins by id."""
        return self._checkins

    def timeline(self, node_id: str) -> Timeline | None:
        """The node's timeline, or `None` if it has no updates."""
        return self._timelines.get(node_id)

    def timelines_of(self, node_ids: Iterable[str]) -> list[Timeline | None]:
        """The timelines of many nodes (`None` for nodes without updates). O(k)."""
        return list(map(self._timelines.get, node_ids))

    def node_ids(self) -> Iterable[str]:
        """Ids of the nodes that have updates."""
        return self._timelines.keys()

    def held(self, cadence_id: str) -> list[dt.date]:
        """Days the cadence's check-ins were held (unsorted, as added)."""
        return list(self._held.get(cadence_id, ()))

    def attendance(self, cadence_id: str) -> Attendance:
        """The cadence's kept and missed due dates, folded once (see `Attendance`).

        Raises:
            KeyError: no cadence has that id.
        """
        found = self._attendance.get(cadence_id)
        if found is None:
            cadence = self._cadences[cadence_id]
            found = Attendance(cadence, self._held.get(cadence_id, ()))
            self._attendance[cadence_id] = found
        return found

    def cadences_with(self, people: Iterable[str] | None) -> list[Cadence]:
        """The cadences with any of `people` or with a team (all cadences for `None`).

        In the order they were added. O(c log c) for the c cadences found.
        """
        if people is None:
            return list(self._cadences.values())
        groups = [self._cadences_of.get(None, ())]
        groups += map(self._cadences_of.get, people, repeat(()))
        found = list(chain.from_iterable(groups))
        found.sort(key=lambda cadence: self._cadence_rank[cadence.id])  # as added
        return found

    def stale_after(self) -> Mapping[str, int]:
        """Per person with a cadence: days without an update before their nodes are stale.

        The shortest cadence interval plus grace period among the person's cadences.
        """
        return self._stale_after

    def impeded_nodes(self) -> Set[str]:
        """Ids of the nodes that had an impediment raised on them (on any day). O(1)."""
        return self._impediments_of_node.keys()

    def _history(self, impediment_id: str) -> ImpedimentHistory:
        found = self._histories.get(impediment_id)
        if found is None:
            found = ImpedimentHistory(self._events.get(impediment_id, ()))
            self._histories[impediment_id] = found
        return found

    def impediment(self, impediment_id: str, as_of: dt.date) -> Impediment | None:
        """One impediment as of a day, or `None` if not raised by then. O(log e).

        Raises:
            ValidationError: its events up to `as_of` are inconsistent.
        """
        if impediment_id not in self._events:
            return None
        return self._history(impediment_id).at(as_of)

    def impediments_of(self, node_id: str, as_of: dt.date) -> list[Impediment]:
        """The node's impediments raised by `as_of`, open or resolved, oldest first.

        Folded in the same order as `open_impediments`, so both report the same problem first.

        Raises:
            ValidationError: an impediment's events up to `as_of` are inconsistent.
        """
        entry = self._impediments_by_node().get(node_id)
        if entry is None:
            return []
        return [item for history in entry.histories if (item := history.at(as_of)) is not None]

    def _impediments_by_node(self) -> dict[str, _NodeImpediments]:
        """Per node, its impediments' histories oldest first, with the days they may be open."""
        if self._node_impediments is None:
            by_node = {}
            for node_id, impediment_ids in self._impediments_of_node.items():
                entries = [(self._history(i), i) for i in impediment_ids]
                entries.sort(key=lambda entry: (entry[0].raised_on, entry[1]))
                histories = [history for history, _ in entries]
                opened = min(h.window[0] for h in histories)
                closed = max(h.window[1] for h in histories)
                by_node[node_id] = _NodeImpediments(opened, closed, histories)
            self._node_impediments = by_node
        return self._node_impediments

    def open_impediments(
        self, node_ids: Sequence[str], as_of: dt.date
    ) -> dict[int, list[Impediment]]:
        """The impediments open on `as_of` of many nodes, oldest first, by index in `node_ids`.

        Per node, the open ones of `impediments_of` (nodes without any are left out). O(k)
        for k nodes, plus O(log e) for each impediment that may be open that day.

        Raises:
            ValidationError: an impediment's events up to `as_of` are inconsistent.
        """
        found: dict[int, list[Impediment]] = {}
        by_node = self._impediments_by_node()
        for i, entry in enumerate(map(by_node.get, node_ids)):
            if entry is None or not entry.opened <= as_of < entry.closed:
                continue
            items = []
            for history in entry.histories:
                opened, closed = history.window
                if opened <= as_of < closed:
                    item = history.at(as_of)
                    if item is not None and item.is_open:
                        items.append(item)
            if items:
                found[i] = items
        return found

    def all_impediments(self, as_of: dt.date) -> list[Impediment]:
        """Every impediment raised by `as_of`, oldest first."""
        found = []
        for impediment_id in self._events:
            item = self.impediment(impediment_id, as_of)
            if item is not None:
                found.append(item)
        return sorted(found, key=lambda i: (i.raised_on, i.id))


class _NodeImpediments(NamedTuple):
    """A node's impediment histories, oldest first, and the days any of them may be open."""

    opened: dt.date
    closed: dt.date
    histories: list[ImpedimentHistory]


def _subject_key(cadence: Cadence) -> str | None:
    """The person a cadence meets, or `None` for a team."""
    return cadence.subject.id if cadence.subject.kind is OwnerKind.PERSON else None
