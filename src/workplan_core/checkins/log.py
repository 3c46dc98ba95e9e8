"""The check-in log: every check-in record, indexed once for fast "as of" questions.

A [CheckinLog][workplan_core.checkins.log.CheckinLog] is the read model that dashboards,
escalations and evidence are computed from. It only indexes what it is given (appended records);
it never changes them, so the same log answers for any past day.

Besides the records, the log keeps what "as of" questions need folded once, independent of
the day asked about: per node a timeline (updates sorted by day, for `bisect`), per impediment
its state after each event, per cadence which due dates were kept, and per person the days
after which their nodes count as stale. [from_records][workplan_core.checkins.log.CheckinLog.
from_records] builds all of it up front; after an `add_*` the part it touches is rebuilt on
the next question. Dashboards also ask for a cascade's timelines joined by position
([timeline_table][workplan_core.checkins.log.CheckinLog.timeline_table]); every change to a
timeline is noted in a journal, so a kept table never serves what a grown log no longer shows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from itertools import chain, compress, islice, repeat
from operator import attrgetter, lt
from typing import NamedTuple, cast

from workplan_core._collector import collector_paused
from workplan_core._memo import IdentityCache
from workplan_core.cascade import Cascade
from workplan_core.checkins.cadence import Attendance, AttendanceTable, Cadence
from workplan_core.checkins.impediments import (
    Impediment,
    ImpedimentAction,
    ImpedimentEvent,
    ImpedimentHistory,
)
from workplan_core.checkins.timeline import (
    Timeline,
    TimelineTable,
    correction_problem,
    other_node_problem,
)
from workplan_core.checkins.updates import CheckIn, StatusUpdate
from workplan_core.errors import NotFoundError, Problem, ValidationError
from workplan_core.org.refs import OwnerKind

__all__ = ["CheckinLog"]

_RanksOf = Callable[[str, Sequence[int]], Sequence[int]]
"""A mapping's `get` from a person or team to the ranks of its cadences."""
_Record = StatusUpdate | ImpedimentEvent
_UPDATES = attrgetter("updates")
_EVENTS = attrgetter("impediments")
_NODE = attrgetter("node_id")
_ID = attrgetter("id")


class CheckinLog:
    """Cadences, check-ins, status updates and impediment events, indexed by node and cadence.

    Build it with [from_records][workplan_core.checkins.log.CheckinLog.from_records] (bulk, the
    fast path) or grow it with the `add_*` methods. A status update id identifies one update
    (or correction) in the whole log, whichever node it reports on, and an impediment event
    id one event, whichever impediment it changes: a reused one is refused. A refused add
    leaves the log unchanged.
    """

    def __init__(self) -> None:
        self._cadences: dict[str, Cadence] = {}
        self._checkins: dict[str, CheckIn] = {}
        self._timelines: dict[str, Timeline] = {}
        self._update_ids: set[str] = set()  # of every node's updates and corrections
        self._events: dict[str, list[ImpedimentEvent]] = {}  # impediment id -> events
        self._event_ids: set[str] = set()  # of every impediment's events
        self._impediments_of_node: dict[str, list[str]] = {}
        self._held: dict[str, list[dt.date]] = {}  # cadence id -> check-in days
        self._histories: dict[str, ImpedimentHistory] = {}  # impediment id -> folded events
        self._attendance: dict[str, Attendance] = {}  # cadence id -> kept and missed dues
        self._attendances: AttendanceTable | None = None  # every cadence's, built on demand
        self._stale_after: dict[str, int] = {}  # person -> days without update allowed
        self._cadences_of: dict[str, list[int]] = {}  # person -> ranks
        self._team_cadences_of: dict[str, list[int]] = {}  # team -> ranks
        self._ranked: list[Cadence] = []  # the cadences as added
        self._node_impediments: dict[str, _NodeImpediments] | None = None  # built on demand
        self._windows: _Windows | None = None  # built on demand with `_node_impediments`
        self._journal: list[str] = []  # ids of the nodes whose timeline changed, in order
        # by cascade, for as long as the cascade lives; the latest asked about last
        self._tables: IdentityCache[Cascade, _Kept] = IdentityCache()

    @classmethod
    def from_records(
        cls,
        *,
        cadences: Iterable[Cadence] = (),
        checkins: Iterable[CheckIn] = (),
        updates: Iterable[StatusUpdate] = (),
        impediment_events: Iterable[ImpedimentEvent] = (),
        carried: bool = True,
    ) -> CheckinLog:
        """Index many records at once. O(n log n) for n records.

        Updates and impediment events carried inside check-ins are indexed too: the updates
        before `updates`, the events after `impediment_events`. Records of one day are applied
        in that order (a node's originals, then its corrections, each in the order given;
        an impediment's events in the order given), as the `add_*` methods apply them in
        the order called. The per-record work (grouping updates by node, sorting each node's
        updates) runs in C-level maps and sorts; timelines, impediment histories and
        attendance are built here, so the first question costs no more than the next.

        Args:
            cadences: the cadences.
            checkins: the check-ins, in the order held (as `held` lists their days).
            updates: status updates and corrections, on their own.
            impediment_events: impediment events, on their own.
            carried: `False` when `updates` and `impediment_events` already hold those
                carried inside `checkins`, in the order to apply them (a workspace loads a
                log so, in the order the records were appended); the check-ins' own are
                then not indexed a second time.

        Raises:
            ValidationError: a duplicate cadence or check-in id (``$.id``); every status
                update or correction reusing the id of one indexed before it, whatever node
                each reports on, and every impediment event reusing the id of one indexed
                before it, whatever impediment each changes, all listed at their paths in
                the call (``$.updates[1].id: duplicate update id 'u1'``,
                ``$.checkins[0].updates[0].id``, ``$.impediment_events[1].id: duplicate
                event id 'e1'``, ``$.checkins[0].impediments[0].id``); a correction its
                node's timeline refuses (see `add_update`).
        """
        log = cls()
        with collector_paused(settle=True):  # millions of acyclic containers, long-lived
            for cadence in cadences:
                log.add_cadence(cadence)
            meetings = checkins if isinstance(checkins, (list, tuple)) else list(checkins)
            deque(map(log._add_meeting, meetings), maxlen=0)
            inside = meetings if carried else ()
            carried_updates = list(chain.from_iterable(map(_UPDATES, inside)))
            alone_updates = list(updates)
            items = carried_updates + alone_updates  # in the order indexed
            log._update_ids = set(map(_ID, items))
            alone = list(impediment_events)
            events = alone + list(chain.from_iterable(map(_EVENTS, inside)))
            log._event_ids = set(map(_ID, events))
            if len(log._update_ids) != len(items) or len(log._event_ids) != len(events):
                raise _reused_in_call(alone_updates, alone, inside)
            by_node: defaultdict[str, list[StatusUpdate]] = defaultdict(list)
            deque(map(list.append, map(by_node.__getitem__, map(_NODE, items)), items), 0)
            log._timelines = {
                node_id: Timeline(node_id, items, journal=log._journal)
                for node_id, items in by_node.items()
            }
            deque(map(log._index_event, events), maxlen=0)
            log._impediments_by_node()
            log._attendance_table()
        return log

    # ------------------------------------------------------------------ growing

    def add_cadence(self, cadence: Cadence) -> None:
        """Add a cadence (ids are unique)."""
        if cadence.id in self._cadences:
            raise ValidationError.single("$.id", f"duplicate cadence id {cadence.id!r}")
        subject = cadence.subject
        by_subject = (
            self._cadences_of if subject.kind is OwnerKind.PERSON else self._team_cadences_of
        )
        by_subject.setdefault(subject.id, []).append(len(self._ranked))
        self._ranked.append(cadence)
        self._cadences[cadence.id] = cadence
        self._attendances = None
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
            self._attendances = None

    def add_checkin(self, checkin: CheckIn) -> None:
        """Add a check-in with its updates and impediment events, whole or not at all.

        Its updates are checked as `add_update` would take them one after another, and its
        events as `add_impediment_event` would, before anything is added.

        Raises:
            ValidationError: every problem at once, at its path in the check-in: its id is
                in the log already (``$.id``); an update reuses an update id of the log or
                of an update before it (``$.updates[1].id: duplicate update id 'u1'``), or
                is a correction its node's timeline refuses (``$.updates[2].corrects``,
                ``$.updates[2].on``); an event reuses an event id of the log or of an event
                before it (``$.impediments[1].id: duplicate event id 'e1'``). The log is
                left unchanged.
        """
        problems = []
        if checkin.id in self._checkins:
            problems.append(Problem("$.id", f"duplicate check-in id {checkin.id!r}"))
        problems += self._refused_updates(
            [(f"$.updates[{k}]", update) for k, update in enumerate(checkin.updates)]
        )
        carried = ((f"$.impediments[{k}]", e) for k, e in enumerate(checkin.impediments))
        problems += _reused(carried, self._event_ids, "event")
        if problems:
            raise ValidationError(problems, summary=f"check-in {checkin.id!r} not added")
        self._add_meeting(checkin)
        for update in checkin.updates:
            self._append_update(update)
        for event in checkin.impediments:
            self._event_ids.add(event.id)
            self._index_event(event)

    def add_update(self, update: StatusUpdate) -> None:
        """Append a status update (or a correction) to its node's timeline. O(log n).

        Raises:
            ValidationError: its id is in the log already, for any node, as an update's or a
                correction's (``$.id: duplicate update id 'u1'``); or it is a correction
                naming no update of its node (``$.corrects``) or recorded before the latest
                version of the update it corrects (``$.on``). The log is left unchanged.
        """
        problems = self._refused_updates([("$", update)])
        if problems:
            raise ValidationError(problems, summary=problems[0].message)
        self._append_update(update)

    def _append_update(self, update: StatusUpdate) -> None:
        """Append an update `_refused_updates` has no problem with."""
        timeline = self._timelines.get(update.node_id)
        if timeline is None:
            timeline = Timeline(update.node_id, journal=self._journal)
            self._timelines[update.node_id] = timeline
        timeline.add(update)  # notes the change in the journal (see `timeline_table`)
        self._update_ids.add(update.id)
        if not self._tables:
            self._journal.clear()

    def _refused_updates(self, placed: Sequence[tuple[str, StatusUpdate]]) -> list[Problem]:
        """A problem per update the log refuses, were `placed` added in order; adds nothing.

        `placed` holds ``(path, update)`` pairs. Refused: an id of the log or of an update
        before it (``{path}.id``); a correction naming no update of its node, here or
        before it (``{path}.corrects``), or recorded before the latest version of the
        original it corrects (``{path}.on``), as its node's timeline would refuse it. O(k)
        for k updates, plus O(n) for the log's n nodes per correction naming another
        node's update.
        """
        problems: list[Problem] = []
        given: dict[str, tuple[str, str]] = {}  # update id -> its node and original, if placed
        newest: dict[tuple[str, str], StatusUpdate] = {}  # (node, original) -> latest version
        for path, update in placed:
            node_id, target = update.node_id, update.corrects
            timeline = self._timelines.get(node_id)
            if (
                update.id in self._update_ids
                or update.id in given
                or (timeline is not None and timeline.latest_version(update.id) is not None)
            ):
                problems.append(Problem(f"{path}.id", f"duplicate update id {update.id!r}"))
                continue
            if target is None:
                given[update.id] = (node_id, update.id)
                newest[node_id, update.id] = update
                continue
            owner, root = given.get(target, (node_id, None))
            if root is None:  # not placed before it: the log's, if any
                found = None if timeline is None else timeline.latest_version(target)
                if found is not None:
                    root = found[0].id
                    newest.setdefault((node_id, root), found[1])
                elif target in self._update_ids:
                    owner = self._node_of(target) or node_id
            if owner != node_id:
                problems.append(other_node_problem(path, target, owner))
                continue
            latest = None if root is None else newest[node_id, root]
            problem = correction_problem(update, latest)
            if problem is not None:
                problems.append(Problem(path + problem.path[1:], problem.message))
            if root is not None:  # later ones may name it without a second problem
                given[update.id] = (node_id, root)
                if problem is None:
                    newest[node_id, root] = update
        return problems

    def _node_of(self, update_id: str) -> str | None:
        """The node whose timeline has an update `update_id`. O(n) for n nodes."""
        found = (t.node_id for t in self._timelines.values() if t.latest_version(update_id))
        return next(found, None)

    def add_impediment_event(self, event: ImpedimentEvent) -> None:
        """Append an impediment event. O(1).

        Raises:
            ValidationError: its id is in the log already, under any impediment
                (``$.id: duplicate event id 'e1'``); the log is left unchanged.
        """
        if event.id in self._event_ids:
            raise ValidationError.single("$.id", f"duplicate event id {event.id!r}")
        self._event_ids.add(event.id)
        self._index_event(event)

    def _index_event(self, event: ImpedimentEvent) -> None:
        """Index an event whose id is new to the log (and noted in `_event_ids`)."""
        self._events.setdefault(event.impediment_id, []).append(event)
        self._histories.pop(event.impediment_id, None)
        self._node_impediments = self._windows = None
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

    def timeline_table(self, cascade: Cascade) -> TimelineTable:
        """The timelines of `cascade`'s nodes by position (see `TimelineTable`).

        Built on the first call for a cascade (O(n + u) for its n nodes and their u
        updates) and kept, while the cascade lives, for the four cascades asked about last.
        Every change to a timeline of this log is noted in a journal; on the next call the
        kept table reads the changed nodes from their timelines (O(1) each), and is built
        afresh once more than an eighth of its nodes changed.

        Raises:
            ValidationError: `cascade` is not a cascade.
        """
        if not isinstance(cascade, Cascade):
            raise ValidationError.single("$.cascade", "must be a Cascade")
        kept = self._tables.pop(cascade)
        if kept is not None:
            self._tables.put(cascade, kept)  # the latest asked about last
            self._catch_up(cascade, kept)
            if kept.table.changed * 8 <= len(kept.table):
                return kept.table
        table = TimelineTable(map(self._timelines.get, cascade.index.ids))
        self._tables.put(cascade, _Kept(table, len(self._journal)))
        while len(self._tables) > 4:
            self._tables.drop_oldest()
        return table

    def _catch_up(self, cascade: Cascade, kept: _Kept) -> None:
        """Refresh the kept table's nodes changed since it last read the journal.

        The journal is emptied once every kept table has read it; a table that fell behind by
        more changes than the log has timelines is dropped (built afresh when asked for), so
        the journal does not grow without bound.
        """
        journal = self._journal
        if kept.read < len(journal):
            pos = cascade.index.pos
            for node_id in set(journal[kept.read :]):
                position = pos.get(node_id)
                if position is not None:
                    kept.table.refresh(position, self._timelines[node_id])
            kept.read = len(journal)
        if len(journal) > len(self._timelines):  # tables this far behind are built afresh
            behind = [key for key, other in self._tables.items() if other.read < len(journal)]
            for key in behind:
                self._tables.pop(key)
        if all(other.read == len(journal) for other in self._tables.values()):
            journal.clear()  # every table has read it
            for other in self._tables.values():
                other.read = 0

    def node_ids(self) -> Iterable[str]:
        """Ids of the nodes that have updates."""
        return self._timelines.keys()

    def held(self, cadence_id: str) -> list[dt.date]:
        """Days the cadence's check-ins were held (unsorted, as added)."""
        return list(self._held.get(cadence_id, ()))

    def attendance(self, cadence_id: str) -> Attendance:
        """The cadence's kept and missed due dates, folded once (see `Attendance`).

        Raises:
            NotFoundError: no cadence has that id (a `KeyError` too).
        """
        found = self._attendance.get(cadence_id)
        if found is None:
            cadence = self._cadences.get(cadence_id)
            if cadence is None:
                raise NotFoundError(f"no cadence {cadence_id!r}")
            found = Attendance(cadence, self._held.get(cadence_id, ()))
            self._attendance[cadence_id] = found
        return found

    def cadences_with(
        self, people: Iterable[str] | None, *, teams: Iterable[str] | None = None
    ) -> list[Cadence]:
        """The cadences with any of `people` or with any of `teams`.

        All cadences for `people=None`. `teams=None` (the default) takes every team's
        cadences, as before teams could be named; dashboards name the teams in their scope.
        In the order they were added. O(c log c) for the c cadences found.
        """
        return list(map(self._ranked.__getitem__, self._ranks(people, teams)))

    def cadence_teams(self) -> Set[str]:
        """Ids of the teams that some cadence meets. O(1)."""
        return self._team_cadences_of.keys()

    def _ranks(self, people: Iterable[str] | None, teams: Iterable[str] | None) -> Sequence[int]:
        """The ranks (order added) of the cadences with any of `people` or of `teams`."""
        if people is None:
            return range(len(self._ranked))
        of_team = cast("_RanksOf", self._team_cadences_of.get)
        groups: list[Sequence[int]]
        if teams is None:
            groups = list(self._team_cadences_of.values())
        else:
            groups = list(map(of_team, teams, repeat(())))
        groups += map(cast("_RanksOf", self._cadences_of.get), people, repeat(()))
        return sorted(chain.from_iterable(groups))

    def _attendance_table(self) -> AttendanceTable:
        """Every cadence's attendance, in the order added, joined (built on demand)."""
        if self._attendances is None:
            ids = map(attrgetter("id"), self._ranked)
            self._attendances = AttendanceTable(map(self.attendance, ids))
        return self._attendances

    def participation(
        self,
        people: Iterable[str] | None,
        as_of: dt.date,
        window_start: dt.date,
        *,
        teams: Iterable[str] | None = None,
    ) -> tuple[int, int, list[tuple[Cadence, tuple[dt.date, ...]]]]:
        """Check-ins held and due dates missed from `window_start` to `as_of`, and current runs.

        Over the cadences of `cadences_with(people, teams=teams)`: the totals of
        `Attendance.as_of`, and each cadence with a current run of missed due dates with that
        run, in the order the cadences were added. O(c log k) for c cadences of up to k due
        dates or check-ins in C-level passes (see `AttendanceTable.as_of`).

        Raises:
            ValidationError: `as_of` or `window_start` is not a date.
        """
        bad = [
            name
            for name, day in (("as_of", as_of), ("window_start", window_start))
            if not isinstance(day, dt.date)
        ]
        if bad:
            raise ValidationError(
                [Problem(f"$.{name}", "must be a date") for name in bad],
                summary="invalid participation days",
            )
        ranks = self._ranks(people, teams)
        return self._attendance_table().as_of(ranks, as_of, window_start)

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

        Per node, the open ones of `impediments_of` (nodes without any are left out). O(k + h)
        in C-level passes for k nodes and h impediments in the log, plus O(log e) for each
        impediment that may be open that day.

        Raises:
            ValidationError: an impediment's events up to `as_of` are inconsistent.
        """
        found: dict[int, list[Impediment]] = {}
        by_node = self._impediments_by_node()
        candidates = self._open_windows(as_of)
        if not candidates:
            return found
        for i in compress(range(len(node_ids)), map(candidates.__contains__, node_ids)):
            items = []
            for history in by_node[node_ids[i]].histories:
                opened, closed = history.window
                if opened <= as_of < closed:
                    item = history.at(as_of)
                    if item is not None and item.is_open:
                        items.append(item)
            if items:
                found[i] = items
        return found

    def _open_windows(self, as_of: dt.date) -> set[str]:
        """Ids of the nodes with an impediment whose window holds `as_of`.

        O(w + o) for the w windows touching that week and the o windows without an end.
        """
        if self._windows is None:
            self._windows = _Windows(self._impediments_by_node())
        return self._windows.holding(as_of.toordinal())

    def all_impediments(self, as_of: dt.date) -> list[Impediment]:
        """Every impediment raised by `as_of`, oldest first."""
        found = []
        for impediment_id in self._events:
            item = self.impediment(impediment_id, as_of)
            if item is not None:
                found.append(item)
        return sorted(found, key=lambda i: (i.raised_on, i.id))


def _reused(placed: Iterable[tuple[str, _Record]], known: Set[str], kind: str) -> list[Problem]:
    """A problem per record whose id is in `known` or given before it in `placed`.

    `placed` holds ``(path, record)`` pairs, in the order the records are indexed; `kind`
    names them in the message (``duplicate event id 'e1'``). O(r) for its r records
    (`known` is only looked up).
    """
    seen: set[str] = set()
    problems = []
    for path, record in placed:
        if record.id in known or record.id in seen:
            problems.append(Problem(f"{path}.id", f"duplicate {kind} id {record.id!r}"))
        seen.add(record.id)
    return problems


def _reused_in_call(
    updates: Sequence[StatusUpdate], events: Sequence[ImpedimentEvent], inside: Sequence[CheckIn]
) -> ValidationError:
    """The reused update and event ids of `from_records`, at their paths in the call.

    Each kind in the order indexed: updates inside the check-ins before `updates`, events
    after `events`.
    """
    placed_updates = chain(_carried(inside, "updates"), _given("updates", updates))
    placed_events = chain(_given("impediment_events", events), _carried(inside, "impediments"))
    reused = {
        "update": _reused(placed_updates, frozenset(), "update"),
        "event": _reused(placed_events, frozenset(), "event"),
    }
    kinds = " and ".join(kind for kind, problems in reused.items() if problems)
    return ValidationError(chain(*reused.values()), summary=f"duplicate {kinds} ids")


def _given(name: str, records: Sequence[_Record]) -> Iterator[tuple[str, _Record]]:
    """`records`, given as argument `name`, at their paths in the call."""
    return ((f"$.{name}[{i}]", record) for i, record in enumerate(records))


def _carried(inside: Sequence[CheckIn], field: str) -> Iterator[tuple[str, _Record]]:
    """The records the check-ins carry in `field`, at their paths in the call."""
    for j, checkin in enumerate(inside):
        for k, record in enumerate(getattr(checkin, field)):
            yield f"$.checkins[{j}].{field}[{k}]", record


class _Kept:
    """A kept timeline table and how much of the journal it has read."""

    __slots__ = ("read", "table")

    def __init__(self, table: TimelineTable, read: int) -> None:
        self.table = table
        self.read = read


class _Windows:
    """Impediment histories' windows ``[opened, closed)``, by the weeks they touch.

    Per week, the windows touching it sorted by opening day, as columns: the windows
    holding a day are a prefix of its week's, filtered in C-level passes.

    Args:
        by_node: per node, its impediment histories.

    Building is O(h + w log w) for h histories touching w weeks in all.
    """

    __slots__ = ("_endless", "_endless_nodes", "_weeks")

    def __init__(self, by_node: Mapping[str, _NodeImpediments]) -> None:
        weeks: dict[int, list[tuple[int, int, str]]] = {}
        endless: list[tuple[int, str]] = []
        last = dt.date.max
        for node_id, entry in by_node.items():
            for history in entry.histories:
                opened, closed = history.window
                if opened == last:
                    continue  # never open
                if closed == last:
                    endless.append((opened.toordinal(), node_id))
                    continue
                start, end = opened.toordinal(), closed.toordinal()
                for week in range(start // 7, (end - 1) // 7 + 1):
                    weeks.setdefault(week, []).append((start, end, node_id))
        self._weeks: dict[int, tuple[list[int], list[int], list[str]]] = {}
        for week, windows in weeks.items():
            windows.sort()
            starts, ends, nodes = zip(*windows, strict=True)
            self._weeks[week] = (list(starts), list(ends), list(nodes))
        endless.sort()
        self._endless = [day for day, _ in endless]
        self._endless_nodes = [node_id for _, node_id in endless]

    def holding(self, day: int) -> set[str]:
        """Ids of the nodes with a window holding the day (an ordinal)."""
        found: set[str] = set()
        week = self._weeks.get(day // 7)
        if week is not None:
            starts, ends, nodes = week
            begun = bisect.bisect_right(starts, day)
            found.update(compress(nodes, map(lt, repeat(day), islice(ends, begun))))
        found.update(self._endless_nodes[: bisect.bisect_right(self._endless, day)])
        return found


class _NodeImpediments(NamedTuple):
    """A node's impediment histories, oldest first, and the days any of them may be open."""

    opened: dt.date
    closed: dt.date
    histories: list[ImpedimentHistory]
