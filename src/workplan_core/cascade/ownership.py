"""Who owns what: nodes owned by a person on a date, resolving organisational owners.

A node's owner may be a person, a position, a job title, a role, a team or a department. The
organisation says who is accountable for each on a date; any object with a
``resolve_owner(ref, as_of)`` method will do (see
[OwnerResolver][workplan_core.cascade.ownership.OwnerResolver]), such as
[Organisation][workplan_core.org.Organisation].
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.nodes import Node
from workplan_core.org.refs import OwnerRef

__all__ = ["OwnerResolver", "nodes_owned_by"]


@runtime_checkable
class OwnerResolver(Protocol):
    """Anything that says which people are accountable for an owner reference on a date."""

    def resolve_owner(self, ref: OwnerRef, as_of: dt.date) -> frozenset[str]:
        """The ids of the people accountable for `ref` on `as_of`."""
        ...  # pragma: no cover


def nodes_owned_by(
    cascade: Cascade, resolver: OwnerResolver, person_id: str, as_of: dt.date
) -> tuple[Node, ...]:
    """Every node `person_id` is accountable for on `as_of`, in cascade order.

    A node counts when its owner resolves to a set of people holding `person_id`: the person
    themself, a position they hold, their job title or role, a team they belong to or a
    department they work in (as the resolver decides).

    Each distinct owner is resolved once: O(n + u·r) for u distinct owners costing r each.

    Raises:
        NotFoundError: the resolver does not know one of the owners.
    """
    verdict: dict[OwnerRef, bool] = {}
    owned = []
    for node in cascade.nodes:
        owner = node.owner
        hit = verdict.get(owner)
        if hit is None:
            hit = verdict[owner] = person_id in resolver.resolve_owner(owner, as_of)
        if hit:
            owned.append(node)
    return tuple(owned)
