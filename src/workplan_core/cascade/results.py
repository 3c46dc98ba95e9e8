"""Rollup results: per-node progress, status, contributor counts and value, by node id.

A [Rollup][workplan_core.cascade.results.Rollup] is a read-only mapping from node id to
[RollupResult][workplan_core.cascade.results.RollupResult]; it keeps flat lists and builds each
result on access. [rollup][workplan_core.cascade.full.rollup] and
[RollupEngine][workplan_core.cascade.engine.RollupEngine] produce them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar, overload

import attrs

from workplan_core.cascade._state import MASK, SHIFT, RollupState
from workplan_core.cascade.index import CascadeIndex
from workplan_core.cascade.measures import MetricMeasure
from workplan_core.cascade.status import STATUSES, Status

__all__ = ["Rollup", "RollupResult", "StatusCounts"]

T = TypeVar("T")


@attrs.frozen
class StatusCounts:
    """How many contributors of a node have each (rolled-up) status."""

    not_started: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    blocked: int = 0
    done: int = 0
    cancelled: int = 0

    @classmethod
    def from_packed(cls, packed: int) -> StatusCounts:
        """Unpack counts kept 32 bits per status code."""
        return cls(*((packed >> (SHIFT * code)) & MASK for code in range(len(STATUSES))))

    def __getitem__(self, status: Status) -> int:
        value: int = getattr(self, status.value)
        return value

    @property
    def total(self) -> int:
        """Every contributor, cancelled ones included."""
        return sum(self[status] for status in STATUSES)

    @property
    def active(self) -> int:
        """Contributors that are not cancelled."""
        return self.total - self.cancelled

    def as_dict(self) -> dict[Status, int]:
        """The non-zero counts by status."""
        return {status: self[status] for status in STATUSES if self[status]}


@attrs.frozen
class RollupResult:
    """The rolled-up state of one node.

    Attributes:
        node_id: the node.
        progress: rolled-up progress in [0, 1].
        status: rolled-up status.
        counts: its contributors (direct children, or leaves in leaf scope) by status.
        value: the metric value (summed for the sum rule), `None` for non-metric measures.
    """

    node_id: str
    progress: float
    status: Status
    counts: StatusCounts
    value: float | None = None


class _ReadOnly(Sequence[T]):
    """A read-only view of a list."""

    __slots__ = ("_items",)

    def __init__(self, items: list[T]) -> None:
        self._items = items

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)


class Rollup(Mapping[str, RollupResult]):
    """Rolled-up results of a whole cascade, by node id; read-only.

    Results are built on access, so holding a rollup of a million nodes costs a few flat
    lists, not a million objects. Two rollups are equal when every node's progress, status,
    counts and value (the `RollupResult.value` it shows: summed, read or its measure's) are
    equal, exactly, not approximately.
    """

    __slots__ = ("_state",)

    def __init__(self, state: RollupState) -> None:
        self._state = state

    @property
    def index(self) -> CascadeIndex:
        """The compiled cascade this rollup belongs to."""
        return self._state.index

    def progress(self, node_id: str) -> float:
        """Rolled-up progress of `node_id`. O(1)."""
        return self._state.progress[self._state.index.position(node_id)]

    def status(self, node_id: str) -> Status:
        """Rolled-up status of `node_id`. O(1)."""
        return STATUSES[self._state.status[self._state.index.position(node_id)]]

    def _value_at(self, position: int) -> float | None:
        """The value the result at `position` shows (see `RollupResult.value`). O(1)."""
        state = self._state
        value = state.value.get(position)
        if value is None:
            if position in state.shown:
                value = state.shown[position]
            else:
                measure = state.index.nodes[position].measure
                if isinstance(measure, MetricMeasure):
                    value = measure.value
        return value

    def result_at(self, position: int) -> RollupResult:
        """The result of the node at `position` (see `CascadeIndex`). O(1)."""
        state = self._state
        return RollupResult(
            node_id=state.index.ids[position],
            progress=state.progress[position],
            status=STATUSES[state.status[position]],
            counts=StatusCounts.from_packed(state.packed[position]),
            value=self._value_at(position),
        )

    def columns(self) -> tuple[Sequence[float], Sequence[int]]:
        """Rolled-up progress and status codes by position, read-only views. O(1).

        For whole-cascade reports that should not build a million result objects; a status
        code indexes [STATUSES][workplan_core.cascade.status.STATUSES].
        """
        return _ReadOnly(self._state.progress), _ReadOnly(self._state.status)

    def __getitem__(self, node_id: str) -> RollupResult:
        return self.result_at(self._state.index.position(node_id))

    def __iter__(self) -> Iterator[str]:
        return iter(self._state.index.ids)

    def __len__(self) -> int:
        return len(self._state.index.ids)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._state.index.pos

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rollup):
            return NotImplemented
        mine, theirs = self._state, other._state
        positions = range(len(mine.index.ids))
        return (
            mine.index.ids == theirs.index.ids
            and mine.progress == theirs.progress
            and mine.status == theirs.status
            and mine.packed == theirs.packed
            and list(map(self._value_at, positions)) == list(map(other._value_at, positions))
        )

    def __hash__(self) -> int:
        raise TypeError("a Rollup is not hashable")

    def __repr__(self) -> str:
        return f"<Rollup of {len(self)} nodes>"
