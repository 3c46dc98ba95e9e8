"""The merged-rules check: a save that merges with other writers' changes keeps the rules.

The merge is record by record, so two saves that each keep an aggregate's rules could
together break them. When others changed the collections since the base, a save checks the
whole it would leave, and refuses only the rules the merge itself breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from workplan_core.errors import ConflictError, Problem
from workplan_core.storage.typed import load_stored
from workplan_core.workspace._base import Base, Changed, Scanned, _Seen
from workplan_core.workspace._sections import Section
from workplan_core.workspace._writes import Mine

__all__ = ["Found", "MergedCheck", "check_merged"]


MergedCheck = Callable[[Mapping[str, list[Any]]], list[Problem]]
"""The problems of an aggregate given its sections' records by field (empty when it keeps
every rule): how a save checks the whole it would leave in the store."""


def _merged(
    section: Section,
    mine: Mine,
    stored: Scanned | Changed,
    base: dict[str, _Seen],
    others: set[str],
) -> list[Any]:
    """The section's records as the store would hold them after this save succeeds.

    The caller's records, but where only another writer changed a record since `base`, theirs
    (or none, where they deleted it), and the records they added.
    """
    records = []
    for key, (value, _) in mine.items():
        seen = base.get(key)
        untouched = seen is not None and (seen.value is value or seen.value == value)
        if key in others and untouched:
            if stored.live(key):
                records.append(load_stored(stored.record(key), section.cls))
        else:
            records.append(value)
    for key in others:
        if key not in mine and key not in base and stored.live(key):
            records.append(load_stored(stored.record(key), section.cls))
    return records


class Found(Protocol):
    """What a save found of each collection it saves (`workspace._merge._Save` is one)."""

    @property
    def stored(self) -> Mapping[str, Scanned | Changed]:
        """What each collection holds now."""
        ...

    @property
    def others(self) -> Mapping[str, set[str]]:
        """For each collection with a base, the keys other writers changed since."""
        ...

    @property
    def bases(self) -> Mapping[str, Base]:
        """The workspace's bases."""
        ...


def check_merged(
    sections: list[tuple[Section, Mine]], save: Found, check: MergedCheck, aggregate: str
) -> None:
    """Refuse a save whose changes, merged with other writers' since the base, break a rule.

    `save.others` holds, for each collection with a base, the keys other writers changed
    since. Nothing is checked when they changed none (the caller's aggregate is what the
    store will hold). Otherwise the merged whole is checked, and when it breaks rules so are
    the whole as stored now and the caller's: only rules that the merge breaks and neither
    of them does are refused (compared by message, as many times as each breaks it). An
    aggregate saved unchecked that already breaks a rule — in the store or in the caller's
    hands — does not make every merge conflict, yet a merge that breaks one more still does.
    O(records) plus the checks.

    Raises:
        ConflictError: listing the records other writers changed, and the broken rules.
    """
    others = save.others
    if not any(others.values()):
        return
    parts = {
        section.field: _merged(
            section,
            mine,
            save.stored[section.collection],
            save.bases[section.collection].records,
            others[section.collection],
        )
        if section.collection in others
        else [value for value, _ in mine.values()]
        for section, mine in sections
    }
    problems = check(parts)
    if problems:
        problems = _new_problems(problems, check(_as_stored(sections, save)))
    if problems:
        mine_alone = {section.field: [v for v, _ in mine.values()] for section, mine in sections}
        problems = _new_problems(problems, check(mine_alone))
    if problems:
        shown = "; ".join(f"{p.path}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ConflictError(
            f"saving would merge this {aggregate} with other writers' changes into one that "
            f"breaks its rules: {shown}{more}. Load the {aggregate} again, apply your "
            "changes to what the load returns and save that, or save with overwrite=True",
            sorted((c, key) for c, keys in others.items() for key in keys),
        )


def _as_stored(sections: list[tuple[Section, Mine]], save: Found) -> dict[str, list[Any]]:
    """The aggregate's records as the store holds them now. O(records).

    A section this workspace never saw takes the caller's records (its save refuses to
    differ from what is stored anyway).
    """
    parts: dict[str, list[Any]] = {}
    for section, mine in sections:
        base = save.bases.get(section.collection)
        others = save.others.get(section.collection)
        if base is None or others is None:
            parts[section.field] = [value for value, _ in mine.values()]
            continue
        stored = save.stored[section.collection]
        records = [seen.value for key, seen in base.records.items() if key not in others]
        records += [
            load_stored(stored.record(key), section.cls) for key in others if stored.live(key)
        ]
        parts[section.field] = records
    return parts


def _new_problems(merged: list[Problem], stored: list[Problem]) -> list[Problem]:
    """The problems of `merged` beyond those of `stored`, compared by message.

    Not by path, and without the places a message names: a path holds a record's place,
    which the merge moves.
    """
    known = Counter(_placeless(problem.message) for problem in stored)
    new = []
    for problem in merged:
        message = _placeless(problem.message)
        if known[message] > 0:
            known[message] -= 1
        else:
            new.append(problem)
    return new


_PLACE = re.compile(r"\[\d+\]")


def _placeless(message: str) -> str:
    """`message` without the places it names (``$.team_memberships[3]``): the merge moves them."""
    return _PLACE.sub("[]", message)
