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

Saving writes only the records that differ from what is stored (each change becomes a new
version, so the history shows real changes), deletes the records no longer there, and does it
all in one atomic batch. After a load, a save expects the versions it loaded: if another
process saved changes to the same records in between, the save raises
[ConflictError][workplan_core.errors.ConflictError] and writes nothing, instead of silently
undoing them. Two records of one section with the same identity cannot be saved (a
[ValidationError][workplan_core.errors.ValidationError] names both).
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterable, Sequence
from operator import lt
from types import TracebackType
from typing import Any, NamedTuple, Self

from workplan_core.cascade import DEFAULT_CONFIG, Cascade, CascadeConfig, Node
from workplan_core.checkins import Cadence, CheckIn, CheckinLog, ImpedimentEvent, StatusUpdate
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
    "ORDER_COLLECTION",
    "ORGANISATION_SECTIONS",
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
) -> dict[str, JsonRecord]:
    """The section's records as stored dicts by key, in order.

    A record whose key is not a valid store key (too long, say), or is the key of an
    earlier record, is left out and noted in `problems`.
    """
    keyed: dict[str, JsonRecord] = {}
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
        keyed[key] = data
        first[key] = position
    return keyed


def _writes(
    collection: str,
    records: dict[str, JsonRecord],
    stored: dict[str, StoredRecord],
    loaded: dict[str, int] | None,
    conflicts: list[tuple[str, str]],
) -> list[Write]:
    """The writes that make `collection` hold `records` where it holds `stored` now.

    With `loaded` (the versions a load saw), every write expects what was loaded, and a key
    stored since then that would be deleted is noted in `conflicts` instead.
    """
    writes: list[Write] = []
    for key, data in records.items():
        old = stored.pop(key, None)
        if old is None:
            expected = None if loaded is None else loaded.get(key)
            writes.append(Put(collection, key, data, expected))
        elif old.record != data:
            expected = old.version if loaded is None else loaded.get(key)
            writes.append(Put(collection, key, data, expected))
    for key, old in stored.items():
        if loaded is not None and key not in loaded:
            conflicts.append((collection, key))
            continue
        writes.append(Delete(collection, key, old.version if loaded is None else loaded[key]))
    return writes


class Workspace:
    """A store with the domain's aggregates on top: save and load them in one call each.

    Args:
        store: the store to use; the workspace closes it when it is closed.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._loaded: dict[str, dict[str, int]] = {}  # collection -> key -> version loaded
        self._orders: dict[str, dict[str, int]] = {}  # collection -> its order record's version

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

    def save_organisation(self, organisation: Organisation) -> Commit:
        """Store `organisation` in one atomic batch; O(records).

        Returns:
            What the batch wrote (empty when nothing changed).

        Raises:
            ConflictError: after `load_organisation`, another writer changed, added or
                deleted records that this save would change; nothing was written.
        """
        parts = [(s, getattr(organisation, s.field)) for s in ORGANISATION_SECTIONS]
        return self._save_sections(parts, "organisation")

    def _save_sections(
        self, parts: Iterable[tuple[Section, Sequence[Any]]], aggregate: str
    ) -> Commit:
        """Write the sections' records in one atomic batch; remember the versions written."""
        problems: list[Problem] = []
        keyed = [(section, _keyed(section, records, problems)) for section, records in parts]
        if problems:
            raise ValidationError(problems, summary=f"cannot save the {aggregate}")
        writes: list[Write] = []
        conflicts: list[tuple[str, str]] = []
        for section, records in keyed:
            collection = section.collection
            stored = {r.key: r for r in self.store.scan(collection)}
            loaded = self._loaded.get(collection)
            writes.extend(_writes(collection, records, stored, loaded, conflicts))
            order = _order_record(list(records))
            wanted = {} if order is None else {collection: order}
            current = self.store.get(ORDER_COLLECTION, collection)
            now = {} if current is None else {collection: current}
            seen = self._orders.get(collection)
            writes.extend(_writes(ORDER_COLLECTION, wanted, now, seen, conflicts))
        if conflicts:
            raise ConflictError(
                f"{len(conflicts)} record(s) were added by another writer since the "
                f"{aggregate} was loaded; load it again",
                conflicts,
            )
        for section, _ in keyed:
            if self.store.indexed_fields(section.collection) != tuple(sorted(section.indexed)):
                self.store.declare(section.collection, indexed=section.indexed)
        commit = self.store.write(writes)
        for write, version in zip(writes, commit.versions, strict=True):
            if write.collection == ORDER_COLLECTION:
                known = self._orders.get(write.key)
            else:
                known = self._loaded.get(write.collection)
            if known is not None:
                known[write.key] = version
        return commit

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

    def save_cascade(self, cascade: Cascade) -> Commit:
        """Store the cascade's nodes, in order, and its configuration in one atomic batch.

        Like `save_organisation`: only changed records are written, and after `load_cascade`
        a concurrent change raises [ConflictError][workplan_core.errors.ConflictError].
        O(nodes).
        """
        parts = [(CASCADE_SECTION, cascade.nodes), (CASCADE_CONFIG_SECTION, (cascade.config,))]
        return self._save_sections(parts, "cascade")

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
        versions: dict[str, int] = {}
        items: dict[str, Any] = {}
        for stored in self.store.scan(collection):
            items[stored.key] = load_stored(stored, section.cls)
            versions[stored.key] = stored.version
        self._loaded[collection] = versions
        order = self.store.get(ORDER_COLLECTION, collection)
        self._orders[collection] = {} if order is None else {collection: order.version}
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

        Every record is written under its id and must be new: if any id is already stored,
        [ConflictError][workplan_core.errors.ConflictError] lists every such key and nothing
        is written. O(records).
        """
        batches: tuple[Iterable[Cadence | CheckIn | StatusUpdate | ImpedimentEvent], ...] = (
            cadences,
            checkins,
            updates,
            impediment_events,
        )
        writes: list[Write] = []
        for section, records in zip(CHECKIN_SECTIONS, batches, strict=True):
            self.store.declare(section.collection, indexed=section.indexed)
            writes.extend(
                Put(section.collection, record.id, dump_record(record)) for record in records
            )
        return self.store.write(writes)

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
