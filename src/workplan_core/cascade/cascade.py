"""The cascade: a validated, immutable set of nodes with its compiled index.

```text
Cascade(nodes, config)   check every rule at once, then compile the flat-array index
cascade.node("t-17")     the node with that id
cascade.warnings         tolerated problems (periods, when configured as warnings)
cascade == other         the same nodes in the same order, and the same config
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from workplan_core._arguments import check_arguments, records_of
from workplan_core._collector import collector_paused
from workplan_core._memo import IdentityCache
from workplan_core.cascade._columns import NodeColumns
from workplan_core.cascade._graph import Children, Edges, summed_positions
from workplan_core.cascade.index import CascadeIndex
from workplan_core.cascade.levels import DEFAULT_CONFIG, CascadeConfig
from workplan_core.cascade.nodes import Node
from workplan_core.cascade.validation import check
from workplan_core.errors import Problem, ValidationError

__all__ = ["Cascade"]

_HASHES: IdentityCache[Cascade, int] = IdentityCache()
"""Each cascade's hash, once computed (kept outside the object: a pickle must not carry it,
as string hashes differ between processes)."""


class Cascade:
    """A validated cascade of nodes; immutable (changes build a new cascade).

    Args:
        nodes: the nodes, in any order (the order is kept).
        config: levels, owner kinds per level, and the period rule.

    Raises:
        ValidationError: listing every broken rule (see
            [workplan_core.cascade.validation][]), with paths like ``$.nodes[3].parent``.

    Building is O(n + e) plus one sort of the e edges; it reads each node field once.

    Two cascades are equal when they have equal nodes in the same order and an equal
    config (so a cascade saved and loaded again equals the one saved); O(n), O(1) for the
    same object. To learn *what* differs, use
    [diff_cascades][workplan_core.cascade.diff.diff_cascades].

    Equal cascades hash equally, so a cascade may be a dict key or a set member like any
    value. The hash is computed from every node the first time it is asked for (O(n), about
    0.8 s at a million nodes) and kept for the cascade's life; the library's own caches of
    what it derives from a cascade key on the object's identity and never hash it.

    Example:
        >>> import datetime as dt
        >>> from workplan_core.org import OwnerKind, OwnerRef
        >>> from workplan_core.periods import Period
        >>> fy = Period(dt.date(2026, 7, 1), dt.date(2027, 6, 30))
        >>> ceo = OwnerRef(OwnerKind.POSITION, "ceo")
        >>> cascade = Cascade([Node("o1", "Grow", "strategic objective", ceo, fy)])
        >>> cascade.node("o1").title
        'Grow'
    """

    __slots__ = ("__weakref__", "_config", "_index", "_warnings")

    def __init__(self, nodes: Iterable[Node] = (), config: CascadeConfig = DEFAULT_CONFIG) -> None:
        values = tuple(records_of(nodes, Node, "$.nodes", "invalid cascade"))
        check_arguments("invalid cascade", config=(config, CascadeConfig))
        with collector_paused(settle=True):  # millions of acyclic containers, long-lived
            cols = NodeColumns(values, config)
            edges = Edges(cols)
            children = Children(cols, edges)
            summed = summed_positions(cols, children)
            report = check(cols, edges, children, summed, config)
            if report.errors:
                raise ValidationError(report.errors, summary="invalid cascade")
            self._config = config
            self._warnings: tuple[Problem, ...] = report.warnings
            self._index = CascadeIndex(cols, edges, children, summed, config)
            del cols, edges, children  # the scratch columns go before the index is settled

    @property
    def nodes(self) -> tuple[Node, ...]:
        """The nodes in the order given."""
        return self._index.nodes

    @property
    def config(self) -> CascadeConfig:
        """The configuration the cascade was checked against."""
        return self._config

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems tolerated by the configuration (e.g. periods, when set to warn)."""
        return self._warnings

    @property
    def index(self) -> CascadeIndex:
        """The compiled flat-array form, for the rollup engines and queries."""
        return self._index

    def node(self, node_id: str) -> Node:
        """The node with id `node_id`. O(1).

        Raises:
            NotFoundError: no node has that id.
        """
        return self._index.nodes[self._index.position(node_id)]

    def position(self, node_id: str) -> int:
        """The position of `node_id` in `nodes`. O(1).

        Raises:
            NotFoundError: no node has that id.
        """
        return self._index.position(node_id)

    def replace(self, *nodes: Node) -> Cascade:
        """A new cascade where each of `nodes` replaces the node with its id, or is added.

        O(n): the new cascade is validated and compiled afresh.
        """
        by_id = {node.id: node for node in nodes}
        kept = [by_id.pop(node.id, node) for node in self.nodes]
        return Cascade([*kept, *by_id.values()], self._config)

    def without(self, *node_ids: str) -> Cascade:
        """A new cascade without the nodes `node_ids` (their children must go too). O(n)."""
        gone = set(node_ids)
        return Cascade([node for node in self.nodes if node.id not in gone], self._config)

    def __len__(self) -> int:
        return len(self._index.ids)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._index.nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index.pos

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Cascade):
            return NotImplemented
        return self._config == other._config and self._index.nodes == other._index.nodes

    def __hash__(self) -> int:
        value = _HASHES.get(self)
        if value is None:
            value = hash((self._config, self._index.nodes))
            _HASHES.put(self, value)
        return value

    def __repr__(self) -> str:
        return f"<Cascade of {len(self)} nodes>"
