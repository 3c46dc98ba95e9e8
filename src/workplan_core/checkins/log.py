"""The check-in log: every check-in record, indexed once for fast "as of" questions.

A [CheckinLog][workplan_core.checkins.log.CheckinLog] is the read model that dashboards,
escalations and evidence are computed from. It only indexes what it is given (appended records);
it never changes them, so the same log answers for any past day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from workplan_core.checkins.cadence import Cadence
from workplan_core.checkins.impediments import (
    Impediment,
    ImpedimentAction,
    ImpedimentEvent,
    impediments_as_of,
)
from workplan_core.checkins.timeline import Timeline
from workplan_core.checkins.updates import CheckIn, StatusUpdate
from workplan_core.errors import ValidationError

__all__ = ["CheckinLog"]


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

        Updates and impediment events carried inside check-ins are indexed too.
        """
        log = cls()
        for cadence in cadences:
            log.add_cadence(cadence)
        by_node: dict[str, list[StatusUpdate]] = {}
        events: list[ImpedimentEvent] = list(impediment_events)
        for checkin in checkins:
            log._add_meeting(checkin)
            for update in checkin.updates:
                by_node.setdefault(update.node_id, []).append(update)
            events.extend(checkin.impediments)
        for update in updates:
            by_node.setdefault(update.node_id, []).append(update)
        for node_id, items in by_node.items():
            log._timelines[node_id] = Timeline(node_id, items)
        for event in events:
            log.add_impediment_event(event)
        return log

    # ------------------------------------------------------------------ growing

    def add_cadence(self, cadence: Cadence) -> None:
        """Add a cadence (ids are unique)."""
        if cadence.id in self._cadences:
            raise ValidationError.single("$.id", f"duplicate cadence id {cadence.id!r}")
        self._cadences[cadence.id] = cadence

    def _add_meeting(self, checkin: CheckIn) -> None:
        if checkin.id in self._checkins:
            raise ValidationError.single("$.id", f"duplicate check-in id {checkin.id!r}")
        self._checkins[checkin.id] = checkin
        if checkin.cadence_id is not None:
            self._held.setdefault(checkin.cadence_id, []).append(checkin.on)

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

    def node_ids(self) -> Iterable[str]:
        """Ids of the nodes that have updates."""
        return self._timelines.keys()

    def held(self, cadence_id: str) -> list[dt.date]:
        """Days the cadence's check-ins were held (unsorted, as added)."""
        return list(self._held.get(cadence_id, ()))

    def impediment(self, impediment_id: str, as_of: dt.date) -> Impediment | None:
        """One impediment as of a day, or `None` if not raised by then."""
        events = self._events.get(impediment_id, ())
        return impediments_as_of(events, as_of).get(impediment_id)

    def impediments_of(self, node_id: str, as_of: dt.date) -> list[Impediment]:
        """The node's impediments raised by `as_of`, open or resolved, oldest first."""
        found = []
        for impediment_id in self._impediments_of_node.get(node_id, ()):
            item = self.impediment(impediment_id, as_of)
            if item is not None:
                found.append(item)
        return sorted(found, key=lambda i: (i.raised_on, i.id))

    def all_impediments(self, as_of: dt.date) -> list[Impediment]:
        """Every impediment raised by `as_of`, oldest first."""
        found = []
        for impediment_id in self._events:
            item = self.impediment(impediment_id, as_of)
            if item is not None:
                found.append(item)
        return sorted(found, key=lambda i: (i.raised_on, i.id))
