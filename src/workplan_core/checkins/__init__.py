"""Check-ins: cadences, meetings, status updates, impediments, timelines and dashboards."""

from workplan_core.checkins.cadence import Cadence, Weekday, fortnightly, monthly, weekly
from workplan_core.checkins.impediments import (
    Impediment,
    ImpedimentAction,
    ImpedimentEvent,
    Severity,
    impediments_as_of,
)

__all__ = [
    "Cadence",
    "Impediment",
    "ImpedimentAction",
    "ImpedimentEvent",
    "Severity",
    "Weekday",
    "fortnightly",
    "impediments_as_of",
    "monthly",
    "weekly",
]
