"""Check-ins: cadences, meetings, status updates, impediments, timelines and dashboards."""

from workplan_core.checkins.cadence import Cadence, Weekday, fortnightly, monthly, weekly
from workplan_core.checkins.dashboard import (
    AttentionItem,
    AttentionReason,
    Dashboard,
    DashboardPolicy,
    DashboardRow,
    DashboardSummary,
    NodeOutlook,
    manager_dashboard,
    node_dashboard,
    readings_as_of,
)
from workplan_core.checkins.escalation import (
    Escalation,
    EscalationPolicy,
    EscalationReason,
    ManagerLookup,
    escalations,
)
from workplan_core.checkins.evidence import PerformanceEvidence, performance_evidence
from workplan_core.checkins.impediments import (
    Impediment,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    impediments_as_of,
)
from workplan_core.checkins.log import CheckinLog
from workplan_core.checkins.timeline import Timeline, TimelinePoint, build_timelines
from workplan_core.checkins.updates import (
    DEFAULT_AGENDA,
    AgendaNote,
    CheckIn,
    OwnersOf,
    StatusUpdate,
    validate_checkin,
)

__all__ = [
    "DEFAULT_AGENDA",
    "AgendaNote",
    "AttentionItem",
    "AttentionReason",
    "Cadence",
    "CheckIn",
    "CheckinLog",
    "Dashboard",
    "DashboardPolicy",
    "DashboardRow",
    "DashboardSummary",
    "Escalation",
    "EscalationPolicy",
    "EscalationReason",
    "Impediment",
    "ImpedimentAction",
    "ImpedimentEvent",
    "ManagerLookup",
    "NodeOutlook",
    "OwnersOf",
    "PerformanceEvidence",
    "Severity",
    "StatusUpdate",
    "Timeline",
    "TimelinePoint",
    "Weekday",
    "build_timelines",
    "escalations",
    "fortnightly",
    "impediments_as_of",
    "manager_dashboard",
    "monthly",
    "node_dashboard",
    "performance_evidence",
    "readings_as_of",
    "validate_checkin",
    "weekly",
]
