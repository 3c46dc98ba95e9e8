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


def _got(value: object) -> str:
    return type(value).__name__


def _owner_kinds(kinds: Iterable[OwnerKind]) -> frozenset[OwnerKind]:
    """The kinds as a frozenset; a string or a non-iterable is kept for the validator."""
    if isinstance(kinds, str | bytes) or not isinstance(kinds, Iterable):
        return kinds  # reported by _check_level
    return frozenset(kinds)


def _level_tuple(levels: Iterable[Level]) -> tuple[Level, ...]:
    """The levels as a tuple; a string or a non-iterable is kept for the validator."""
    if isinstance(levels, str | bytes) or not isinstance(levels, Iterable):
        return levels  # reported by _check_config
    return tuple(levels)


def _check_level(instance: Level, _: object, kinds: frozenset[OwnerKind]) -> None:
    problems = []
    name = instance.name
    if type(name) is not str:
        problems.append(Problem("$.name", f"must be a string, got {_got(name)}"))
    elif not name:
        problems.append(Problem("$.name", "must not be empty"))
    if type(kinds) is not frozenset:
        problems.append(Problem("$.owner_kinds", f"must be a set of OwnerKind, got {_got(kinds)}"))
    elif not kinds:
        problems.append(Problem("$.owner_kinds", "must allow at least one owner kind"))
    else:
        wrong = sorted({_got(kind) for kind in kinds if type(kind) is not OwnerKind})
        if wrong:
            rule = f"must hold only OwnerKind members, got {', '.join(wrong)}"
            problems.append(Problem("$.owner_kinds", rule))
    if problems:
        raise ValidationError(problems, summary="invalid level")


@attrs.frozen
class Level:
    """A named depth of the cascade.

    Attributes:
        name: the level's name, used by nodes (e.g. ``"team goal"``).
        owner_kinds: the kinds of owner a node at this level may have (default: any); any
            iterable of `OwnerKind` members is made a frozenset.

    Raises:
        ValidationError: an empty or non-string name, or owner kinds that are empty, a
            string or not all `OwnerKind` members (strings are not converted).
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


def _check_config(instance: CascadeConfig, _: object, period_rule: Severity) -> None:
    problems = []
    levels = instance.levels
    if type(levels) is not tuple:
        problems.append(Problem("$.levels", f"must be a sequence of Level, got {_got(levels)}"))
    elif not levels:
        problems.append(Problem("$.levels", "must name at least one level"))
    else:
        seen: dict[str, int] = {}
        for index, level in enumerate(levels):
            if type(level) is not Level:
                problems.append(
                    Problem(f"$.levels[{index}]", f"must be a Level, got {_got(level)}")
                )
                continue
            if level.name in seen:
                first = seen[level.name]
                rule = f"duplicate level name {level.name!r} (first at $.levels[{first}])"
                problems.append(Problem(f"$.levels[{index}].name", rule))
            seen.setdefault(level.name, index)
    if type(period_rule) is not Severity:
        problems.append(Problem("$.period_rule", f"must be a Severity, got {_got(period_rule)}"))
    if problems:
        raise ValidationError(problems, summary="invalid cascade configuration")


@record_type("cascade.config", version=1)
@attrs.frozen
class CascadeConfig:
    """How a cascade is shaped and checked.

    Attributes:
        levels: the levels from the top (depth 0) down; names must be unique.
        period_rule: whether a child period outside its parent's period is an error (the
            cascade is refused) or a warning (reported on `Cascade.warnings`).

    Raises:
        ValidationError: no levels, levels that are not `Level` values (a string is not
            taken apart), duplicate level names, or a period rule that is not a `Severity`.
    """

    levels: tuple[Level, ...] = attrs.field(default=DEFAULT_LEVELS, converter=_level_tuple)
    period_rule: Severity = attrs.field(default=Severity.ERROR, validator=_check_config)

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
