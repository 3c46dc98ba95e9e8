"""Column extraction: the node values read once into flat lists indexed by input position.

Validation and the compiled index both work over these columns. Reading a field of a million
nodes is memory-bound, so each field is read exactly once, by a C-level ``map``; the rare
cases (roots, unknown parents, extra contributions, non-default rules) are found by C-level
scans and only then visited one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import and_, attrgetter, eq, is_, is_not, itemgetter, not_

import attrs

from workplan_core.cascade.levels import CascadeConfig
from workplan_core.cascade.measures import Measure
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
_RULE_FIELDS = attrgetter(*(field.name for field in attrs.fields(RollupRule) if field.eq))


class NodeColumns:
    """The fields of every node as lists, plus the position of every id.

    Attributes:
        nodes: the nodes in input order.
        positions: the list ``[0, 1, …, n - 1]`` (its int objects are shared by the tables).
        ids: node ids by position.
        unique: whether no id occurs twice.
        empty_id: whether some id is the empty string.
        pos: id → position for every id (the first position wins on duplicate ids); unknown
            ids are simply not keys.
        depth: level depth by position, `None` for an unknown level name.
        unknown_levels: ascending positions whose level name is unknown.
        parent: primary parent position, `NO_PARENT` or `UNKNOWN`.
        detached: ascending positions whose parent is `NO_PARENT` or `UNKNOWN`.
        unknown_parents: ascending positions whose parent is `UNKNOWN`.
        weight: node weights.
        period: node periods.
        measure: node measures.
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
        "detached",
        "empty_id",
        "extra",
        "ids",
        "measure",
        "nodes",
        "parent",
        "period",
        "pos",
        "positions",
        "progress",
        "special",
        "status",
        "unique",
        "unknown_levels",
        "unknown_parents",
        "weight",
    )

    def __init__(self, nodes: Sequence[Node], config: CascadeConfig) -> None:
        self.nodes = nodes
        self.positions: list[int] = list(range(len(nodes)))
        self.ids: list[str] = list(map(attrgetter("id"), nodes))
        self.pos: dict[str, int] = dict(zip(self.ids, self.positions, strict=True))
        self.unique = len(self.pos) == len(nodes)
        if not self.unique:  # duplicates: make the first occurrence win
            _first_wins(self.pos, self.ids)
        self.empty_id = "" in self.pos
        self.depth, self.unknown_levels = _depths(nodes, config)
        self.weight: list[float] = list(map(attrgetter("weight"), nodes))
        self.period: list[Period] = list(map(attrgetter("period"), nodes))
        self.measure: list[Measure] = list(map(attrgetter("measure"), nodes))
        self.bad_measures: list[int] = []
        self.bad_statuses: list[int] = []
        try:
            self.progress: list[float] = list(map(attrgetter("_progress"), self.measure))
        except AttributeError:
            self.progress = self._progress_slowly()
        try:
            values = map(attrgetter("status._value_"), nodes)  # str keys hash in C, enums do not
            self.status: list[int] = list(map(_CODE_BY_VALUE.__getitem__, values))
        except (AttributeError, KeyError, TypeError):
            self.status = self._status_slowly(nodes)
        self.extra: list[tuple[int, tuple[Contribution, ...]]] = self._extra()
        self.special = self._special_rules()
        self.parent, self.detached, self.unknown_parents = _parents(nodes, self.pos)

    def _extra(self) -> list[tuple[int, tuple[Contribution, ...]]]:
        """`extra`: one C-level scan for the (few) nodes with contributions. O(n)."""
        nodes = self.nodes
        chosen = list(compress(self.positions, map(attrgetter("contributions"), nodes)))
        found = map(attrgetter("contributions"), map(nodes.__getitem__, chosen))
        return list(zip(chosen, found, strict=True))

    def _special_rules(self) -> list[tuple[int, RollupRule]]:
        """``(position, rule)`` for every node whose rule is not the default, in order. O(n).

        Rules equal to the default but not the same object are told apart by comparing their
        field tuples in C, as the rule's own equality would (same class, equal fields).
        """
        nodes = self.nodes
        rules = map(attrgetter("rule"), nodes)
        chosen = list(compress(self.positions, map(is_not, rules, repeat(DEFAULT_RULE))))
        rules = map(attrgetter("rule"), map(nodes.__getitem__, chosen))
        others = list(zip(chosen, rules, strict=True))
        found = list(map(itemgetter(1), others))
        same_class = map(is_, map(type, found), repeat(RollupRule))
        same_fields = map(eq, map(_RULE_FIELDS, found), repeat(_RULE_FIELDS(DEFAULT_RULE)))
        return list(compress(others, map(not_, map(and_, same_class, same_fields))))

    def _progress_slowly(self) -> list[float]:
        progress = []
        for index, measure in enumerate(self.measure):
            value = getattr(measure, "_progress", None)
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


def _first_wins(pos: dict[str, int], ids: list[str]) -> None:
    """Point every duplicated id of `pos` back at its first position. O(n)."""
    for index in range(len(ids) - 1, -1, -1):
        pos[ids[index]] = index


def _depths(nodes: Sequence[Node], config: CascadeConfig) -> tuple[list[int | None], list[int]]:
    """Level depth by position (`None` for unknown names), and the unknown ones. O(n)."""
    depth_of = {level.name: d for d, level in enumerate(config.levels)}
    try:
        return list(map(depth_of.__getitem__, map(attrgetter("level"), nodes))), []
    except KeyError:
        pass
    depth: list[int | None] = list(map(depth_of.get, map(attrgetter("level"), nodes)))
    return depth, list(compress(range(len(depth)), map(is_, depth, repeat(None))))


def _parents(nodes: Sequence[Node], pos: dict[str, int]) -> tuple[list[int], list[int], list[int]]:
    """Parent positions, the detached positions and those with an unknown parent. O(n).

    A node without a parent and one with an unknown parent both first resolve to `UNKNOWN`;
    one C-level scan per such node (there are few) tells them apart.
    """
    keys = map(attrgetter("parent"), nodes)  # None is simply not a key
    parent: list[int] = list(map(pos.get, keys, repeat(UNKNOWN)))
    detached: list[int] = []
    unknown: list[int] = []
    index = -1
    find = parent.index
    try:
        while True:
            index = find(UNKNOWN, index + 1)
            detached.append(index)
            if nodes[index].parent is None:
                parent[index] = NO_PARENT
            else:
                unknown.append(index)
    except ValueError:  # no more
        pass
    return parent, detached, unknown
