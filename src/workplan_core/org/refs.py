"""Owner references: a pointer to anything in the organisation that can be accountable."""

from __future__ import annotations

import enum

import attrs

from workplan_core.errors import Problem, ValidationError

__all__ = ["OwnerKind", "OwnerRef"]


class OwnerKind(enum.Enum):
    """The closed set of things an owner reference may point at."""

    PERSON = "person"
    POSITION = "position"
    JOB_TITLE = "job_title"
    ROLE = "role"
    TEAM = "team"
    DEPARTMENT = "department"


def _check_ref(instance: OwnerRef, _: object, ref_id: str) -> None:
    kind = instance.kind
    if type(kind) is OwnerKind and type(ref_id) is str and ref_id:
        return
    problems = []
    if type(kind) is not OwnerKind:
        problems.append(Problem("$.kind", f"must be an OwnerKind, got {type(kind).__name__}"))
    if type(ref_id) is not str:
        problems.append(Problem("$.id", f"must be a string, got {type(ref_id).__name__}"))
    elif not ref_id:
        problems.append(Problem("$.id", "must not be empty"))
    raise ValidationError(problems, summary="invalid owner reference")


@attrs.frozen(order=True)
class OwnerRef:
    """Who is accountable: a `kind` of organisational thing and its `id`.

    Raises:
        ValidationError: the kind is not an `OwnerKind` (a string is not converted) or the
            id is not a non-empty string.

    Example:
        >>> OwnerRef(OwnerKind.TEAM, "team-7")
        OwnerRef(kind=<OwnerKind.TEAM: 'team'>, id='team-7')
    """

    kind: OwnerKind
    id: str = attrs.field(validator=_check_ref)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"
