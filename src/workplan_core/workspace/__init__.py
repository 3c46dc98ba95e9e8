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

from collections.abc import Iterable, Sequence
from typing import Any

from workplan_core._collector import collector_paused
from workplan_core.cascade import DEFAULT_CONFIG, Cascade, CascadeConfig
from workplan_core.checkins import Cadence, CheckIn, CheckinLog, ImpedimentEvent, StatusUpdate
from workplan_core.errors import ValidationError
from workplan_core.org import Organisation
from workplan_core.storage import ClosesOnExit, Commit, Store, open_store

# named in a Raises section below; mkdocstrings links it through this module's imports
from workplan_core.storage import CorruptRecordError as CorruptRecordError
from workplan_core.workspace._aggregates import cascade_problems, organisation_problems
from workplan_core.workspace._base import Base
from workplan_core.workspace._checkins import (
    CORRECTION_HEADS,
    EVENT_ID_CLAIMS,
    IMPEDIMENT_HEADS,
    MIGRATIONS_COLLECTION,
    UPDATE_ID_CLAIMS,
    append_checkins,
    read_checkin_log,
)
from workplan_core.workspace._load import load_sections
from workplan_core.workspace._merge import HEADS_COLLECTION, MergedCheck, save_sections
from workplan_core.workspace._order import ORDER_COLLECTION

# the order-record helpers stay importable from here, as before the split
from workplan_core.workspace._order import _in_order as _in_order
from workplan_core.workspace._order import _moved as _moved
from workplan_core.workspace._order import _order_record as _order_record
from workplan_core.workspace._sections import (
    CASCADE_CONFIG_SECTION,
    CASCADE_SECTION,
    CHECKIN_SECTIONS,
    ORGANISATION_SECTIONS,
    Section,
)

__all__ = [
    "CASCADE_CONFIG_SECTION",
    "CASCADE_SECTION",
    "CHECKIN_SECTIONS",
    "CORRECTION_HEADS",
    "EVENT_ID_CLAIMS",
    "HEADS_COLLECTION",
    "IMPEDIMENT_HEADS",
    "MIGRATIONS_COLLECTION",
    "ORDER_COLLECTION",
    "ORGANISATION_SECTIONS",
    "UPDATE_ID_CLAIMS",
    "Section",
    "Workspace",
]


class Workspace(ClosesOnExit):
    """A store with the domain's aggregates on top: save and load them in one call each.

    A workspace remembers what it last loaded or saved (its base) to merge later saves with
    other writers' changes: use one per unit of work (a request, a job), not one shared by
    concurrent requests or threads, whose loads and saves would mix up one base.

    Args:
        store: the store to use; the workspace closes it when it is closed.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # collection -> what this workspace last loaded or saved of it (none: never seen)
        self._bases: dict[str, Base] = {}

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

    # ------------------------------------------------------------------ organisation

    def save_organisation(self, organisation: Organisation, *, overwrite: bool = False) -> Commit:
        """Store what changed in `organisation` in one atomic batch; O(records).

        What is written depends on what this workspace last loaded or saved (its *base*):
        a record the caller changed, added or dropped since then is written (each write
        expecting the version seen then), a record left as it was is not, and records other
        writers changed or added meanwhile stay as they are. Without a base (nothing loaded or
        saved yet), the save must not change or drop records it never saw: load first, or
        pass `overwrite`. After a `ConflictError`, load again and apply your changes to what
        the load returns: saving the value you had would undo the other writers' changes.

        The merge is record by record, so when other writers changed the organisation since
        the base, the whole it would leave is checked too (O(n log n)): a save that keeps the
        rules on its own but breaks them merged (it drops a person another writer has just
        given a team membership) is refused with `ConflictError`. The save declares the
        indexed fields its collections need, before writing (also when the write is then
        refused), and never removes fields declared by others.

        Args:
            organisation: the organisation to store.
            overwrite: replace whatever is stored (dropping records that `organisation`
                lacks, and undoing other writers' changes) instead of merging with it or
                refusing.

        Returns:
            What the batch wrote (empty when nothing changed).

        Raises:
            ConflictError: another writer changed or deleted a record this save changes, or
                added one under the same key; without a base and `overwrite`, the store holds
                records that differ; or the merge with other writers' changes would break the
                organisation's rules. Every such key is listed and nothing is written.
            ValidationError: two records have one key, or a key the store cannot take.
        """
        parts = [(s, getattr(organisation, s.field)) for s in ORGANISATION_SECTIONS]
        return self._save_sections(parts, "organisation", overwrite, organisation_problems)

    @collector_paused(settle=True)  # many records, no reference cycles, some kept as the base
    def _save_sections(
        self,
        parts: Iterable[tuple[Section, Sequence[Any]]],
        aggregate: str,
        overwrite: bool,
        check: MergedCheck | None,
    ) -> Commit:
        """Write what changed in the sections in one atomic batch; remember what was saved."""
        return save_sections(
            self.store, self._bases, parts, aggregate, overwrite=overwrite, check=check
        )

    @collector_paused(settle=True)  # many long-lived records, no reference cycles
    def load_organisation(self) -> Organisation:
        """Read the stored organisation (an empty one if none was saved); O(records).

        Records written by an older version of the library are upcast on the way. What was
        read becomes this workspace's base only when the load succeeds. The load returns the
        organisation as it stood at one moment, even while others write: it reads one
        collection after another, then applies every change committed meanwhile (found
        through the store's change feed), so another writer's save shows whole or not at all.

        Raises:
            CorruptRecordError: a stored record cannot be read (its collection and key are
                named).
        """
        loaded, bases = load_sections(self.store, ORGANISATION_SECTIONS, self._bases)
        parts = {
            s.field: tuple(items) for s, items in zip(ORGANISATION_SECTIONS, loaded, strict=True)
        }
        organisation = Organisation(**parts)
        self._remember(bases)
        return organisation

    # ------------------------------------------------------------------ cascade

    def save_cascade(self, cascade: Cascade, *, overwrite: bool = False) -> Commit:
        """Store what changed in the cascade's nodes and configuration in one atomic batch.

        Like `save_organisation` (the same base, conflicts and `overwrite`): a save whose
        changes, merged with other writers', would leave a cascade that breaks its rules (a
        task under a goal this save drops) is refused with `ConflictError`. O(nodes).
        """
        parts = [(CASCADE_SECTION, cascade.nodes), (CASCADE_CONFIG_SECTION, (cascade.config,))]
        return self._save_sections(parts, "cascade", overwrite, cascade_problems)

    @collector_paused(settle=True)  # many long-lived records, no reference cycles
    def load_cascade(self, config: CascadeConfig | None = None) -> Cascade:
        """Read the stored cascade and check it against its configuration; O(nodes).

        Args:
            config: check against this configuration instead of the stored one (without a
                stored one: [DEFAULT_CONFIG][workplan_core.cascade.DEFAULT_CONFIG]).

        What was read becomes this workspace's base only when the load succeeds, and the
        nodes, their order and the configuration are read as they stood at one moment (see
        `load_organisation`).

        Raises:
            ValidationError: the stored nodes break a rule of the configuration.
        """
        sections = (CASCADE_SECTION, CASCADE_CONFIG_SECTION)
        (nodes, stored), bases = load_sections(self.store, sections, self._bases)
        chosen = config or (stored[0] if stored else DEFAULT_CONFIG)
        try:
            cascade = Cascade(nodes, chosen)
        except ValidationError as error:
            raise ValidationError(
                error.problems,
                summary="the stored cascade breaks its rules (paths count the nodes as loaded; "
                "to repair it, save a cascade that keeps them with overwrite=True)",
            ) from error
        self._remember(bases)
        return cascade

    def _remember(self, bases: dict[str, Base]) -> None:
        """Make what a load read the base of its collections, once the load has succeeded.

        A load that fails (a stored record cannot be read, or the aggregate breaks a rule)
        leaves the base as it was: saving afterwards must not take other writers' changes,
        read but never returned, for the caller's own.
        """
        self._bases.update(bases)

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
        an original of the call or a correction given before it in the call, and must not be
        recorded on an earlier day than the latest version of the original it corrects (the
        last one appended; one of the same day is applied after it). Its claim records
        its node, day and original, and each corrected original has a head in
        [CORRECTION_HEADS][workplan_core.workspace.CORRECTION_HEADS] rewritten expecting the
        version read, so two concurrent corrections of one update cannot both pass. Whatever
        is refused, nothing is written (the indexed fields the check-in collections need may
        have been declared).

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
        return append_checkins(
            self.store,
            cadences=cadences,
            checkins=checkins,
            updates=updates,
            impediment_events=impediment_events,
        )

    @collector_paused(settle=True)  # many long-lived records, no reference cycles
    def load_checkin_log(self) -> CheckinLog:
        """Rebuild the check-in log from the store alone; O(records · log).

        Records of one day are applied in the order they were appended (the order of their
        commits; in one append, the order of the call: check-ins with what they carry, then
        updates, then events, each as given), so the log equals one grown with the `add_*`
        methods while appending, whatever the ids. Records stored before this release first
        appended keep the order they were checked in (by id), before the later ones. The
        records are read as they stood at one moment, even while others append (see
        `load_organisation`).
        """
        return read_checkin_log(self.store)
