"""The workspace: the facade that binds the domain to a store, for services and the CLI.

```python
from workplan_core.workspace import Workspace

with Workspace.open("sqlite:///plan.db") as workspace:
    workspace.save_organisation(org)          # one atomic batch
    same = workspace.load_organisation()      # an equal Organisation
    workspace.save_cascade(cascade)            # the nodes, in order, and the config
    workspace.append_checkins(checkins=[...])  # append-only: ids must be new
    log = workspace.load_checkin_log()         # dashboards rebuilt from the store alone
```

Each tuple of the [Organisation][workplan_core.org.Organisation] lives in its own collection
(``org.people``, ``org.assignments``, …), one stamped record per key. A record's key is its
position in the tuple, zero-padded (``000000042``), so loading returns the tuples in the order
they were saved and the loaded organisation equals the saved one.

Saving writes only the records that differ from what is stored (each change becomes a new
version, so the history shows real changes), deletes the records beyond the new tuples'
lengths, and does it all in one atomic batch. After `load_organisation`, a save expects the
versions it loaded: if another process saved changes to the same records in between, the save
raises [ConflictError][workplan_core.errors.ConflictError] and writes nothing, instead of
silently undoing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Any, NamedTuple, Self

from workplan_core.cascade import DEFAULT_CONFIG, Cascade, CascadeConfig, Node
from workplan_core.checkins import Cadence, CheckIn, CheckinLog, ImpedimentEvent, StatusUpdate
from workplan_core.errors import ConflictError
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
from workplan_core.storage import Commit, Delete, Put, Store, Write, open_store
from workplan_core.storage.typed import load_stored

__all__ = [
    "CASCADE_CONFIG_SECTION",
    "CASCADE_SECTION",
    "CHECKIN_SECTIONS",
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
    """

    field: str
    collection: str
    cls: type[Any]
    indexed: tuple[str, ...]


ORGANISATION_SECTIONS: tuple[Section, ...] = (
    Section("people", "org.people", Person, ("id",)),
    Section("job_titles", "org.job_titles", JobTitle, ("id",)),
    Section("roles", "org.roles", Role, ("id",)),
    Section("departments", "org.departments", Department, ("id", "parent_id")),
    Section("teams", "org.teams", Team, ("department_id", "id")),
    Section("positions", "org.positions", Position, ("department_id", "id", "reports_to")),
    Section("assignments", "org.assignments", Assignment, ("person_id", "position_id")),
    Section("role_assignments", "org.role_assignments", RoleAssignment, ("person_id", "role_id")),
    Section("team_memberships", "org.team_memberships", TeamMembership, ("person_id", "team_id")),
)
"""How an [Organisation][workplan_core.org.Organisation] is laid out in a store."""

CASCADE_SECTION = Section("nodes", "cascade.nodes", Node, ("id", "parent", "level"))
"""How a [Cascade][workplan_core.cascade.Cascade]'s nodes are laid out in a store (in order)."""

CASCADE_CONFIG_SECTION = Section("config", "cascade.config", CascadeConfig, ())
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


def _key(position: int) -> str:
    return f"{position:09d}"


class Workspace:
    """A store with the domain's aggregates on top: save and load them in one call each.

    Args:
        store: the store to use; the workspace closes it when it is closed.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._loaded: dict[str, dict[str, int]] = {}  # collection -> key -> version loaded

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
        self, parts: Iterable[tuple[Section, tuple[Any, ...]]], aggregate: str
    ) -> Commit:
        """Write the sections' records in one atomic batch; remember the versions written."""
        writes: list[Write] = []
        conflicts: list[tuple[str, str]] = []
        for section, records in parts:
            self.store.declare(section.collection, indexed=section.indexed)
            writes.extend(self._section_writes(section, records, conflicts))
        if conflicts:
            raise ConflictError(
                f"{len(conflicts)} record(s) were added by another writer since the "
                f"{aggregate} was loaded; load it again",
                conflicts,
            )
        commit = self.store.write(writes)
        for write, version in zip(writes, commit.versions, strict=True):
            seen = self._loaded.get(write.collection)
            if seen is not None:
                seen[write.key] = version
        return commit

    def _section_writes(
        self, section: Section, records: tuple[Any, ...], conflicts: list[tuple[str, str]]
    ) -> list[Write]:
        """The writes that make the section's collection hold `records`, in order."""
        collection = section.collection
        stored = {r.key: r for r in self.store.scan(collection)}
        loaded = self._loaded.get(collection)
        writes: list[Write] = []
        for position, record in enumerate(records):
            key = _key(position)
            data = dump_record(record)
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
        """The section's records in key order, remembering the versions read. O(records)."""
        versions: dict[str, int] = {}
        items = []
        for stored in self.store.scan(section.collection):
            items.append(load_stored(stored, section.cls))
            versions[stored.key] = stored.version
        self._loaded[section.collection] = versions
        return items

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
