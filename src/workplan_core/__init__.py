"""workplan_core: the engine for strategic execution and performance management.

Pure domain modules (periods, organisation, cascade, check-ins, forecasts) with explicit edges
(storage backends, the workspace, the command line). Competencies, training, assessments,
reviews and import/export are planned, not built yet.
"""

from workplan_core.cascade import Cascade, Node, RollupEngine, Status, rollup
from workplan_core.errors import (
    ConflictError,
    NotFoundError,
    PolicyError,
    Problem,
    StorageError,
    ValidationError,
    WorkplanError,
)
from workplan_core.org import Organisation, OwnerKind, OwnerRef
from workplan_core.periods import (
    FiscalCalendar,
    FiscalPeriod,
    Granularity,
    Labelling,
    Period,
    WorkCalendar,
)

__version__ = "0.1.0"

__all__ = [
    "Cascade",
    "ConflictError",
    "FiscalCalendar",
    "FiscalPeriod",
    "Granularity",
    "Labelling",
    "Node",
    "NotFoundError",
    "Organisation",
    "OwnerKind",
    "OwnerRef",
    "Period",
    "PolicyError",
    "Problem",
    "RollupEngine",
    "Status",
    "StorageError",
    "ValidationError",
    "WorkCalendar",
    "WorkplanError",
    "__version__",
    "rollup",
]
