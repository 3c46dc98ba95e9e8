"""Per-node rollup rules: how a node's progress is derived from its contributors.

A [RollupRule][workplan_core.cascade.rules.RollupRule] pairs a
[RollupMethod][workplan_core.cascade.rules.RollupMethod] with a
[RollupScope][workplan_core.cascade.rules.RollupScope] (direct children or distinct leaf
descendants). The formulas are on the cascade documentation page and in
[workplan_core.cascade.full][].
"""

from __future__ import annotations

import enum
import math

import attrs

from workplan_core.errors import Problem, ValidationError

__all__ = ["DEFAULT_RULE", "RollupMethod", "RollupRule", "RollupScope"]


class RollupMethod(enum.Enum):
    """How contributors' results combine into a node's progress."""

    WEIGHTED_MEAN = "weighted_mean"
    """Σ wᵢ·pᵢ / Σ wᵢ over active contributors (the default)."""
    SUM = "sum"
    """The node is a metric whose value is the sum of its contributors' metric values."""
    MINIMUM = "minimum"
    """The lowest progress among active contributors."""
    WORST_STATUS = "worst_status"
    """The lowest progress among the contributors having the most severe status present."""
    FRACTION_DONE = "fraction_done"
    """Active contributors done divided by active contributors."""
    MANUAL = "manual"
    """A value set by hand with a recorded reason; contributors are ignored."""


class RollupScope(enum.Enum):
    """Which nodes a rule rolls up from."""

    CHILDREN = "children"
    """Direct children, through primary parents and extra contributions (the default)."""
    LEAVES = "leaves"
    """Distinct leaf descendants, each counted once with its own weight."""


def _got(value: object) -> str:
    return type(value).__name__


def _check_rule(instance: RollupRule, _: object, __: object) -> None:
    problems = []
    method, scope = instance.method, instance.scope
    progress, reason = instance.manual_progress, instance.reason
    if (  # the common case, a plain rule of a known method and scope
        progress is None
        and type(method) is RollupMethod
        and method is not RollupMethod.MANUAL
        and type(scope) is RollupScope
        and type(reason) is str
    ):
        return
    if type(method) is not RollupMethod:
        problems.append(Problem("$.method", f"must be a RollupMethod, got {_got(method)}"))
    if type(scope) is not RollupScope:
        problems.append(Problem("$.scope", f"must be a RollupScope, got {_got(scope)}"))
    number = progress is None or (
        isinstance(progress, int | float) and not isinstance(progress, bool)
    )
    if not number:
        rule = f"must be a number or None, got {_got(progress)}"
        problems.append(Problem("$.manual_progress", rule))
    text = type(reason) is str
    if not text:
        problems.append(Problem("$.reason", f"must be a string, got {_got(reason)}"))
    manual = method is RollupMethod.MANUAL
    if manual and progress is None:
        problems.append(Problem("$.manual_progress", "the manual method needs a manual progress"))
    if type(method) is RollupMethod and not manual and progress is not None:
        problems.append(
            Problem("$.manual_progress", "only the manual method takes a manual progress")
        )
    if number and progress is not None and not (math.isfinite(progress) and 0 <= progress <= 1):
        problems.append(Problem("$.manual_progress", "must be between 0 and 1"))
    if manual and text and not reason.strip():
        problems.append(Problem("$.reason", "a manual value needs a recorded reason"))
    if problems:
        raise ValidationError(problems, summary="invalid rollup rule")


@attrs.frozen
class RollupRule:
    """The rollup rule of one node.

    Attributes:
        method: how contributors combine.
        scope: whether contributors are the direct children or the leaf descendants.
        manual_progress: the progress set by hand (only, and required, for `MANUAL`).
        reason: why the value was set by hand (required for `MANUAL`).

    Raises:
        ValidationError: listing every field of the wrong type (enums must be passed as
            members, not their string values) and every broken rule, with its path.

    Example:
        >>> RollupRule.manual(0.4, "board estimate after the merger").method
        <RollupMethod.MANUAL: 'manual'>
    """

    method: RollupMethod = RollupMethod.WEIGHTED_MEAN
    scope: RollupScope = RollupScope.CHILDREN
    manual_progress: float | None = None
    reason: str = attrs.field(default="", validator=_check_rule)

    @classmethod
    def manual(cls, progress: float, reason: str) -> RollupRule:
        """A manual rule holding `progress` (in [0, 1]) and the `reason` it was set."""
        return cls(RollupMethod.MANUAL, manual_progress=progress, reason=reason)


DEFAULT_RULE = RollupRule()
"""Weighted mean of the direct children: the rule of every node that names none."""
