"""Appending check-in records so that the stored history stays loadable.

Beside the records, an append writes small records in the same batch: a claim of every status
update and impediment event id (so a reused id is refused even from a concurrent writer), the
head of every impediment it changes and of every original update it corrects (each rewritten
expecting the version read, so two concurrent appends that would together break a history
cannot both pass). A store written before the claims existed gets them backfilled, once.

Records of one day are applied in the order they were appended: by the sequence number of the
stored record that holds them (a check-in's, for the updates and events it carries), then by
their position in the check-in. An append writes its records in the call's order (check-ins,
each with its updates and events in order, then updates alone, then events alone), so their
sequence numbers follow it. `log_in_order` applies them so, and the checks of an append
place the stored records so, with the new ones after them in the call's order. Records
committed before the first append that ordered so (before the ``checkins.commit_order``
marker; see `MIGRATIONS_COLLECTION`) keep the order earlier releases applied and checked
them in, before every later record: check-ins by id, each with its updates, then updates on
their own by id; events on their own by id, then those of check-ins by check-in id.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from workplan_core.checkins import (
    Cadence,
    CheckIn,
    CheckinLog,
    ImpedimentEvent,
    StatusUpdate,
)
from workplan_core.checkins.impediments import fold_events
from workplan_core.checkins.timeline import other_node_problem
from workplan_core.errors import ConflictError, Problem, ValidationError
from workplan_core.serialization import dump_record
from workplan_core.storage import (
    Commit,
    CorruptRecordError,
    JsonRecord,
    Put,
    Store,
    StoredRecord,
    Write,
)
from workplan_core.storage.encoding import MAX_KEY_LENGTH, name_problem
from workplan_core.storage.typed import load_stored
from workplan_core.workspace._merge import declare_needed
from workplan_core.workspace._sections import CHECKIN_SECTIONS, Section
from workplan_core.workspace._snapshot import Snapshot

__all__ = [
    "CORRECTION_HEADS",
    "EVENT_ID_CLAIMS",
    "IMPEDIMENT_HEADS",
    "MIGRATIONS_COLLECTION",
    "UPDATE_ID_CLAIMS",
    "append_checkins",
    "log_in_order",
    "read_checkin_log",
]

T = TypeVar("T")


UPDATE_ID_CLAIMS = "checkins.update_ids"
"""One claim per status update id appended (on its own or inside a check-in), keyed by the id:
``{"$type": "checkins.update_id", "$version": 1, "in_checkin": …, "node_id": …, "on":
"2027-01-04", "root": …}``, where ``in_checkin`` is the id of the check-in that carries the
update (`None`: stored on its own) and ``root`` the id of the original update a correction
ultimately corrects (`None` for an original). Written with the update, expecting no record, so
the store refuses a reused id; an append checks a correction against the claim of the update it
names without reading the updates themselves."""

CORRECTION_HEADS = "checkins.correction_heads"
"""One record per corrected original update, keyed by its id: ``{"$type":
"checkins.correction_head", "$version": 1, "latest": …, "on": "2027-01-05", "order": [group,
key, position]}``, the latest correction of the original (its id and day; a loaded log
applies the corrections of one day in the order appended, so the latest is the last one
appended). ``order`` is the correction's place as earlier releases ordered same-day
corrections (``[0, check-in id, position]`` inside a check-in, ``[1, update id, 0]`` on its
own), written for them and not read. Each append that corrects the original rewrites the
record, expecting the version read, so two concurrent corrections of one update cannot both
pass."""

EVENT_ID_CLAIMS = "checkins.event_ids"
"""One claim per impediment event id appended, keyed by the id: ``{"$type":
"checkins.event_id", "$version": 1, "in_checkin": …, "impediment_id": …}``, with
``impediment_id`` indexed, so an append finds the stored events of the impediments it
changes without reading the rest of the history."""

IMPEDIMENT_HEADS = "checkins.impediment_heads"
"""One record per impediment that appends changed, keyed by its id: ``{"$type":
"checkins.impediment_head", "$version": 1, "events": n}``. Each append rewrites the heads of
the impediments it changes, expecting the versions it read before reading their events."""

MIGRATIONS_COLLECTION = "workspace.migrations"
"""One record per one-time change of a store's layout: ``checkins.claims`` once the claims of
every stored update and event id are written; ``checkins.commit_order`` written first in the
batch of the first append that orders same-day records by commit (its sequence number divides
the records stored before, kept in the order they were checked in, from those after)."""

_CLAIMS_MIGRATION = "checkins.claims"
_ORDER_MIGRATION = "checkins.commit_order"

_DECLARED: tuple[tuple[str, tuple[str, ...]], ...] = (
    *((section.collection, section.indexed) for section in CHECKIN_SECTIONS),
    (EVENT_ID_CLAIMS, ("impediment_id",)),
)
"""The check-in collections that declare indexed fields, with those fields."""

_UpdateOrder = tuple[int, str, int]
"""The ``order`` of a correction head (see `CORRECTION_HEADS`): ``(0, check-in id,
position)`` inside a check-in, ``(1, update id, 0)`` on its own."""

_BEFORE_ALL: _UpdateOrder = (-1, "", 0)
"""The ``order`` of an original that has no head yet."""

_Place = tuple[int, int, str, int]
"""Where a stored record comes among those of its day in a loaded log: ``(1, seq, "",
position)``, the sequence number of the stored record holding it (the check-in's, for a
record carried inside one) and its position in the check-in (0 on its own); ``(0, group,
key, position)`` for a record committed before the ``checkins.commit_order`` marker, in the
order earlier releases applied (see `_place`). New records come after every stored one, in
the call's order."""


def _place(seq: int, key: str, boundary: int | None, group: int, position: int) -> _Place:
    """The place of a record held by the stored version `seq` of `key` (see `_Place`).

    `boundary` is the sequence number of the ``checkins.commit_order`` marker (`None`: not
    written yet, every record comes before it); `group` orders the records committed before
    it: for updates 0 inside a check-in and 1 on their own, for events 0 on their own and 1
    inside a check-in, 0 for cadences and check-ins.
    """
    if boundary is not None and seq > boundary:
        return (1, seq, "", position)
    return (0, group, key, position)


def _boundary(store: Store) -> int | None:
    """The sequence number of the ``checkins.commit_order`` marker, or `None`."""
    marker = store.get(MIGRATIONS_COLLECTION, _ORDER_MIGRATION)
    return None if marker is None else marker.seq


def _article(name: str) -> str:
    return f"an {name}" if name[0] in "AEIOU" else f"a {name}"


def _given(section: Section, records: object, problems: list[Problem]) -> list[Any]:
    """The records of one argument of `append_checkins`, checked to be of the section's type."""
    path, kind = f"$.{section.field}", section.cls.__name__
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        got = type(records).__name__
        problems.append(Problem(path, f"must be an iterable of {kind} records, got {got}"))
        return []
    items = list(records)
    problems.extend(
        Problem(f"{path}[{i}]", f"must be {_article(kind)}, got {type(item).__name__}")
        for i, item in enumerate(items)
        if type(item) is not section.cls
    )
    return items


def _update_claim(in_checkin: str | None, update: StatusUpdate, root: str | None) -> JsonRecord:
    return {
        "$type": "checkins.update_id",
        "$version": 1,
        "in_checkin": in_checkin,
        "node_id": update.node_id,
        "on": update.on.isoformat(),
        "root": root,
    }


def _event_claim(in_checkin: str | None, impediment_id: str) -> JsonRecord:
    return {
        "$type": "checkins.event_id",
        "$version": 1,
        "in_checkin": in_checkin,
        "impediment_id": impediment_id,
    }


class _NewUpdate(NamedTuple):
    """A status update given to `append_checkins`, with its path and place in a loaded log."""

    path: str
    order: _UpdateOrder
    update: StatusUpdate


class _NewEvent(NamedTuple):
    """An impediment event given to `append_checkins`, with its path in the call."""

    path: str
    event: ImpedimentEvent


class _Call:
    """The records of one `append_checkins` call, their keys checked at the caller's paths."""

    def __init__(
        self,
        cadences: list[Cadence],
        checkins: list[CheckIn],
        updates: list[StatusUpdate],
        events: list[ImpedimentEvent],
    ) -> None:
        self.records: tuple[list[Any], ...] = (cadences, checkins, updates, events)
        self.problems: list[Problem] = []
        self._first: dict[str, dict[str, str]] = {}  # kind -> key -> path of its first use
        self.update_claims: dict[str, str | None] = {}  # update id -> check-in carrying it
        self.event_claims: dict[str, tuple[str | None, str]] = {}  # -> (check-in, impediment)
        self.events: list[_NewEvent] = []
        # those with valid new ids, in the order written (and so applied by a loaded log)
        self.updates: list[_NewUpdate] = []
        for i, cadence in enumerate(cadences):
            self._key("cadence", cadence.id, f"$.cadences[{i}].id")
        for i, checkin in enumerate(checkins):
            self._key("check-in", checkin.id, f"$.checkins[{i}].id")
            for j, update in enumerate(checkin.updates):
                path = f"$.checkins[{i}].updates[{j}]"
                if self._key("update", update.id, f"{path}.id"):
                    self.update_claims[update.id] = checkin.id
                    self.updates.append(_NewUpdate(path, (0, checkin.id, j), update))
            for j, event in enumerate(checkin.impediments):
                self._event(event, f"$.checkins[{i}].impediments[{j}]", checkin.id)
        for i, update in enumerate(updates):
            if self._key("update", update.id, f"$.updates[{i}].id"):
                self.update_claims[update.id] = None
                self.updates.append(_NewUpdate(f"$.updates[{i}]", (1, update.id, 0), update))
        for i, event in enumerate(events):
            self._event(event, f"$.impediment_events[{i}]", None)
        self.touched = sorted({new.event.impediment_id for new in self.events})

    def _key(self, kind: str, key: str, path: str) -> bool:
        """Whether `key` is a valid store key not used before in the call (else noted)."""
        rule = name_problem(key, MAX_KEY_LENGTH)
        if rule:
            self.problems.append(Problem(path, f"{rule} (it is a store key)"))
            return False
        first = self._first.setdefault(kind, {})
        if key in first:
            self.problems.append(Problem(path, f"duplicate {kind} id {key!r} (as {first[key]})"))
            return False
        first[key] = path
        return True

    def _event(self, event: ImpedimentEvent, path: str, in_checkin: str | None) -> None:
        valid = self._key("impediment event", event.id, f"{path}.id")
        rule = name_problem(event.impediment_id, MAX_KEY_LENGTH)
        if rule:
            self.problems.append(Problem(f"{path}.impediment_id", f"{rule} (it is a store key)"))
        elif valid:
            self.event_claims[event.id] = (in_checkin, event.impediment_id)
            self.events.append(_NewEvent(path, event))

    def new_keys(self) -> list[tuple[str, list[str]]]:
        """The keys the call writes that must be new, by collection."""
        keys = [
            (section.collection, [record.id for record in records])
            for section, records in zip(CHECKIN_SECTIONS, self.records, strict=True)
        ]
        keys.append((UPDATE_ID_CLAIMS, list(self.update_claims)))
        keys.append((EVENT_ID_CLAIMS, list(self.event_claims)))
        return keys

    def writes(self, roots: Mapping[str, str | None]) -> list[Write]:
        """The records and their id claims, each expecting no record, in the call's order.

        `roots` maps an update id to the original it corrects (see `_Corrections`).
        """
        writes: list[Write] = [
            Put(section.collection, record.id, dump_record(record))
            for section, records in zip(CHECKIN_SECTIONS, self.records, strict=True)
            for record in records
        ]
        writes += (
            Put(
                UPDATE_ID_CLAIMS,
                new.update.id,
                _update_claim(c, new.update, roots.get(new.update.id)),
            )
            for new, c in ((new, self.update_claims[new.update.id]) for new in self.updates)
        )
        writes += (
            Put(EVENT_ID_CLAIMS, key, _event_claim(in_checkin, impediment_id))
            for key, (in_checkin, impediment_id) in self.event_claims.items()
        )
        return writes


class _Claim(NamedTuple):
    """What an update claim tells of its update: its node, day and the original it corrects."""

    node_id: str
    on: dt.date
    root: str | None  # None: an original


class _Head(NamedTuple):
    """The latest version of a corrected original: the last one appended."""

    latest: str
    on: dt.date
    order: _UpdateOrder
    version: int | None  # of the stored head record; None: none stored


def _head_record(head: _Head) -> JsonRecord:
    return {
        "$type": "checkins.correction_head",
        "$version": 1,
        "latest": head.latest,
        "on": head.on.isoformat(),
        "order": list(head.order),
    }


def _read_claim(stored: StoredRecord) -> _Claim | None:
    """The claim's fields, checked.

    `None` for a claim written without them (before corrections were checked): its update
    cannot be corrected through it.
    """
    record = stored.record or {}
    if not {"node_id", "on", "root"} <= record.keys():
        return None
    node_id, on, root = record["node_id"], record["on"], record["root"]
    try:
        day = dt.date.fromisoformat(on) if type(on) is str else None
    except ValueError:
        day = None
    if type(node_id) is not str or day is None or not (root is None or type(root) is str):
        raise CorruptRecordError(
            stored.collection, stored.key, stored.version, "node_id, on, root: wrong types"
        )
    return _Claim(node_id, day, root)


def _read_head(stored: StoredRecord) -> _Head:
    record = stored.record or {}
    latest, on, order = record.get("latest"), record.get("on"), record.get("order")
    try:
        day = dt.date.fromisoformat(on) if type(on) is str else None
    except ValueError:
        day = None
    if (
        type(latest) is str
        and day is not None
        and type(order) is list
        and len(order) == 3
        and type(order[0]) is int
        and type(order[1]) is str
        and type(order[2]) is int
    ):
        return _Head(latest, day, (order[0], order[1], order[2]), stored.version)
    raise CorruptRecordError(
        stored.collection, stored.key, stored.version, "must have latest, on and order"
    )


class _Found(NamedTuple):
    """A stored status update, where it comes and where it is stored."""

    place: _Place
    order: _UpdateOrder  # for its correction head
    in_checkin: str | None
    update: StatusUpdate


class _Legacy:
    """What a store written before the id claims holds: the claims to write, once."""

    def __init__(self) -> None:
        self._writes: list[Write] = []
        self.update_ids: set[str] = set()
        self.event_ids: set[str] = set()
        self.events: list[tuple[_Place, ImpedimentEvent]] = []  # those of touched impediments
        self.claims: dict[str, _Claim] = {}
        self.heads: dict[str, _Head] = {}

    @classmethod
    def read(cls, store: Store, touched: Sequence[str], boundary: int | None) -> _Legacy:
        """Read every stored check-in, update and event id; O(stored records), once."""
        legacy, wanted = cls(), set(touched)
        checkins, updates, events = (section.collection for section in CHECKIN_SECTIONS[1:])
        found: list[_Found] = []
        for stored in store.scan(checkins):
            checkin = load_stored(stored, CheckIn)
            found.extend(
                _Found(
                    _place(stored.seq, stored.key, boundary, 0, j),
                    (0, checkin.id, j),
                    checkin.id,
                    u,
                )
                for j, u in enumerate(checkin.updates)
            )
            for j, event in enumerate(checkin.impediments):
                legacy._event(
                    event, checkin.id, _place(stored.seq, stored.key, boundary, 1, j), wanted
                )
        for stored in store.scan(updates):
            update = load_stored(stored, StatusUpdate)
            place = _place(stored.seq, stored.key, boundary, 1, 0)
            found.append(_Found(place, (1, stored.key, 0), None, update))
        for stored in store.scan(events):
            event = load_stored(stored, ImpedimentEvent)
            legacy._event(event, None, _place(stored.seq, stored.key, boundary, 0, 0), wanted)
        legacy._updates(found)
        marker = {"$type": "workspace.migration", "$version": 1}
        legacy._writes.append(Put(MIGRATIONS_COLLECTION, _CLAIMS_MIGRATION, marker))
        return legacy

    def _updates(self, found: list[_Found]) -> None:
        """Claim the stored updates, and note the latest version of each corrected original.

        Corrections are resolved in the order a loaded log applies them (originals first, then
        corrections by day and, on one day, in the order appended); one that a loaded log
        could not apply is claimed as an original.
        """
        # ids that cannot be keys, or stored twice already, cannot be claimed (again)
        first: dict[str, _Found] = {}
        for item in found:
            key = item.update.id
            if key not in first and not name_problem(key, MAX_KEY_LENGTH):
                first[key] = item
        fixes = sorted(
            (i for i in first.values() if i.update.corrects is not None),
            key=lambda item: (item.update.on, item.place),
        )
        for item in first.values():
            update = item.update
            if update.corrects is None:
                self.claims[update.id] = _Claim(update.node_id, update.on, None)
        for _, order, _, update in fixes:
            target = self.claims.get(update.corrects or "")
            root = None
            if target is not None and target.node_id == update.node_id:
                root = target.root or update.corrects
                self.heads[root or ""] = _Head(update.id, update.on, order, None)
            self.claims[update.id] = _Claim(update.node_id, update.on, root)
        for key, (_, _, in_checkin, update) in first.items():
            self.update_ids.add(key)
            claim = _update_claim(in_checkin, update, self.claims[key].root)
            self._writes.append(Put(UPDATE_ID_CLAIMS, key, claim))

    def writes(self, corrected: Iterable[str]) -> list[Write]:
        """The claims, heads and marker to write.

        Less the heads of the `corrected` originals: the call writes those.
        """
        skip = set(corrected)
        heads = [
            Put(CORRECTION_HEADS, root, _head_record(head))
            for root, head in sorted(self.heads.items())
            if root not in skip
        ]
        return [*self._writes, *heads]

    def _event(
        self, event: ImpedimentEvent, in_checkin: str | None, place: _Place, wanted: set[str]
    ) -> None:
        if event.impediment_id in wanted:
            self.events.append((place, event))
        key = event.id
        if key not in self.event_ids and not name_problem(key, MAX_KEY_LENGTH):
            self.event_ids.add(key)
            claim = _event_claim(in_checkin, event.impediment_id)
            self._writes.append(Put(EVENT_ID_CLAIMS, key, claim))


class _Corrections:
    """The corrections of one call checked against the claims and heads (stored or backfilled).

    Corrections are taken in the call's order (the order written); each must name an update of
    its node that is stored, an original of the call, or a correction given before it in the
    call, and not be recorded on an earlier day than the latest version of its original (the
    last one appended): a loaded log applies the corrections of one day in the order
    appended, so one of the same day comes after it.
    """

    def __init__(self, store: Store, call: _Call, legacy: _Legacy | None) -> None:
        self.problems: list[Problem] = []
        self.roots: dict[str, str | None] = {}  # update id of the call -> its root
        self.writes: list[Write] = []
        originals = {n.update.id: n.update for n in call.updates if n.update.corrects is None}
        fixes = [n for n in call.updates if n.update.corrects is not None]
        self.roots.update(dict.fromkeys(originals))
        if not fixes:
            return
        in_call = {n.update.id for n in call.updates}
        outside = sorted(
            {
                key
                for n in fixes
                if (key := n.update.corrects or "") not in in_call
                and not name_problem(key, MAX_KEY_LENGTH)
            }
        )
        claims, unreadable = self._stored_claims(store, legacy, outside)
        roots = sorted({c.root or k for k, c in claims.items()})
        heads = self._stored_heads(store, legacy, roots)
        missing = [r for r in roots if r not in heads and r not in claims]
        more, _ = self._stored_claims(store, legacy, missing)
        claims.update(more)
        self._known: dict[str, _Claim] = {
            **claims,
            **{k: _Claim(u.node_id, u.on, None) for k, u in originals.items()},
        }
        self._heads = heads
        self._changed: dict[str, int | None] = {}  # root -> version of its stored head
        for new in fixes:
            problem = self._check(new, in_call, unreadable)
            if problem is not None:
                self.problems.append(problem)
        self.writes = [
            Put(CORRECTION_HEADS, root, _head_record(heads[root]), version)
            for root, version in sorted(self._changed.items())
        ]

    def _check(self, new: _NewUpdate, in_call: set[str], unreadable: set[str]) -> Problem | None:
        """The problem of one correction, or `None` (and it becomes the latest version)."""
        known, heads, changed = self._known, self._heads, self._changed
        update, path = new.update, new.path
        target = update.corrects or ""
        claim = known.get(target)
        if claim is None:
            if target in unreadable:
                message = (
                    f"cannot be checked: the claim of {target!r} was written without its "
                    "node, day and original"
                )
            elif target in in_call:
                message = f"no update {target!r} to correct before it (it comes later)"
            else:
                message = f"no update {target!r} to correct"
            return Problem(f"{path}.corrects", message)
        if claim.node_id != update.node_id:
            return other_node_problem(path, target, claim.node_id)
        root = claim.root or target
        head = heads.get(root)
        if head is None:
            root_claim = known.get(root)
            if root_claim is None:  # a head or claim the store lost
                return Problem(f"{path}.corrects", f"no original {root!r} of {target!r}")
            head = _Head(root, root_claim.on, _BEFORE_ALL, None)
        # known even if refused below, so later corrections naming it get no second problem
        known[update.id] = _Claim(update.node_id, update.on, root)
        self.roots[update.id] = root
        about = f"{head.latest!r}, the latest version of {root!r}"
        if head.latest == root:
            about = f"{root!r}, the update it corrects"
        if update.on < head.on:
            return Problem(
                f"{path}.on",
                f"a correction must not be recorded before {head.on} (the day of {about})",
            )
        changed[root] = changed.get(root, head.version)
        heads[root] = _Head(update.id, update.on, new.order, changed[root])
        return None

    @staticmethod
    def _stored_claims(
        store: Store, legacy: _Legacy | None, keys: list[str]
    ) -> tuple[dict[str, _Claim], set[str]]:
        """The claims of the stored `keys`, and the keys whose claims lack the fields."""
        if legacy is not None:
            return {k: legacy.claims[k] for k in keys if k in legacy.claims}, set()
        found: dict[str, _Claim] = {}
        unreadable: set[str] = set()
        for key, stored in (store.get_many(UPDATE_ID_CLAIMS, keys) if keys else {}).items():
            claim = _read_claim(stored)
            if claim is None:
                unreadable.add(key)
            else:
                found[key] = claim
        return found, unreadable

    @staticmethod
    def _stored_heads(store: Store, legacy: _Legacy | None, roots: list[str]) -> dict[str, _Head]:
        if legacy is not None:
            return {r: legacy.heads[r] for r in roots if r in legacy.heads}
        stored = store.get_many(CORRECTION_HEADS, roots) if roots else {}
        return {key: _read_head(record) for key, record in stored.items()}


def _stored_events(
    store: Store, touched: Sequence[str], boundary: int | None
) -> list[tuple[_Place, ImpedimentEvent]]:
    """The stored events of the `touched` impediments, with their places, found by their claims.

    O(s) for their s events, one indexed scan per impediment (a full scan of the claims only
    if their index was dropped).
    """
    if not touched:
        return []
    claims: Iterable[StoredRecord]
    if "impediment_id" in store.indexed_fields(EVENT_ID_CLAIMS):
        claims = itertools.chain.from_iterable(
            store.scan(EVENT_ID_CLAIMS, where={"impediment_id": key}) for key in touched
        )
    else:
        wanted = set(touched)
        claims = (
            c
            for c in store.scan(EVENT_ID_CLAIMS)
            if (c.record or {}).get("impediment_id") in wanted
        )
    alone: list[str] = []
    carriers: set[str] = set()
    for claim in claims:
        in_checkin = (claim.record or {}).get("in_checkin")
        if in_checkin is None:
            alone.append(claim.key)
        elif type(in_checkin) is str:
            carriers.add(in_checkin)
        else:
            raise CorruptRecordError(
                claim.collection, claim.key, claim.version, "in_checkin: must be a string or None"
            )
    _, checkins, _, events = (section.collection for section in CHECKIN_SECTIONS)
    found = [
        (_place(stored.seq, stored.key, boundary, 0, 0), load_stored(stored, ImpedimentEvent))
        for stored in store.get_many(events, alone).values()
    ]
    wanted = set(touched)
    for stored in store.get_many(checkins, sorted(carriers)).values():
        checkin = load_stored(stored, CheckIn)
        found.extend(
            (_place(stored.seq, stored.key, boundary, 1, j), event)
            for j, event in enumerate(checkin.impediments)
            if event.impediment_id in wanted
        )
    return found


def _existing(store: Store, call: _Call, legacy: _Legacy) -> list[tuple[str, str]]:
    """The `(collection, key)` pairs of the call that are already stored or claimed."""
    found: dict[tuple[str, str], None] = {}
    for collection, keys in call.new_keys():
        if keys:
            found.update(((collection, key), None) for key in store.get_many(collection, keys))
    found.update(
        ((UPDATE_ID_CLAIMS, k), None) for k in call.update_claims if k in legacy.update_ids
    )
    found.update(((EVENT_ID_CLAIMS, k), None) for k in call.event_claims if k in legacy.event_ids)
    return list(found)


def _lifecycle_problems(
    stored: list[tuple[_Place, ImpedimentEvent]], new: list[_NewEvent]
) -> list[Problem]:
    """The problems the new events make in their impediments' histories, at their paths.

    The events are folded in the order a loaded log folds them: by day, those of one day in
    the order appended (the stored ones, then the new ones in the call's order). A problem
    the stored events had already is not the call's; a new one at a stored event (a new raise
    before a stored one, say) is reported at the first new event of that impediment. O(e log
    e) for e events.
    """
    if not new:
        return []
    stored.sort(key=itemgetter(0))
    rows: list[tuple[ImpedimentEvent, str | None]] = [
        *((event, None) for _, event in stored),
        *((item.event, item.path) for item in new),
    ]
    # a stored event's problems are folded at the bare field (``.on``), to be told apart
    paths = ["" if path is None else path for _, path in rows]
    found = fold_events([event for event, _ in rows], paths)
    if not found.problems:
        return []
    first: dict[str, str] = {}
    for item in new:
        first.setdefault(item.event.impediment_id, item.path)
    before: set[tuple[str, str, str]] = set()
    if any(rows[i][1] is None for i in found.at):
        alone = fold_events([event for _, event in stored], [""] * len(stored))
        before = {
            (stored[i][1].id, problem.path, problem.message)
            for i, problem in zip(alone.at, alone.problems, strict=True)
        }
    problems: list[Problem] = []
    for i, problem in zip(found.at, found.problems, strict=True):
        event, path = rows[i]
        if path is not None:
            problems.append(problem)
        elif (event.id, problem.path, problem.message) not in before:
            where = f"{problem.path[1:]}: " if problem.path else ""
            message = f"makes the stored event {event.id!r} inconsistent: {where}{problem.message}"
            problems.append(Problem(first[event.impediment_id], message))
    return problems


def _heads(
    read: dict[str, StoredRecord],
    stored: list[tuple[_Place, ImpedimentEvent]],
    new: list[_NewEvent],
) -> list[Write]:
    """The heads of the impediments changed, each expecting the version read."""
    counts = Counter(event.impediment_id for _, event in stored)
    counts.update(item.event.impediment_id for item in new)
    return [
        Put(
            IMPEDIMENT_HEADS,
            key,
            {"$type": "checkins.impediment_head", "$version": 1, "events": counts[key]},
            read[key].version if key in read else None,
        )
        for key in sorted({item.event.impediment_id for item in new})
    ]


def append_checkins(
    store: Store,
    *,
    cadences: Iterable[Cadence],
    checkins: Iterable[CheckIn],
    updates: Iterable[StatusUpdate],
    impediment_events: Iterable[ImpedimentEvent],
) -> Commit:
    """Append check-in records to `store` in one atomic batch, or refuse them whole.

    See [Workspace.append_checkins][workplan_core.workspace.Workspace.append_checkins] for
    the checks, the records written beside them, the complexity and the errors raised.
    """
    problems: list[Problem] = []
    arguments = (cadences, checkins, updates, impediment_events)
    given = [
        _given(section, records, problems)
        for section, records in zip(CHECKIN_SECTIONS, arguments, strict=True)
    ]
    if problems:
        raise ValidationError(problems, summary="cannot append the check-in records")
    call = _Call(*given)
    if call.problems:
        raise ValidationError(call.problems, summary="cannot append the check-in records")
    migrated = store.get(MIGRATIONS_COLLECTION, _CLAIMS_MIGRATION) is not None
    boundary = _boundary(store)
    # the heads first: a writer changing these impediments after this read conflicts
    heads = store.get_many(IMPEDIMENT_HEADS, call.touched) if call.touched else {}
    legacy = _Legacy() if migrated else _Legacy.read(store, call.touched, boundary)
    stored = _stored_events(store, call.touched, boundary) if migrated else legacy.events
    conflicts = _existing(store, call, legacy)
    if conflicts:
        raise ConflictError(
            f"{len(conflicts)} id(s) of this append are already stored (ids must be "
            f"new): {_named(conflicts)}; nothing was written",
            conflicts,
        )
    problems = _lifecycle_problems(stored, call.events)
    if problems:
        raise ValidationError(problems, summary="cannot append the impediment events")
    corrections = _Corrections(store, call, None if migrated else legacy)
    if corrections.problems:
        raise ValidationError(corrections.problems, summary="cannot append the corrections")
    corrected = [write.key for write in corrections.writes]
    marker = {"$type": "workspace.migration", "$version": 1}
    writes = [
        # first: the records after it, this batch's included, are ordered by commit
        *([] if boundary is not None else [Put(MIGRATIONS_COLLECTION, _ORDER_MIGRATION, marker)]),
        *call.writes(corrections.roots),
        *_heads(heads, stored, call.events),
        *corrections.writes,
        *legacy.writes(corrected),
    ]
    for collection, indexed in _DECLARED:
        declare_needed(store, collection, indexed)
    try:
        return store.write(writes)
    except ConflictError as error:
        raise ConflictError(
            f"another writer appended check-in records meanwhile ({_changed(error.conflicts)}); "
            "nothing was written. Load the log again and retry: the append is then checked "
            "against what the other writer stored",
            error.conflicts,
        ) from error


def _what(collection: str, key: str) -> str:
    """The record a stored `(collection, key)` pair stands for, in plain words."""
    cadences, checkins, updates, events = (section.collection for section in CHECKIN_SECTIONS)
    kinds = {
        cadences: "cadence",
        checkins: "check-in",
        updates: "status update",
        UPDATE_ID_CLAIMS: "status update",
        events: "impediment event",
        EVENT_ID_CLAIMS: "impediment event",
    }
    if collection in kinds:
        return f"{kinds[collection]} {key!r}"
    return f"{collection}/{key}"


def _named(conflicts: Iterable[tuple[str, str]]) -> str:
    """The records of stored ids that an append gives again, in plain words, once each."""
    return ", ".join(dict.fromkeys(_what(collection, key) for collection, key in conflicts))


def _changed(conflicts: Iterable[tuple[str, str]]) -> str:
    """What another writer did to make an append's batch conflict, in plain words."""
    said: dict[str, None] = {}
    for collection, key in conflicts:
        if collection == IMPEDIMENT_HEADS:
            said[f"changed impediment {key!r}"] = None
        elif collection == CORRECTION_HEADS:
            said[f"corrected update {key!r}"] = None
        elif collection == MIGRATIONS_COLLECTION:
            said["was first to append to this store with this release (a one-time step)"] = None
        else:
            said[f"appended {_what(collection, key)}"] = None
    return "; ".join(said)


def read_checkin_log(store: Store) -> CheckinLog:
    """The check-in log of `store`'s records, all as they stood at one moment.

    The check-in collections and the ``checkins.commit_order`` marker are read through one
    [Snapshot][workplan_core.workspace._snapshot.Snapshot], so an append committed meanwhile
    shows whole or not at all. O(r log r) for r records, plus the changes committed during
    the load.
    """
    snapshot = Snapshot(store)
    tables = [
        snapshot.scan(section.collection, _placed_as(section.cls)) for section in CHECKIN_SECTIONS
    ]
    snapshot.get(MIGRATIONS_COLLECTION, _ORDER_MIGRATION)
    snapshot.settle()
    marker = snapshot.got(MIGRATIONS_COLLECTION, _ORDER_MIGRATION)
    cadences, checkins, updates, events = (list(table.values()) for table in tables)
    boundary = None if marker is None else marker.seq
    return log_in_order(boundary, cadences, checkins, updates, events)


def _placed_as(cls: type[T]) -> Callable[[StoredRecord], tuple[int, str, T]]:
    """How a check-in collection reads a stored version: its sequence number, key and value."""

    def read(stored: StoredRecord) -> tuple[int, str, T]:
        return stored.seq, stored.key, load_stored(stored, cls)

    return read


def log_in_order(
    boundary: int | None,
    cadences: list[tuple[int, str, Cadence]],
    checkins: list[tuple[int, str, CheckIn]],
    updates: list[tuple[int, str, StatusUpdate]],
    events: list[tuple[int, str, ImpedimentEvent]],
) -> CheckinLog:
    """The check-in log of the records read from a store, applied in the order appended.

    `boundary` is the sequence number of the ``checkins.commit_order`` marker, read with the
    records (`None`: there is none). Each record comes with the sequence number and key of
    the stored version it was read from. Cadences and check-ins are added in commit order,
    and the status updates and impediment events, on their own or carried inside a check-in
    (at the check-in's place, in its order), are applied in it: a node's same-day updates and
    an impediment's same-day events come in the order appended, as in a log grown with the
    `add_*` methods while appending. Records committed before the ``checkins.commit_order``
    marker come first, in the order earlier releases applied (see the module's docs).
    O(r log r) for r records.
    """
    first = itemgetter(0)
    placed_updates = [
        (_place(seq, key, boundary, 0, j), update)
        for seq, key, checkin in checkins
        for j, update in enumerate(checkin.updates)
    ]
    placed_updates += [(_place(seq, key, boundary, 1, 0), update) for seq, key, update in updates]
    placed_events = [(_place(seq, key, boundary, 0, 0), event) for seq, key, event in events]
    placed_events += [
        (_place(seq, key, boundary, 1, j), event)
        for seq, key, checkin in checkins
        for j, event in enumerate(checkin.impediments)
    ]
    in_order: list[list[tuple[_Place, Any]]] = [
        sorted(
            ((_place(seq, key, boundary, 0, 0), record) for seq, key, record in pairs),
            key=first,
        )
        for pairs in (cadences, checkins)
    ]
    placed_updates.sort(key=first)
    placed_events.sort(key=first)
    return CheckinLog.from_records(
        cadences=[cadence for _, cadence in in_order[0]],
        checkins=[checkin for _, checkin in in_order[1]],
        updates=[update for _, update in placed_updates],
        impediment_events=[event for _, event in placed_events],
        carried=False,
    )
