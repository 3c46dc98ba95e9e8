"""Rollup: every node's progress, status and contributor counts, derived from below.

Formulas (p = progress in [0, 1], w = weight, *active* = not cancelled):

* **weighted mean** (default): ``p = Σ wᵢ·pᵢ / Σ wᵢ`` over active contributors, where a
  contributor's weight is the child's own weight for its primary parent, or the
  contribution's weight for an extra parent (or, in leaf scope, the leaf's own weight);
* **sum**: the node's metric value is ``Σ vᵢ`` over active contributors' metric values (same
  unit, checked), and ``p`` is the node's metric progress for that value;
* **minimum**: ``p = min pᵢ`` over active contributors;
* **worst status**: ``p = min pᵢ`` over the contributors having the most severe status present
  (blocked, off track, at risk, not started, on track, done, in that order);
* **fraction done**: ``p = (active contributors done) / (active contributors)``;
* **manual**: ``p`` is the rule's manual progress; contributors are ignored.

A node with no active contributor (a leaf, or every contributor cancelled) takes its own
measure's progress and its own status. Otherwise its status follows the status rollup rule of
[workplan_core.cascade.status][], except that a node whose own status is cancelled stays
cancelled, and a manual node keeps its own status.

[rollup][workplan_core.cascade.full.rollup] computes everything in one O(n + e) pass and
returns a [Rollup][workplan_core.cascade.results.Rollup], a read-only mapping from node id to
[RollupResult][workplan_core.cascade.results.RollupResult] that builds each result on demand.
"""

from __future__ import annotations

from collections.abc import Mapping

from workplan_core._arguments import check_arguments
from workplan_core._collector import collector_paused
from workplan_core.cascade._state import full_rollup
from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.results import Rollup
from workplan_core.errors import NotFoundError, Problem, ValidationError

__all__ = ["rollup"]

_READING = frozenset({Reading})


def rollup(cascade: Cascade, readings: Mapping[str, Reading] | None = None) -> Rollup:
    """Roll the whole cascade up: every node's progress, status, counts and value.

    Args:
        cascade: the cascade.
        readings: optional latest readings by node id; they replace those nodes' own
            progress, status and value (e.g. the status updates known on a date).

    Raises:
        NotFoundError: a reading names a node that is not in the cascade.
        ValidationError: `cascade` is not a cascade, or `readings` is not a mapping of
            readings (every entry that is not a `Reading` is named).

    One pass over the levels, deepest first, with every sum computed in C-level passes over
    the children table: O(n + e) for n nodes and e edges (leaf-scoped nodes add
    O(descendants) each).
    """
    check_arguments("invalid rollup arguments", cascade=(cascade, Cascade))
    if readings is None:
        readings = {}
    check_arguments("invalid rollup arguments", readings=(readings, Mapping))
    if not _READING.issuperset(map(type, readings.values())):
        raise ValidationError(
            [
                Problem(f"$.readings[{node_id!r}]", f"must be a Reading, got {type(r).__name__}")
                for node_id, r in readings.items()
                if not isinstance(r, Reading)
            ],
            summary="invalid rollup arguments",
        )
    index = cascade.index
    by_position: dict[int, Reading] = {}
    for node_id, reading in readings.items():
        if node_id not in index.pos:
            raise NotFoundError(f"a reading names {node_id!r}, which is not in the cascade")
        by_position[index.pos[node_id]] = reading
    with collector_paused():
        return Rollup(full_rollup(index, by_position, frozen=True))
