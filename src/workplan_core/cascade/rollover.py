"""Rollover: carry unfinished work into the next period, keeping history.

At the end of a period, [rollover][workplan_core.cascade.rollover.rollover] copies every
unfinished node whose period ends within it, together with its unfinished subtree, into the
next period as new nodes. Each copy records its `origin` (the id it was carried from); the
originals stay untouched, so the old period's history can still be rolled up and reported.

A node is carried at most once: once some node has it as its `origin`, that copy (or the copy
of the copy) is the one that carries on. A copy never hangs under a parent whose period has
ended: an unfinished node whose parent is neither carried nor runs through the new period is
left behind and reported, so the result always applies cleanly.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from workplan_core._arguments import check_arguments
from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.full import rollup
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.results import Rollup
from workplan_core.errors import Problem, ValidationError
from workplan_core.periods import Period

__all__ = ["RolloverResult", "rollover"]

_SUMMARY = "invalid rollover arguments"


@attrs.frozen
class RolloverResult:
    """The nodes carried over, where each came from, and what could not come along.

    Attributes:
        carried: the new nodes, in the order of their origins.
        links: ``(origin id, new id)`` pairs, in the same order.
        left_behind: unfinished nodes that would have been carried but whose primary parent
            is neither carried nor runs through the new period (e.g. an open task under a
            done, cancelled or ended goal); they stay as they are, in cascade order. Re-home
            them (or close them) and roll over again.
        dropped: ``(new id, parent id)`` pairs: extra contributions not copied because that
            parent is neither carried nor runs through the new period.
    """

    carried: tuple[Node, ...]
    links: tuple[tuple[str, str], ...]
    left_behind: tuple[str, ...] = ()
    dropped: tuple[tuple[str, str], ...] = ()

    def apply(self, cascade: Cascade) -> Cascade:
        """The cascade with the carried nodes added after the originals. O(n).

        Raises:
            ValidationError: `cascade` is not a `Cascade`, or a copy breaks a rule (only when
                it is not the cascade the result was made from, or a custom `new_id` clashes).
        """
        check_arguments("invalid rollover apply arguments", cascade=(cascade, Cascade))
        return Cascade([*cascade.nodes, *self.carried], cascade.config)


def _default_id(into: Period) -> Callable[[Node], str]:
    """Name copies ``"<id>@<first day of into>"``; ids do not grow with each carry.

    A copy made by an earlier rollover is named from the id it got then, without the first
    day it got then.
    """
    suffix = into.start.isoformat()

    def name(node: Node) -> str:
        earlier = f"@{node.period.start.isoformat()}"
        base = node.id
        if node.origin is not None and base.endswith(earlier) and len(base) > len(earlier):
            base = base[: -len(earlier)]
        return f"{base}@{suffix}"

    return name


def _check(cascade: object, ending: object, into: object, rolled: object, new_id: object) -> None:
    """Refuse wrong kinds of arguments, naming every one; a rollup of another cascade too."""
    problems: list[Problem] = []
    try:
        check_arguments(
            _SUMMARY, cascade=(cascade, Cascade), ending=(ending, Period), into=(into, Period)
        )
    except ValidationError as error:
        problems += error.problems
    if isinstance(ending, Period) and isinstance(into, Period) and into.start <= ending.end:
        problems.append(Problem("$.into", f"must begin after the ending period ({ending.end})"))
    if rolled is not None:
        if not isinstance(rolled, Rollup):
            got = type(rolled).__name__
            problems.append(Problem("$.rolled", f"must be a Rollup or None, got {got}"))
        elif isinstance(cascade, Cascade) and rolled.index.ids != cascade.index.ids:
            problems.append(Problem("$.rolled", "must be a rollup of this cascade"))
    if new_id is not None and not callable(new_id):
        got = type(new_id).__name__
        problems.append(Problem("$.new_id", f"must be callable or None, got {got}"))
    if problems:
        raise ValidationError(problems, summary=_SUMMARY)


def _latest_copies(cascade: Cascade) -> dict[str, str]:
    """Id → the id of its latest copy (following copies of copies), for every carried id."""
    copy_of = {node.origin: node.id for node in cascade.nodes if node.origin is not None}
    latest = {}
    for origin, first in copy_of.items():
        seen = {origin}
        current = first
        while current in copy_of and current not in seen:  # a loop only in hand-made data
            seen.add(current)
            current = copy_of[current]
        latest[origin] = current
    return latest


def rollover(
    cascade: Cascade,
    *,
    ending: Period,
    into: Period,
    rolled: Rollup | None = None,
    new_id: Callable[[Node], str] | None = None,
) -> RolloverResult:
    """Carry the unfinished nodes of a period that is ending into the next one.

    A node is carried when its rolled-up status is neither done nor cancelled, it has not
    been carried already (no node has it as its `origin`), and either its period ends within
    `ending` or its primary parent is carried (its unfinished subtree goes with it). Each
    copy gets a new id, the period `into`, `origin` set to the original's id, and everything
    else (measure with its reading, status, weight, rule, owner) is kept.

    A copy's parent (primary or extra) is the parent's new copy when the parent is carried
    now; otherwise the parent itself, or its latest copy if it was carried before, when that
    runs through all of `into`. When that fails for the primary parent the node is left
    behind (see `RolloverResult.left_behind`); for an extra parent the contribution is dropped
    (`RolloverResult.dropped`). Done and cancelled nodes stay behind with their origins.

    Args:
        cascade: the cascade.
        ending: the period that is ending.
        into: the period the copies run in.
        rolled: a rollup of `cascade` to judge "unfinished" by (computed when omitted).
        new_id: names each copy (default: ``"<id>@<first day of into>"``; a node that is
            itself a copy, ``"t4@2027-01-01"``, is named from its id without that first
            day: ``"t4@2027-04-01"``, so ids do not grow with each carry).

    Returns:
        The copies and their links; `RolloverResult.apply` adds them to the cascade. O(n).

    Raises:
        ValidationError: an argument of the wrong kind, a rollup of another cascade, or
            `new_id` giving a non-string, a repeated id or one the cascade already has.
    """
    _check(cascade, ending, into, rolled, new_id)
    rolled = rolled if rolled is not None else rollup(cascade)
    naming = new_id if new_id is not None else _default_id(into)
    index = cascade.index
    latest = _latest_copies(cascade)
    size = len(index)
    qualified = [False] * size
    carried = [False] * size

    def home(parent_id: str) -> int | None:
        """The position a copy points at for `parent_id` (carried or not), or `None`."""
        target = index.pos[latest.get(parent_id, parent_id)]
        if carried[target] or index.nodes[target].period.contains(into):
            return target
        return None

    def id_at(target: int) -> str:
        return renamed[index.ids[target]] if carried[target] else index.ids[target]

    left_behind = []
    for position in sorted(range(size), key=index.depth.__getitem__):
        node = index.nodes[position]
        if rolled.result_at(position).status.is_closed or node.id in latest:
            continue
        parent = index.parent[position]
        ends = ending.start <= node.period.end <= ending.end
        qualified[position] = ends or (parent >= 0 and carried[parent])
        if qualified[position]:
            carried[position] = node.parent is None or home(node.parent) is not None
            if not carried[position]:
                left_behind.append(position)
    renamed = _new_ids(index.nodes, carried, naming, set(index.ids))
    copies, dropped = [], []
    for position, node in enumerate(index.nodes):
        if not carried[position]:
            continue
        contributions = []
        for contribution in node.contributions:
            target = home(contribution.parent)
            if target is None:
                dropped.append((renamed[node.id], contribution.parent))
            else:
                contributions.append(Contribution(id_at(target), contribution.weight))
        primary = None if node.parent is None else home(node.parent)
        parent_id = None if primary is None else id_at(primary)
        copies.append(
            attrs.evolve(
                node,
                id=renamed[node.id],
                period=into,
                parent=parent_id,
                contributions=tuple(contributions),
                origin=node.id,
            )
        )
    return RolloverResult(
        tuple(copies),
        tuple(renamed.items()),
        tuple(index.ids[p] for p in sorted(left_behind)),
        tuple(dropped),
    )


def _new_ids(
    nodes: list[Node] | tuple[Node, ...],
    carried: list[bool],
    naming: Callable[[Node], str],
    taken: set[str],
) -> dict[str, str]:
    """Original id → new id for the carried nodes, in cascade order; every new id is checked.

    Raises:
        ValidationError: at ``$.new_id``, naming each non-string, repeated or taken id.
    """
    renamed: dict[str, str] = {}
    problems: list[Problem] = []
    made: set[str] = set()
    for position, node in enumerate(nodes):
        if not carried[position]:
            continue
        name: object = naming(node)
        if type(name) is not str or not name:
            got = repr(name) if isinstance(name, str) else type(name).__name__
            problems.append(Problem("$.new_id", f"gave {got} for {node.id!r}, not an id"))
            continue
        if name in taken or name in made:
            problems.append(Problem("$.new_id", f"gave {name!r} for {node.id!r}, already used"))
        made.add(name)
        renamed[node.id] = name
    if problems:
        raise ValidationError(problems, summary=_SUMMARY)
    return renamed
