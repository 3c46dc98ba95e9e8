"""Sections: how each tuple of a domain aggregate is laid out in a store, one collection each."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from workplan_core.cascade import CascadeConfig, Node
from workplan_core.checkins import Cadence, CheckIn, ImpedimentEvent, StatusUpdate
from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)
from workplan_core.storage import JsonRecord

__all__ = [
    "CASCADE_CONFIG_SECTION",
    "CASCADE_SECTION",
    "CHECKIN_SECTIONS",
    "ORGANISATION_SECTIONS",
    "Section",
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
