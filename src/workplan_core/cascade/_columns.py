"""Column extraction: the node values read once into flat lists indexed by input position.

Validation and the compiled index both work over these columns. Reading a field of a million
nodes is memory-bound, so each field is read exactly once, by a C-level ``map``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import attrgetter, is_not, lt
from typing import cast

from workplan_core.cascade.levels import CascadeConfig
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.rules import DEFAULT_RULE, RollupRule
from workplan_core.cascade.status import STATUSES, Status
from workplan_core.periods import Period

NO_PARENT = -1
"""Parent position of a node without a primary parent."""
UNKNOWN = -2
"""Parent position of a node whose primary parent id is not in the cascade."""
_CODE = {status: code for code, status in enumerate(STATUSES)}
_CODE_BY_VALUE = {status.value: code for code, status in enumerate(STATUSES)}


class NodeColumns:
    """The fields of every node as lists, plus the id → position map.

    Attributes:
        nodes: the nodes in input order.
        ids: node ids by position.
        pos: id → position; on duplicate ids, the first position wins.
        depth: level depth by position, `None` for an unknown level name.
        parent: primary parent position, `NO_PARENT` or `UNKNOWN`.
        weight: node weights.
        period: node periods.
        progress: each node's own progress, as its measure computed it.
        bad_measures: positions whose measure is not a measure.
        bad_statuses: positions whose status is not a status.
        status: each node's own status code (see `STATUSES`).
        extra: positions of nodes with extra contributions, with the contributions.
        special: positions of nodes whose rollup rule is not the default, with the rule.
    """

    __slots__ = (
        "bad_measures",
        "bad_statuses",
        "depth",
        "extra",
        "ids",
        "nodes",
        "parent",
        "parent_ids",
        "period",
        "pos",
        "progress",
        "special",
        "status",
        "weight",
    )

    def __init__(self, nodes: Sequence[Node], config: CascadeConfig) -> None:
        n = len(nodes)
        self.nodes = nodes
        self.ids: list[str] = list(map(attrgetter("id"), nodes))
        pos = dict(zip(self.ids, range(n), strict=True))
        if len(pos) != n:  # duplicates: make the first occurrence win
            for index in range(n - 1, -1, -1):
                pos[self.ids[index]] = index
        self.pos: dict[str, int] = pos
        depth_of = {level.name: d for d, level in enumerate(config.levels)}
        levels = map(attrgetter("level"), nodes)
        self.depth: list[int | None] = list(map(depth_of.get, levels))
        self.parent_ids: list[str | None] = list(map(attrgetter("parent"), nodes))
        keys = cast("list[str]", self.parent_ids)  # None is simply not a key
        parent: list[int] = list(map(pos.get, keys, repeat(UNKNOWN)))
        for index in compress(range(n), map(lt, parent, repeat(0))):
            if self.parent_ids[index] is None:
                parent[index] = NO_PARENT
        self.parent = parent
        self.weight: list[float] = list(map(attrgetter("weight"), nodes))
        self.period: list[Period] = list(map(attrgetter("period"), nodes))
        self.bad_measures: list[int] = []
        self.bad_statuses: list[int] = []
        try:
            self.progress: list[float] = list(map(attrgetter("measure._progress"), nodes))
        except AttributeError:
            self.progress = self._progress_slowly(nodes)
        try:
            values = map(attrgetter("status._value_"), nodes)  # str keys hash in C, enums do not
            self.status: list[int] = list(map(_CODE_BY_VALUE.__getitem__, values))
        except (AttributeError, KeyError, TypeError):
            self.status = self._status_slowly(nodes)
        contributions = list(map(attrgetter("contributions"), nodes))
        self.extra: list[tuple[int, tuple[Contribution, ...]]] = [
            (index, contributions[index]) for index in compress(range(n), contributions)
        ]
        rules = list(map(attrgetter("rule"), nodes))
        self.special: list[tuple[int, RollupRule]] = [
            (index, rules[index])
            for index in compress(range(n), map(is_not, rules, repeat(DEFAULT_RULE)))
            if rules[index] != DEFAULT_RULE
        ]

    def _progress_slowly(self, nodes: Sequence[Node]) -> list[float]:
        progress = []
        for index, node in enumerate(nodes):
            value = getattr(node.measure, "_progress", None)
            if not isinstance(value, float):
                self.bad_measures.append(index)
                value = 0.0
            progress.append(value)
        return progress

    def _status_slowly(self, nodes: Sequence[Node]) -> list[int]:
        codes = []
        for index, node in enumerate(nodes):
            code = _CODE.get(node.status) if isinstance(node.status, Status) else None
            if code is None:
                self.bad_statuses.append(index)
                code = 0
            codes.append(code)
        return codes

    def __len__(self) -> int:
        return len(self.ids)
