"""The workspace: the facade that binds the domain to a store, for services and the CLI.

```python
from workplan_core.workspace import Workspace

with Workspace.open("sqlite:///plan.db") as workspace:
    workspace.save_organisation(org)          # one atomic batch
    same = workspace.load_organisation()      # an equal Organisation
    workspace.save_cascade(cascade)            # the nodes, by id and in order, and the config
    workspace.append_checkins(checkins=[...])  # append-only: ids must be new
    log = workspace.load_checkin_log()         # dashboards rebuilt from the store alone
```

Each tuple of the [Organisation][workplan_core.org.Organisation] lives in its own collection
(``org.people``, ``org.assignments``, …), one stamped record per key. A record's key is its
identity: its id (people, positions, cascade nodes, …), or for the memberships, which have
none, the JSON list of the fields that tell one from another (``["p-1","pos-3","2026-01-05"]``
for an assignment: person, position, start). So a record keeps its key whatever else changes
around it, and ``store.history("org.people", "p-17")`` is that person's audit trail. Loading
returns the tuples in the order they were saved: when a section is not in key order, its order
is kept as one more record (collection ``workspace.order``, keyed by the section's
collection), written only then.

Saving writes, in one atomic batch, only what the caller changed since the workspace last
loaded or saved (its *base*): changed and added records as new versions, dropped ones as
tombstones, each expecting the version seen then. A record left as it was keeps whatever
another process saved since, records others added stay, and a record both changed raises
[ConflictError][workplan_core.errors.ConflictError] with nothing written, instead of silently
undoing either change. Without a base, a save refuses to change or drop records it never saw
unless told to `overwrite`. Two records of one section with the same identity cannot be saved (a
[ValidationError][workplan_core.errors.ValidationError] names both).

Check-in records are appended, never saved over: each in its collection of
[CHECKIN_SECTIONS][workplan_core.workspace.CHECKIN_SECTIONS] under its id, beside small
records that claim every status update and impediment event id and keep each impediment's
head, so an append that would make the history unloadable is refused whole (see
[append_checkins][workplan_core.workspace.Workspace.append_checkins]).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from operator import lt
from types import TracebackType
from typing import Any, NamedTuple, Self

from workplan_core._collector import collector_paused
from workplan_core.cascade import DEFAULT_CONFIG, Cascade, CascadeConfig, Node
from workplan_core.checkins import (
    Cadence,
    CheckIn,
    CheckinLog,
    ImpedimentEvent,
    StatusUpdate,
    impediments_as_of,
)
from workplan_core.errors import ConflictError, Problem, ValidationError
from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)
from workplan_core.serialization import dump_record
from workplan_core.storage import (
    Commit,
    CorruptRecordError,
    Delete,
    JsonRecord,
    Put,
    Store,
    StoredRecord,
    Write,
    open_store,
)
from workplan_core.storage.encoding import MAX_KEY_LENGTH, name_problem
from workplan_core.storage.typed import load_stored

__all__ = [
    "CASCADE_CONFIG_SECTION",
    "CASCADE_SECTION",
    "CHECKIN_SECTIONS",
    "CORRECTION_HEADS",
    "EVENT_ID_CLAIMS",
    "IMPEDIMENT_HEADS",
    "MIGRATIONS_COLLECTION",
    "ORDER_COLLECTION",
    "ORGANISATION_SECTIONS",
    "UPDATE_ID_CLAIMS",
    "Section",
    "Workspace",
]


class Section(NamedTuple):
    """One tuple of a domain aggregate and the collection that holds its records.

    Attributes:
        field: the aggregate's attribute (e.g. ``"people"``).
        collection: the collection's name (e.g. ``"org.people"``).
        cls: the record class of the tuple's items.
        indexed: the fields the collection declares as indexed.
        identity: the fields whose values make a record's key: ``("id",)`` keys it by its
            id, several fields by the JSON list of their values, none by `field` (a
            section of one record).
    """

    field: str
    collection: str
    cls: type[Any]
    indexed: tuple[str, ...]
    identity: tuple[str, ...] = ("id",)

    def key(self, data: JsonRecord) -> str:
        """The key of a record of this section, from its stored dict."""
        identity = self.identity
        if identity == ("id",):
            return str(data["id"])
        if not identity:
            return self.field
        values = [data[name] for name in identity]
        return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


ORGANISATION_SECTIONS: tuple[Section, ...] = (
    Section("people", "org.people", Person, ("id",)),
    Section("job_titles", "org.job_titles", JobTitle, ("id",)),
    Section("roles", "org.roles", Role, ("id",)),
    Section("departments", "org.departments", Department, ("id", "parent_id")),
    Section("teams", "org.teams", Team, ("department_id", "id")),
    Section("positions", "org.positions", Position, ("department_id", "id", "reports_to")),
    Section(
        "assignments",
        "org.assignments",
        Assignment,
        ("person_id", "position_id"),
        ("person_id", "position_id", "start"),
    ),
    Section(
        "role_assignments",
        "org.role_assignments",
        RoleAssignment,
        ("person_id", "role_id"),
        ("person_id", "role_id", "start"),
    ),
    Section(
        "team_memberships",
        "org.team_memberships",
        TeamMembership,
        ("person_id", "team_id"),
        ("person_id", "team_id", "start"),
    ),
)
"""How an [Organisation][workplan_core.org.Organisation] is laid out in a store."""

CASCADE_SECTION = Section("nodes", "cascade.nodes", Node, ("id", "parent", "level"))
"""How a [Cascade][workplan_core.cascade.Cascade]'s nodes are laid out in a store (by id)."""

CASCADE_CONFIG_SECTION = Section("config", "cascade.config", CascadeConfig, (), ())
"""Where the cascade's [CascadeConfig][workplan_core.cascade.CascadeConfig] is kept (one record)."""

CHECKIN_SECTIONS: tuple[Section, ...] = (
    Section("cadences", "checkins.cadences", Cadence, ("manager_id",)),
    Section("checkins", "checkins.checkins", CheckIn, ("manager_id", "cadence_id")),
    Section("updates", "checkins.updates", StatusUpdate, ("node_id",)),
    Section(
        "impediment_events",
        "checkins.impediment_events",
        ImpedimentEvent,
        ("impediment_id", "node_id"),
    ),
)
"""The append-only collections of check-in records, each keyed by the record's id."""


ORDER_COLLECTION = "workspace.order"
"""Where a section's order is kept when it is not key order: one record per section's
collection, ``{"$type": "workspace.order", "$version": 1, "moved": [[position, key], …]}``."""

_ORDER_TYPE = "workspace.order"


def _ascending_run(keys: Sequence[str]) -> set[int]:
    """The positions of a longest run of keys in key order (not necessarily adjacent).

    Patience sorting: O(n log n) for n keys, all distinct.
    """
    tails: list[str] = []  # per run length, the smallest key that ends such a run
    ends: list[int] = []  # the position of that key
    before = [-1] * len(keys)  # per position, the previous position of its run
    for position, key in enumerate(keys):
        length = bisect.bisect_left(tails, key)
        if length == len(tails):
            tails.append(key)
            ends.append(position)
        else:
            tails[length] = key
            ends[length] = position
        before[position] = ends[length - 1] if length else -1
    run: set[int] = set()
    position = ends[-1] if ends else -1
    while position >= 0:
        run.add(position)
        position = before[position]
    return run


def _order_record(keys: Sequence[str]) -> JsonRecord | None:
    """The order record of a section with these keys; `None` when they are in key order.

    It lists only the keys outside a longest run in key order, each with its position: the
    others fill the remaining positions in key order. Records appended out of order, or a
    few moved, make a small record, and it changes only when those keys move.
    """
    if all(map(lt, keys, keys[1:])):
        return None
    run = _ascending_run(keys)
    moved = [[position, key] for position, key in enumerate(keys) if position not in run]
    return {"$type": _ORDER_TYPE, "$version": 1, "moved": moved}


def _moved(stored: StoredRecord) -> list[tuple[int, str]]:
    """The (position, key) pairs of an order record, checked."""
    record = stored.record or {}
    moved = record.get("moved")
    pairs: list[tuple[int, str]] = []
    if record.get("$type") == _ORDER_TYPE and type(moved) is list:
        for pair in moved:
            if type(pair) is not list or len(pair) != 2:
                break
            position, key = pair
            if type(position) is not int or type(key) is not str or position < 0:
                break
            if pairs and position <= pairs[-1][0]:
                break
            pairs.append((position, key))
        else:
            return pairs
    raise CorruptRecordError(
        stored.collection,
        stored.key,
        stored.version,
        "must list [position, key] pairs in increasing positions",
    )


def _in_order(items: dict[str, Any], moved: list[tuple[int, str]]) -> list[Any]:
    """The section's items (by key, in key order) put back in the order saved. O(n).

    Keys the order record lists but the collection lacks are skipped; items it does not
    place keep key order around the placed ones.
    """
    placed = [(position, items.pop(key)) for position, key in moved if key in items]
    rest = iter(items.values())
    ordered: list[Any] = []
    for position, item in placed:
        ordered.extend(itertools.islice(rest, max(position - len(ordered), 0)))
        ordered.append(item)
    ordered.extend(rest)
    return ordered


def _keyed(
    section: Section, records: Sequence[Any], problems: list[Problem]
) -> dict[str, tuple[Any, JsonRecord]]:
    """The section's records by key, in order: each with the dict it is stored as.

    A record whose key is not a valid store key (too long, say), or is the key of an
    earlier record, is left out and noted in `problems`.
    """
    keyed: dict[str, tuple[Any, JsonRecord]] = {}
    first: dict[str, int] = {}
    for position, record in enumerate(records):
        data = dump_record(record)
        key = section.key(data)
        rule = name_problem(key, MAX_KEY_LENGTH)
        if rule:
            shown = key if len(key) <= 60 else f"{key[:57]}..."
            problems.append(
                Problem(
                    f"$.{section.field}[{position}]",
                    f"its key {shown!r} (from {', '.join(section.identity) or 'its section'}) "
                    f"{rule}",
                )
            )
            continue
        if key in keyed:
            problems.append(
                Problem(
                    f"$.{section.field}[{position}]",
                    f"has the key {key!r} of $.{section.field}[{first[key]}] "
                    f"({', '.join(section.identity)}); each record needs its own",
                )
            )
            continue
        keyed[key] = (record, data)
        first[key] = position
    return keyed


class _Seen(NamedTuple):
    """A record as this workspace last saw it stored: its version and its value."""

    version: int
    value: Any


def _merge_writes(
    collection: str,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    base: dict[str, _Seen] | None,
    *,
    overwrite: bool,
    conflicts: list[tuple[str, str]],
) -> list[Write]:
    """The writes that save `mine` into `collection`, which holds `stored` now.

    With a `base` (what this workspace last loaded or saved), only what the caller changed
    since is written (see `_changed_writes`). Without one, see `_blind_writes`.
    """
    if base is None:
        return _blind_writes(collection, mine, stored, overwrite=overwrite, conflicts=conflicts)
    return _changed_writes(collection, mine, stored, base)


def _changed_writes(
    collection: str,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    base: dict[str, _Seen],
) -> list[Write]:
    """Write only what the caller changed since `base`, each expecting the version seen then.

    A record the caller left as it was stays as another writer may have changed it since, a
    record another writer added stays, and a record both changed is a conflict (the store
    refuses the write). A record the caller dropped is deleted unless it is gone already.
    """
    writes: list[Write] = []
    for key, (value, data) in mine.items():
        seen = base.get(key)
        if seen is None:
            writes.append(Put(collection, key, data, None))
        elif seen.value is not value and seen.value != value:
            writes.append(Put(collection, key, data, seen.version))
    for key, seen in base.items():
        if key not in mine and key in stored:
            writes.append(Delete(collection, key, seen.version))
    return writes


def _blind_writes(
    collection: str,
    mine: dict[str, tuple[Any, JsonRecord]],
    stored: dict[str, StoredRecord],
    *,
    overwrite: bool,
    conflicts: list[tuple[str, str]],
) -> list[Write]:
    """Write `mine` over a collection this workspace never saw.

    A record stored equal to the caller's is left alone; one that differs, or that is stored
    but not in `mine`, is another writer's data: noted in `conflicts`, or replaced (deleted)
    when `overwrite`.
    """
    writes: list[Write] = []
    rest = dict(stored)
    for key, (_, data) in mine.items():
        old = rest.pop(key, None)
        if old is None:
            writes.append(Put(collection, key, data, None))
        elif old.record != data:
            if overwrite:
                writes.append(Put(collection, key, data, old.version))
            else:
                conflicts.append((collection, key))
    for key, old in rest.items():
        if overwrite:
            writes.append(Delete(collection, key, old.version))
        else:
            conflicts.append((collection, key))
    return writes


def _seen_after(
    mine: dict[str, tuple[Any, JsonRecord]],
    base: dict[str, _Seen] | None,
    stored: dict[str, int],
    written: dict[str, int],
) -> dict[str, _Seen]:
    """What the workspace has seen of a collection after saving `mine` into it."""
    seen: dict[str, _Seen] = {}
    for key, (value, _) in mine.items():
        version = written.get(key)
        if version is not None:
            seen[key] = _Seen(version, value)
        elif base is not None and key in base:
            seen[key] = base[key]  # left as it was: the version and value seen before
        else:
            seen[key] = _Seen(stored[key], value)  # stored equal to it already
    return seen


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
key, position]}``, the latest correction of the original as a loaded log applies them (its
id, day, and place in the loading order: ``[0, check-in id, position]`` inside a check-in,
``[1, update id, 0]`` on its own). Each append that corrects the original rewrites it,
expecting the version read, so two concurrent corrections of one update cannot both pass."""

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
every stored update and event id are written."""

_CLAIMS_MIGRATION = "checkins.claims"

_DECLARED: tuple[tuple[str, tuple[str, ...]], ...] = (
    *((section.collection, section.indexed) for section in CHECKIN_SECTIONS),
    (EVENT_ID_CLAIMS, ("impediment_id",)),
)
"""The check-in collections that declare indexed fields, with those fields."""

_UpdateOrder = tuple[int, str, int]
"""Where a status update comes in a loaded log, among the corrections of one day: ``(0,
check-in id, position)`` inside a check-in (first, in check-in key order), ``(1, update id,
0)`` on its own (after them, in key order)."""

_BEFORE_ALL: _UpdateOrder = (-1, "", 0)
"""The place of an original: a loaded log applies the corrections after every original."""

_Order = tuple[int, str, int]
"""Where an event comes in a loaded log: ``(0, event id, 0)`` on its own (in key order),
``(1, check-in id, position)`` inside a check-in (after them, in check-in key order)."""


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
    order: _Order
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
        self.updates: list[_NewUpdate] = []  # those with valid new ids, in argument order
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
                self._event(event, f"$.checkins[{i}].impediments[{j}]", checkin.id, j)
        for i, update in enumerate(updates):
            if self._key("update", update.id, f"$.updates[{i}].id"):
                self.update_claims[update.id] = None
                self.updates.append(_NewUpdate(f"$.updates[{i}]", (1, update.id, 0), update))
        for i, event in enumerate(events):
            self._event(event, f"$.impediment_events[{i}]", None, 0)
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

    def _event(self, event: ImpedimentEvent, path: str, in_checkin: str | None, at: int) -> None:
        valid = self._key("impediment event", event.id, f"{path}.id")
        rule = name_problem(event.impediment_id, MAX_KEY_LENGTH)
        if rule:
            self.problems.append(Problem(f"{path}.impediment_id", f"{rule} (it is a store key)"))
        elif valid:
            self.event_claims[event.id] = (in_checkin, event.impediment_id)
            order = (0, event.id, 0) if in_checkin is None else (1, in_checkin, at)
            self.events.append(_NewEvent(path, order, event))

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
        """The records and their id claims, each expecting no record.

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
    """The latest version of a corrected original, as a loaded log applies them."""

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


class _Legacy:
    """What a store written before the id claims holds: the claims to write, once."""

    def __init__(self) -> None:
        self._writes: list[Write] = []
        self.update_ids: set[str] = set()
        self.event_ids: set[str] = set()
        self.events: list[tuple[_Order, ImpedimentEvent]] = []  # those of touched impediments
        self.claims: dict[str, _Claim] = {}
        self.heads: dict[str, _Head] = {}

    @classmethod
    def read(cls, store: Store, touched: Sequence[str]) -> _Legacy:
        """Read every stored check-in, update and event id; O(stored records), once."""
        legacy, wanted = cls(), set(touched)
        checkins, updates, events = (section.collection for section in CHECKIN_SECTIONS[1:])
        found: list[tuple[_UpdateOrder, str | None, StatusUpdate]] = []
        for stored in store.scan(checkins):
            checkin = load_stored(stored, CheckIn)
            found.extend(((0, checkin.id, j), checkin.id, u) for j, u in enumerate(checkin.updates))
            for j, event in enumerate(checkin.impediments):
                legacy._event(event, checkin.id, (1, checkin.id, j), wanted)
        for stored in store.scan(updates):
            found.append(((1, stored.key, 0), None, load_stored(stored, StatusUpdate)))
        for stored in store.scan(events):
            event = load_stored(stored, ImpedimentEvent)
            legacy._event(event, None, (0, stored.key, 0), wanted)
        legacy._updates(found)
        marker = {"$type": "workspace.migration", "$version": 1}
        legacy._writes.append(Put(MIGRATIONS_COLLECTION, _CLAIMS_MIGRATION, marker))
        return legacy

    def _updates(self, found: list[tuple[_UpdateOrder, str | None, StatusUpdate]]) -> None:
        """Claim the stored updates, and note the latest version of each corrected original.

        Corrections are resolved in the order a loaded log applies them (originals first, then
        corrections by day and place); one that a loaded log could not apply is claimed as an
        original.
        """
        # ids that cannot be keys, or stored twice already, cannot be claimed (again)
        first: dict[str, tuple[_UpdateOrder, str | None, StatusUpdate]] = {}
        for item in found:
            key = item[2].id
            if key not in first and not name_problem(key, MAX_KEY_LENGTH):
                first[key] = item
        fixes = sorted((i for i in first.values() if i[2].corrects is not None), key=_fix_order)
        for _, _, update in first.values():
            if update.corrects is None:
                self.claims[update.id] = _Claim(update.node_id, update.on, None)
        for order, _, update in fixes:
            target = self.claims.get(update.corrects or "")
            root = None
            if target is not None and target.node_id == update.node_id:
                root = target.root or update.corrects
                self.heads[root or ""] = _Head(update.id, update.on, order, None)
            self.claims[update.id] = _Claim(update.node_id, update.on, root)
        for key, (_, in_checkin, update) in first.items():
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
        self, event: ImpedimentEvent, in_checkin: str | None, order: _Order, wanted: set[str]
    ) -> None:
        if event.impediment_id in wanted:
            self.events.append((order, event))
        key = event.id
        if key not in self.event_ids and not name_problem(key, MAX_KEY_LENGTH):
            self.event_ids.add(key)
            claim = _event_claim(in_checkin, event.impediment_id)
            self._writes.append(Put(EVENT_ID_CLAIMS, key, claim))


def _fix_order(item: tuple[_UpdateOrder, str | None, StatusUpdate]) -> tuple[dt.date, _UpdateOrder]:
    return item[2].on, item[0]


class _Corrections:
    """The corrections of one call checked against the claims and heads (stored or backfilled).

    Corrections are taken in argument order; each must name an update of its node that is
    stored, an original of the call, or a correction given before it in the call, and come
    after the latest version of its original as a loaded log applies them: not on an earlier
    day, and on the same day not before it in loading order.
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
            return Problem(
                f"{path}.corrects",
                f"{target!r} is an update of node {claim.node_id!r}; a correction must be of "
                "the same node",
            )
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
        if update.on == head.on and new.order < head.order:
            return Problem(
                f"{path}.on",
                f"is the day of {about}, and a loaded log would apply this correction before "
                "it (same-day corrections are applied check-ins first, by check-in id, then "
                "updates alone, by id): record it a day later",
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


def _stored_events(store: Store, touched: Sequence[str]) -> list[tuple[_Order, ImpedimentEvent]]:
    """The stored events of the `touched` impediments, found through their claims.

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
        ((0, stored.key, 0), load_stored(stored, ImpedimentEvent))
        for stored in store.get_many(events, alone).values()
    ]
    wanted = set(touched)
    for stored in store.get_many(checkins, sorted(carriers)).values():
        checkin = load_stored(stored, CheckIn)
        found.extend(
            ((1, stored.key, j), event)
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


def _at(path: str) -> tuple[int, str]:
    """The event index and the rest of a path ``$[i]…`` of `impediments_as_of`."""
    end = path.index("]")
    return int(path[2:end]), path[end + 1 :]


def _lifecycle_problems(
    stored: list[tuple[_Order, ImpedimentEvent]], new: list[_NewEvent]
) -> list[Problem]:
    """The problems the new events make in their impediments' histories, at their paths.

    The events are folded in the order a loaded log folds them. A problem the stored events
    had already is not the call's; a new one at a stored event (a new raise before a stored
    one, say) is reported at the first new event of that impediment. O(e log e) for e events.
    """
    if not new:
        return []
    rows: list[tuple[_Order, ImpedimentEvent, str | None]] = [
        *((order, event, None) for order, event in stored),
        *((item.order, item.event, item.path) for item in new),
    ]
    rows.sort(key=lambda row: row[0])
    try:
        impediments_as_of([event for _, event, _ in rows])
    except ValidationError as error:
        found = error.problems
    else:
        return []
    first: dict[str, str] = {}
    for item in new:
        first.setdefault(item.event.impediment_id, item.path)
    before: set[tuple[str, str, str]] = set()
    if any(rows[_at(p.path)[0]][2] is None for p in found):
        stored.sort(key=lambda pair: pair[0])
        try:
            impediments_as_of([event for _, event in stored])
        except ValidationError as error:
            for problem in error.problems:
                index, rest = _at(problem.path)
                before.add((stored[index][1].id, rest, problem.message))
    problems: list[Problem] = []
    for problem in found:
        index, rest = _at(problem.path)
        _, event, path = rows[index]
        if path is not None:
            problems.append(Problem(path + rest, problem.message))
        elif (event.id, rest, problem.message) not in before:
            where = f"{rest[1:]}: " if rest else ""
            message = f"makes the stored event {event.id!r} inconsistent: {where}{problem.message}"
            problems.append(Problem(first[event.impediment_id], message))
    return problems


def _heads(
    read: dict[str, StoredRecord],
    stored: list[tuple[_Order, ImpedimentEvent]],
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


class Workspace:
    """A store with the domain's aggregates on top: save and load them in one call each.

    Args:
        store: the store to use; the workspace closes it when it is closed.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # collection -> key -> the record as last loaded or saved here (none: never seen)
        self._seen: dict[str, dict[str, _Seen]] = {}
        # collection -> its order record as last loaded or saved here ({}: it had none)
        self._orders: dict[str, dict[str, _Seen]] = {}

    @classmethod
    def open(cls, url: str | None = None) -> Workspace:
        """Open a workspace on the store named by `url`.

        Args:
            url: a store URL (``memory://``, ``sqlite:///plan.db``, ``postgresql://…``); when
                `None`, ``WORKPLAN_STORE`` or else ``sqlite:///workplan.db`` (see
                [open_store][workplan_core.storage.registry.open_store]).
        """
        return cls(open_store(url))

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ organisation

    def save_organisation(self, organisation: Organisation, *, overwrite: bool = False) -> Commit:
        """Store what changed in `organisation` in one atomic batch; O(records).

        What is written depends on what this workspace last loaded or saved (its *base*):
        a record the caller changed, added or dropped since then is written (each write
        expecting the version seen then), a record left as it was is not, and records other
        writers changed or added meanwhile stay as they are. Without a base (nothing loaded or
        saved yet), the save must not change or drop records it never saw: load first, or
        pass `overwrite`.

        Args:
            organisation: the organisation to store.
            overwrite: without a base, replace whatever is stored (dropping records that
                `organisation` lacks) instead of refusing.

        Returns:
            What the batch wrote (empty when nothing changed).

        Raises:
            ConflictError: another writer changed or deleted a record this save changes, or
                added one under the same key; without a base and `overwrite`, the store holds
                records that differ. Every such key is listed and nothing is written.
            ValidationError: two records have one key, or a key the store cannot take.
        """
        parts = [(s, getattr(organisation, s.field)) for s in ORGANISATION_SECTIONS]
        return self._save_sections(parts, "organisation", overwrite)

    @collector_paused(settle=True)  # many records, no reference cycles, some kept as the base
    def _save_sections(
        self, parts: Iterable[tuple[Section, Sequence[Any]]], aggregate: str, overwrite: bool
    ) -> Commit:
        """Write what changed in the sections in one atomic batch; remember what was saved."""
        problems: list[Problem] = []
        keyed = [(section, _keyed(section, records, problems)) for section, records in parts]
        if problems:
            raise ValidationError(problems, summary=f"cannot save the {aggregate}")
        writes: list[Write] = []
        conflicts: list[tuple[str, str]] = []
        versions: dict[str, dict[str, int]] = {}
        orders: dict[str, dict[str, tuple[Any, JsonRecord]]] = {}
        for section, mine in keyed:
            collection = section.collection
            stored = {r.key: r for r in self.store.scan(collection)}
            versions[collection] = {key: r.version for key, r in stored.items()}
            base = self._seen.get(collection)
            writes += _merge_writes(
                collection, mine, stored, base, overwrite=overwrite, conflicts=conflicts
            )
            order = _order_record(list(mine))
            orders[collection] = {} if order is None else {collection: (order, order)}
            current = self.store.get(ORDER_COLLECTION, collection)
            now = {} if current is None else {collection: current}
            versions[f"{ORDER_COLLECTION}/{collection}"] = (
                {} if current is None else {collection: current.version}
            )
            seen = self._orders.get(collection)
            writes += _merge_writes(
                ORDER_COLLECTION,
                orders[collection],
                now,
                seen,
                overwrite=overwrite,
                conflicts=conflicts,
            )
        if conflicts:
            raise ConflictError(
                f"{len(conflicts)} record(s) are stored differently from what this workspace "
                f"last loaded or saved; load the {aggregate} again (or save it with "
                "overwrite=True to replace what is stored)",
                conflicts,
            )
        for section, _ in keyed:
            if self.store.indexed_fields(section.collection) != tuple(sorted(section.indexed)):
                self.store.declare(section.collection, indexed=section.indexed)
        commit = self.store.write(writes)
        written: dict[str, dict[str, int]] = {}
        for write, version in zip(writes, commit.versions, strict=True):
            slot = write.collection
            if slot == ORDER_COLLECTION:
                slot = f"{ORDER_COLLECTION}/{write.key}"
            written.setdefault(slot, {})[write.key] = version
        for section, mine in keyed:
            collection = section.collection
            self._seen[collection] = _seen_after(
                mine, self._seen.get(collection), versions[collection], written.get(collection, {})
            )
            slot = f"{ORDER_COLLECTION}/{collection}"
            self._orders[collection] = _seen_after(
                orders[collection],
                self._orders.get(collection),
                versions[slot],
                written.get(slot, {}),
            )
        return commit

    @collector_paused(settle=True)  # many long-lived records, no reference cycles
    def load_organisation(self) -> Organisation:
        """Read the stored organisation (an empty one if none was saved); O(records).

        Records written by an older version of the library are upcast on the way.

        Raises:
            CorruptRecordError: a stored record cannot be read (its collection and key are
                named).
        """
        parts = {s.field: tuple(self._load_section(s)) for s in ORGANISATION_SECTIONS}
        return Organisation(**parts)

    # ------------------------------------------------------------------ cascade

    def save_cascade(self, cascade: Cascade, *, overwrite: bool = False) -> Commit:
        """Store what changed in the cascade's nodes and configuration in one atomic batch.

        Like `save_organisation` (the same base, conflicts and `overwrite`). O(nodes).
        """
        parts = [(CASCADE_SECTION, cascade.nodes), (CASCADE_CONFIG_SECTION, (cascade.config,))]
        return self._save_sections(parts, "cascade", overwrite)

    @collector_paused(settle=True)  # many long-lived records, no reference cycles
    def load_cascade(self, config: CascadeConfig | None = None) -> Cascade:
        """Read the stored cascade and check it against its configuration; O(nodes).

        Args:
            config: check against this configuration instead of the stored one (without a
                stored one: [DEFAULT_CONFIG][workplan_core.cascade.DEFAULT_CONFIG]).

        Raises:
            ValidationError: the stored nodes break a rule of the configuration.
        """
        nodes = self._load_section(CASCADE_SECTION)
        stored = self._load_section(CASCADE_CONFIG_SECTION)
        chosen = config or (stored[0] if stored else DEFAULT_CONFIG)
        return Cascade(nodes, chosen)

    def _load_section(self, section: Section) -> list[Any]:
        """The section's records in the order saved, remembering the versions read. O(records).

        Records that the section's order record does not expect (written into the
        collection by other means) take the free places in key order.
        """
        collection = section.collection
        seen: dict[str, _Seen] = {}
        items: dict[str, Any] = {}
        for stored in self.store.scan(collection):
            item = items[stored.key] = load_stored(stored, section.cls)
            seen[stored.key] = _Seen(stored.version, item)
        self._seen[collection] = seen
        order = self.store.get(ORDER_COLLECTION, collection)
        self._orders[collection] = (
            {} if order is None else {collection: _Seen(order.version, order.record)}
        )
        if order is None:
            return list(items.values())
        return _in_order(items, _moved(order))

    # ------------------------------------------------------------------ check-ins

    def append_checkins(
        self,
        *,
        cadences: Iterable[Cadence] = (),
        checkins: Iterable[CheckIn] = (),
        updates: Iterable[StatusUpdate] = (),
        impediment_events: Iterable[ImpedimentEvent] = (),
    ) -> Commit:
        """Append check-in records in one atomic batch; history is never overwritten.

        Every record is written under its id and must be new, and so must every status update
        and impediment event id, whether the record stands alone or is carried inside a
        check-in: each such id is claimed by a record in
        [UPDATE_ID_CLAIMS][workplan_core.workspace.UPDATE_ID_CLAIMS] or
        [EVENT_ID_CLAIMS][workplan_core.workspace.EVENT_ID_CLAIMS], written in the same
        batch, so the store refuses a reused id even from a concurrent writer. The new
        impediment events must keep the lifecycle rules of
        [impediments_as_of][workplan_core.checkins.impediments.impediments_as_of] together
        with the stored events of the impediments they change (found through the claims), and
        each impediment changed has its head in
        [IMPEDIMENT_HEADS][workplan_core.workspace.IMPEDIMENT_HEADS] rewritten expecting the
        version read, so two concurrent appends to one impediment cannot both pass. A
        correction (an update with `corrects`) must name an update of its node that is stored,
        an original of the call or a correction given before it in the call, and must come
        after the latest version of the original it corrects as a loaded log applies them: not
        on an earlier day, nor on the same day before it in loading order. Its claim records
        its node, day and original, and each corrected original has a head in
        [CORRECTION_HEADS][workplan_core.workspace.CORRECTION_HEADS] rewritten expecting the
        version read, so two concurrent corrections of one update cannot both pass. Whatever
        is refused, nothing is written and no declaration changes.

        A store written before the claims existed gets the claims of every stored update and
        event id with its first append here, in the same batch (a one-time O(stored records)
        pass, noted by a record in
        [MIGRATIONS_COLLECTION][workplan_core.workspace.MIGRATIONS_COLLECTION]).

        O(r + s) for the r records given and the s stored events of the impediments they
        change, with one indexed scan per impediment changed and a few batched reads of the
        claims and heads of the updates corrected; the rest of the history is not read.

        Raises:
            ValidationError: an argument is not an iterable of its record type, an id is
                not a valid key or is given twice in the call, the new impediment events
                break the lifecycle rules, or a correction names an unknown update or one of
                another node, or comes before the latest version it corrects; every problem
                is listed at its path in the call's arguments (``$.checkins[1].id``,
                ``$.impediment_events[0].impediment_id``, ``$.updates[0].corrects``,
                ``$.checkins[1].updates[0].on``, …).
            ConflictError: an id is already stored (the collections and keys are listed),
                or another writer appended to the same impediment, or corrected the same
                update, meanwhile.
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
        store = self.store
        migrated = store.get(MIGRATIONS_COLLECTION, _CLAIMS_MIGRATION) is not None
        # the heads first: a writer changing these impediments after this read conflicts
        heads = store.get_many(IMPEDIMENT_HEADS, call.touched) if call.touched else {}
        legacy = _Legacy() if migrated else _Legacy.read(store, call.touched)
        stored = _stored_events(store, call.touched) if migrated else legacy.events
        conflicts = _existing(store, call, legacy)
        if conflicts:
            raise ConflictError(
                f"{len(conflicts)} id(s) of this append are already stored (ids must be "
                "new); nothing was written",
                conflicts,
            )
        problems = _lifecycle_problems(stored, call.events)
        if problems:
            raise ValidationError(problems, summary="cannot append the impediment events")
        corrections = _Corrections(store, call, None if migrated else legacy)
        if corrections.problems:
            raise ValidationError(corrections.problems, summary="cannot append the corrections")
        corrected = [write.key for write in corrections.writes]
        writes = [
            *call.writes(corrections.roots),
            *_heads(heads, stored, call.events),
            *corrections.writes,
            *legacy.writes(corrected),
        ]
        for collection, indexed in _DECLARED:
            if store.indexed_fields(collection) != tuple(sorted(indexed)):
                store.declare(collection, indexed=indexed)
        return self.store.write(writes)

    @collector_paused(settle=True)  # many long-lived records, no reference cycles
    def load_checkin_log(self) -> CheckinLog:
        """Rebuild the check-in log from the store alone; O(records · log)."""
        parts = [
            [load_stored(stored, section.cls) for stored in self.store.scan(section.collection)]
            for section in CHECKIN_SECTIONS
        ]
        cadences, checkins, updates, events = parts
        return CheckinLog.from_records(
            cadences=cadences, checkins=checkins, updates=updates, impediment_events=events
        )
