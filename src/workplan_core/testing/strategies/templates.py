"""Strategies for node templates (goals instantiated per position holder)."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from workplan_core.cascade.levels import DEFAULT_LEVELS
from workplan_core.cascade.templates import NodeTemplate
from workplan_core.testing.strategies._registry import register_strategy
from workplan_core.testing.strategies.cascade import contributions, measures, rollup_rules
from workplan_core.testing.strategies.periods import periods

__all__ = ["node_templates"]

_IDS = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10)


def node_templates() -> st.SearchStrategy[NodeTemplate]:
    """Node templates with every field drawn."""
    return st.builds(
        NodeTemplate,
        id=_IDS,
        title=st.text(max_size=20),
        level=st.sampled_from([level.name for level in DEFAULT_LEVELS]),
        period=periods(),
        parent=st.none() | _IDS,
        contributions=st.lists(contributions(), max_size=2).map(tuple),
        weight=st.floats(0.1, 10),
        measure=measures(),
        rule=rollup_rules(),
        description=st.text(max_size=20),
        tags=st.frozensets(st.sampled_from(["okr", "q1", "risk"])),
    )


register_strategy(NodeTemplate, node_templates())
