"""Node templates: one goal written once, instantiated for every holder of a position.

A [NodeTemplate][workplan_core.cascade.templates.NodeTemplate] is a node without an owner.
[instantiate][workplan_core.cascade.templates.instantiate] makes one node per person
accountable for an owner reference on a date (the holders of a position, everyone with a job
title or role, the members of a team or department), owned by that person: bulk assignment
without copying by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import attrs

from workplan_core._arguments import check_arguments
from workplan_core._fields import is_number
from workplan_core._fields import wrong as _wrong
from workplan_core.cascade.measures import NOT_DONE, Measure
from workplan_core.cascade.nodes import _FIELD_TYPES, Contribution, Node
from workplan_core.cascade.ownership import OwnerResolver
from workplan_core.cascade.rules import DEFAULT_RULE, RollupRule
from workplan_core.cascade.validation import MAX_WEIGHT, MIN_WEIGHT
from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerKind, OwnerRef
from workplan_core.periods import Period
from workplan_core.serialization import record_type

__all__ = ["PERSON_PLACEHOLDER", "NodeTemplate", "instantiate"]

PERSON_PLACEHOLDER = "{person}"
"""Text in a template's title or description that is replaced by the person's id."""


_TEMPLATE_FIELDS = tuple(
    entry for entry in _FIELD_TYPES if entry[0] not in {"owner", "status", "origin"}
)
_WEIGHT_RULE = f"must be a finite number between {MIN_WEIGHT:g} and {MAX_WEIGHT:g}"


def _weight_fits(weight: float) -> bool:
    return math.isfinite(weight) and MIN_WEIGHT <= weight <= MAX_WEIGHT


def _check_template(  # noqa: PLR0912 (one branch per kind of field, as for a Node)
    template: NodeTemplate, _: object, tags: frozenset[str]
) -> None:
    """Refuse a template any of whose fields is of the wrong type, naming every such field.

    Weights (its own and its contributions') must also lie in the range a cascade accepts,
    so a bad template fails when it is written, not when its instances are added.
    """
    problems: list[Problem] = []
    for name, types, rule in _TEMPLATE_FIELDS:
        value = getattr(template, name)
        if name == "weight":
            if not is_number(value):
                problems.append(_wrong("$.weight", rule, value))
            elif not _weight_fits(value):
                problems.append(Problem("$.weight", f"{_WEIGHT_RULE}, got {value!r}"))
        elif type(value) not in types:
            problems.append(_wrong(f"$.{name}", rule, value))
        elif name == "id" and not value:
            problems.append(Problem("$.id", "must not be empty"))
        elif name == "contributions":
            for index, contribution in enumerate(value):
                path = f"$.contributions[{index}]"
                if type(contribution) is not Contribution:
                    problems.append(_wrong(path, "a Contribution", contribution))
                elif not _weight_fits(contribution.weight):
                    got = contribution.weight
                    problems.append(Problem(f"{path}.weight", f"{_WEIGHT_RULE}, got {got!r}"))
        elif name == "tags":
            wrong = sorted({type(tag).__name__ for tag in value if type(tag) is not str})
            if wrong:
                problems.append(
                    Problem("$.tags", f"must hold only strings, got {', '.join(wrong)}")
                )
    if problems:
        raise ValidationError(problems, summary="invalid node template")


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

    Raises:
        ValidationError: listing every field of the wrong type (as for a `Node`; values are
            not converted), an empty id, or a weight (its own or a contribution's) that is
            not finite or lies outside ``MIN_WEIGHT``..``MAX_WEIGHT``.
    """

    id: str
    title: str
    level: str
    period: Period
    parent: str | None = None
    contributions: tuple[Contribution, ...] = ()
    weight: float = 1.0
    measure: Measure = NOT_DONE
    rule: RollupRule = DEFAULT_RULE
    description: str = ""
    tags: frozenset[str] = attrs.field(default=frozenset(), validator=_check_template)

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
        ValidationError: an argument of the wrong kind (`as_of` a datetime, a resolver
            without ``resolve_owner``), or the resolver giving something other than an
            iterable of non-empty person id strings (at ``$.resolver``).
    """
    _check_instantiate(template, holders, resolver, as_of)
    people = _person_ids(resolver.resolve_owner(holders, as_of))
    return tuple(template.node_for(person) for person in people)


_SUMMARY = "invalid instantiate arguments"


def _check_instantiate(template: object, holders: object, resolver: object, as_of: object) -> None:
    problems: list[Problem] = []
    try:
        check_arguments(_SUMMARY, template=(template, NodeTemplate), holders=(holders, OwnerRef))
    except ValidationError as error:
        problems += error.problems
    if not callable(getattr(resolver, "resolve_owner", None)):
        got = type(resolver).__name__
        problems.append(Problem("$.resolver", f"must have a resolve_owner method, got {got}"))
    try:
        check_arguments(_SUMMARY, as_of=(as_of, dt.date))
    except ValidationError as error:
        problems += error.problems
    if problems:
        raise ValidationError(problems, summary=_SUMMARY)


def _person_ids(people: object) -> list[str]:
    """The person ids a resolver gave, sorted; anything but non-empty strings is refused."""
    if isinstance(people, str | bytes) or not isinstance(people, Iterable):
        got = type(people).__name__
        raise ValidationError.single(
            "$.resolver", f"must give an iterable of person ids, gave {got}"
        )
    given = list(people)
    wrong = [p for p in given if type(p) is not str or not p]
    if wrong:
        shown = ", ".join(sorted({repr(p) if p == "" else type(p).__name__ for p in wrong}))
        raise ValidationError.single(
            "$.resolver", f"must give non-empty person id strings, gave {shown}"
        )
    return sorted(given)
