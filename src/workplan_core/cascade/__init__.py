"""The cascade: strategic objectives down to tasks, with rollup, queries and rollover.

* Values: [Node][workplan_core.cascade.nodes.Node] with its
  [Contribution][workplan_core.cascade.nodes.Contribution]s, measures
  ([MetricMeasure][workplan_core.cascade.measures.MetricMeasure],
  [BinaryMeasure][workplan_core.cascade.measures.BinaryMeasure],
  [MilestoneMeasure][workplan_core.cascade.measures.MilestoneMeasure]),
  [Status][workplan_core.cascade.status.Status] and
  [RollupRule][workplan_core.cascade.rules.RollupRule]; levels in a
  [CascadeConfig][workplan_core.cascade.levels.CascadeConfig].
* [Cascade][workplan_core.cascade.cascade.Cascade] checks every rule at once and compiles the
  nodes into flat arrays.
* [rollup][workplan_core.cascade.full.rollup] rolls everything up in one pass;
  [RollupEngine][workplan_core.cascade.engine.RollupEngine] keeps it current as single nodes
  change, exactly equal to a full rollup.
* Queries (line of sight, subtree, levels, ownership, unaligned work, coverage, summaries),
  [diff_cascades][workplan_core.cascade.diff.diff_cascades],
  [instantiate][workplan_core.cascade.templates.instantiate] (goals per position) and
  [rollover][workplan_core.cascade.rollover.rollover].
"""

from workplan_core.cascade.cascade import Cascade
from workplan_core.cascade.diff import (
    CascadeDiff,
    Changed,
    FieldChange,
    FieldValue,
    Realigned,
    Reparented,
    Retargeted,
    Reweighted,
    diff_cascades,
)
from workplan_core.cascade.engine import RollupEngine
from workplan_core.cascade.full import rollup
from workplan_core.cascade.index import CascadeIndex
from workplan_core.cascade.levels import (
    DEFAULT_CONFIG,
    DEFAULT_LEVELS,
    CascadeConfig,
    Level,
    Severity,
)
from workplan_core.cascade.measures import (
    BinaryMeasure,
    Direction,
    Measure,
    MetricMeasure,
    Milestone,
    MilestoneMeasure,
)
from workplan_core.cascade.nodes import Contribution, Node
from workplan_core.cascade.ownership import OwnerResolver, nodes_owned_by
from workplan_core.cascade.partial import closure, rollup_closure, rollup_closure_columns
from workplan_core.cascade.queries import (
    LevelSummary,
    level_summaries,
    line_of_sight,
    nodes_at_level,
    overdue_nodes,
    subtree,
    unaligned,
    uncovered_objectives,
)
from workplan_core.cascade.readings import Reading
from workplan_core.cascade.results import Rollup, RollupResult, StatusCounts
from workplan_core.cascade.rollover import RolloverResult, rollover
from workplan_core.cascade.rules import DEFAULT_RULE, RollupMethod, RollupRule, RollupScope
from workplan_core.cascade.status import Status, is_overdue, roll_status
from workplan_core.cascade.templates import NodeTemplate, instantiate
from workplan_core.cascade.validation import ValidationReport, validate_cascade

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_LEVELS",
    "DEFAULT_RULE",
    "BinaryMeasure",
    "Cascade",
    "CascadeConfig",
    "CascadeDiff",
    "CascadeIndex",
    "Changed",
    "Contribution",
    "Direction",
    "FieldChange",
    "FieldValue",
    "Level",
    "LevelSummary",
    "Measure",
    "MetricMeasure",
    "Milestone",
    "MilestoneMeasure",
    "Node",
    "NodeTemplate",
    "OwnerResolver",
    "Reading",
    "Realigned",
    "Reparented",
    "Retargeted",
    "Reweighted",
    "RolloverResult",
    "Rollup",
    "RollupEngine",
    "RollupMethod",
    "RollupResult",
    "RollupRule",
    "RollupScope",
    "Severity",
    "Status",
    "StatusCounts",
    "ValidationReport",
    "closure",
    "diff_cascades",
    "instantiate",
    "is_overdue",
    "level_summaries",
    "line_of_sight",
    "nodes_at_level",
    "nodes_owned_by",
    "overdue_nodes",
    "roll_status",
    "rollover",
    "rollup",
    "rollup_closure",
    "rollup_closure_columns",
    "subtree",
    "unaligned",
    "uncovered_objectives",
    "validate_cascade",
]
