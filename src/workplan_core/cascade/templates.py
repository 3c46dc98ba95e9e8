"""Node templates: one goal written once, instantiated for every holder of a position.

A [NodeTemplate][workplan_core.cascade.templates.NodeTemplate] is a node without an owner.
[instantiate][workplan_core.cascade.templates.instantiate] makes one node per person
accountable for an owner reference on a date (the holders of a position, everyone with a job
title or role, the members of a team or department), owned by that person: bulk assignment
without copying by hand.
"""

from __future__ import annotations

import datetime as dt

import attrs

from workplan_core.cascade.measures import NOT_DONE, Measure
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.ownership import OwnerResolver
from workplan_core.cascade.rules import DEFAULT_RULE, RollupRule
from workplan_core.errors import ValidationError
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.periods import Period
from workplan_core.serialization import record_type

__all__ = ["PERSON_PLACEHOLDER", "NodeTemplate", "instantiate"]

PERSON_PLACEHOLDER = "{person}"
"""Text in a template's title or description that is replaced by the person's id."""


def _non_empty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValidationError.single(f"$.{attribute.name}", "must not be empty")


@record_type("cascade.node_template", version=1)
@attrs.frozen
class NodeTemplate:
    """A node to be instantiated once per accountable person.

    Attributes:
        id: the template's id; each instance's id is ``"<id>:<person id>"``.
        title: the instances' title; ``{person}`` is replaced by the person's id.
        level: the instances' level.
        period: the instances' period.
        parent: the instances' primary parent.
        contributions: the instances' extra contributions.
        weight: the instances' weight.
        measure: the instances' measure (shared: it holds no reading yet).
        rule: the instances' rollup rule.
        description: the instances' description; ``{person}`` is replaced too.
        tags: the instances' tags.
    """

    id: str = attrs.field(validator=_non_empty)
    title: str
    level: str
    period: Period
    parent: str | None = None
    contributions: tuple[Contribution, ...] = ()
    weight: float = 1.0
    measure: Measure = NOT_DONE
    rule: RollupRule = DEFAULT_RULE
    description: str = ""
    tags: frozenset[str] = frozenset()

    def node_for(self, person_id: str) -> Node:
        """The instance owned by `person_id`."""
        return Node(
            id=f"{self.id}:{person_id}",
            title=self.title.replace(PERSON_PLACEHOLDER, person_id),
            level=self.level,
            owner=OwnerRef(OwnerKind.PERSON, person_id),
            period=self.period,
            parent=self.parent,
            contributions=self.contributions,
            weight=self.weight,
            measure=self.measure,
            rule=self.rule,
            description=self.description.replace(PERSON_PLACEHOLDER, person_id),
            tags=self.tags,
        )


def instantiate(
    template: NodeTemplate, holders: OwnerRef, resolver: OwnerResolver, as_of: dt.date
) -> tuple[Node, ...]:
    """One node per person accountable for `holders` on `as_of`, ordered by person id.

    Args:
        template: what each node looks like.
        holders: whose holders get one: a position, job title, role, team, department (or a
            single person).
        resolver: who holds what, e.g. an [Organisation][workplan_core.org.Organisation].
        as_of: the date the holders are taken on.

    Returns:
        The new nodes; add them to a cascade to check them against every rule. O(h log h) for
        h holders, plus the resolver's cost.

    Raises:
        NotFoundError: the resolver does not know `holders`.
    """
    people = sorted(resolver.resolve_owner(holders, as_of))
    return tuple(template.node_for(person) for person in people)
