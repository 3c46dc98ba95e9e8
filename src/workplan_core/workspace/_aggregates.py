"""The rules a whole aggregate must keep when a save merges it with other writers' changes.

Each function takes the records of an aggregate's sections by field (as
`workplan_core.workspace._merge.save_sections` merges them) and returns the rules they break.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workplan_core.cascade import DEFAULT_CONFIG, Cascade
from workplan_core.errors import Problem, ValidationError
from workplan_core.org import Organisation
from workplan_core.workspace._sections import CASCADE_CONFIG_SECTION, CASCADE_SECTION

__all__ = ["cascade_problems", "organisation_problems"]


def organisation_problems(parts: Mapping[str, list[Any]]) -> list[Problem]:
    """The rules of an organisation its merged records break. O(n log n)."""
    return Organisation(**{field: tuple(records) for field, records in parts.items()}).problems()


def cascade_problems(parts: Mapping[str, list[Any]]) -> list[Problem]:
    """The rules of a cascade its merged nodes and configuration break. O(n + e log e)."""
    configs = parts[CASCADE_CONFIG_SECTION.field]
    try:
        Cascade(parts[CASCADE_SECTION.field], configs[0] if configs else DEFAULT_CONFIG)
    except ValidationError as error:
        return list(error.problems)
    return []
