"""Owner references: a pointer to anything in the organisation that can be accountable."""

from __future__ import annotations

import enum

import attrs

from workplan_core.errors import ValidationError

__all__ = ["OwnerKind", "OwnerRef"]


class OwnerKind(enum.Enum):
    """The closed set of things an owner reference may point at."""

    PERSON = "person"
    POSITION = "position"
    JOB_TITLE = "job_title"
    ROLE = "role"
    TEAM = "team"
    DEPARTMENT = "department"


def _non_empty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValidationError.single(f"$.{attribute.name}", "must not be empty")


@attrs.frozen(order=True)
class OwnerRef:
    """Who is accountable: a `kind` of organisational thing and its `id`.

    Example:
        >>> OwnerRef(OwnerKind.TEAM, "team-7")
        OwnerRef(kind=<OwnerKind.TEAM: 'team'>, id='team-7')
    """

    kind: OwnerKind
    id: str = attrs.field(validator=_non_empty)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"
