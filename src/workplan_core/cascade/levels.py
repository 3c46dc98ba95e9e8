"""Levels of the cascade and the configuration that governs validation.

A [Level][workplan_core.cascade.levels.Level] is a named depth; the first level is the top
(strategic objectives). [CascadeConfig][workplan_core.cascade.levels.CascadeConfig] holds the
ordered levels, which owner kinds each level accepts, and whether a child period outside its
parent's period is an error or a warning.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from workplan_core.errors import Problem, ValidationError
from workplan_core.org.refs import OwnerKind
from workplan_core.serialization import record_type

__all__ = [
    "ALL_OWNER_KINDS",
    "DEFAULT_CONFIG",
    "DEFAULT_LEVELS",
    "CascadeConfig",
    "Level",
    "Severity",
]

ALL_OWNER_KINDS: frozenset[OwnerKind] = frozenset(OwnerKind)
"""Every owner kind: the default for a level."""


def _owner_kinds(kinds: Iterable[OwnerKind]) -> frozenset[OwnerKind]:
    return frozenset(kinds)


def _level_tuple(levels: Iterable[Level]) -> tuple[Level, ...]:
    return tuple(levels)


def _check_level(instance: Level, _: object, __: object) -> None:
    problems = []
    if not instance.name:
        problems.append(Problem("$.name", "must not be empty"))
    if not instance.owner_kinds:
        problems.append(Problem("$.owner_kinds", "must allow at least one owner kind"))
    if problems:
        raise ValidationError(problems, summary="invalid level")


@attrs.frozen
class Level:
    """A named depth of the cascade.

    Attributes:
        name: the level's name, used by nodes (e.g. ``"team goal"``).
        owner_kinds: the kinds of owner a node at this level may have (default: any).
    """

    name: str
    owner_kinds: frozenset[OwnerKind] = attrs.field(
        default=ALL_OWNER_KINDS, converter=_owner_kinds, validator=_check_level
    )


DEFAULT_LEVELS: tuple[Level, ...] = (
    Level("strategic objective"),
    Level("supporting goal"),
    Level("departmental target"),
    Level("team goal"),
    Level("task"),
)
"""The five default levels, top to bottom, each accepting any owner kind."""


class Severity(enum.Enum):
    """Whether a broken rule stops the cascade from being built or is only reported."""

    ERROR = "error"
    WARNING = "warning"


def _check_levels(_: object, __: object, levels: tuple[Level, ...]) -> None:
    if not levels:
        raise ValidationError.single("$.levels", "must name at least one level")
    seen: dict[str, int] = {}
    problems = []
    for index, level in enumerate(levels):
        if level.name in seen:
            problems.append(
                Problem(
                    f"$.levels[{index}].name",
                    f"duplicate level name {level.name!r} (first at $.levels[{seen[level.name]}])",
                )
            )
        seen.setdefault(level.name, index)
    if problems:
        raise ValidationError(problems, summary="invalid levels")


@record_type("cascade.config", version=1)
@attrs.frozen
class CascadeConfig:
    """How a cascade is shaped and checked.

    Attributes:
        levels: the levels from the top (depth 0) down; names must be unique.
        period_rule: whether a child period outside its parent's period is an error (the
            cascade is refused) or a warning (reported on `Cascade.warnings`).
    """

    levels: tuple[Level, ...] = attrs.field(
        default=DEFAULT_LEVELS, converter=_level_tuple, validator=_check_levels
    )
    period_rule: Severity = Severity.ERROR

    def depth_of(self, level: str) -> int:
        """The depth of the level called `level` (0 is the top).

        Raises:
            ValidationError: no level has that name.
        """
        for depth, candidate in enumerate(self.levels):
            if candidate.name == level:
                return depth
        names = ", ".join(repr(lv.name) for lv in self.levels)
        raise ValidationError.single("$.level", f"unknown level {level!r}; levels are {names}")

    @property
    def level_names(self) -> tuple[str, ...]:
        """The level names from the top down."""
        return tuple(level.name for level in self.levels)


DEFAULT_CONFIG = CascadeConfig()
"""The default configuration: the five default levels, periods checked as errors."""
