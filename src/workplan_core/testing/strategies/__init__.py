"""Hypothesis strategies for every public record type of workplan_core.

Use them in your own property tests::

    from hypothesis import given
    from workplan_core.testing import strategies as wst

    @given(wst.periods())
    def test_my_code_handles_any_period(period): ...

`for_type(cls)` returns the registered strategy for any record class; the library's own tests
use it to check that every registered record type round-trips through the converter.
"""

from __future__ import annotations

from workplan_core.testing.strategies._registry import for_type, register_strategy, registered
from workplan_core.testing.strategies.cascade import (
    binary_measures,
    cascade_configs,
    cascade_nodes,
    contributions,
    levels,
    measures,
    metric_measures,
    milestone_measures,
    nodes,
    readings,
    rollup_rules,
)
from workplan_core.testing.strategies.checkins import (
    agenda_notes,
    cadences,
    checkins,
    escalations,
    impediment_events,
    status_updates,
)
from workplan_core.testing.strategies.org import (
    assignments,
    departments,
    job_titles,
    organisations,
    owner_refs,
    people,
    positions,
    role_assignments,
    roles,
    team_memberships,
    teams,
)
from workplan_core.testing.strategies.periods import (
    fiscal_calendars,
    fiscal_periods,
    periods,
    work_calendars,
)
from workplan_core.testing.strategies.storage import json_values, store_keys, store_records
from workplan_core.testing.strategies.templates import node_templates

__all__ = [
    "agenda_notes",
    "assignments",
    "binary_measures",
    "cadences",
    "cascade_configs",
    "cascade_nodes",
    "checkins",
    "contributions",
    "departments",
    "escalations",
    "fiscal_calendars",
    "fiscal_periods",
    "for_type",
    "impediment_events",
    "job_titles",
    "json_values",
    "levels",
    "measures",
    "metric_measures",
    "milestone_measures",
    "node_templates",
    "nodes",
    "organisations",
    "owner_refs",
    "people",
    "periods",
    "positions",
    "readings",
    "register_strategy",
    "registered",
    "role_assignments",
    "roles",
    "rollup_rules",
    "status_updates",
    "store_keys",
    "store_records",
    "team_memberships",
    "teams",
    "work_calendars",
]
