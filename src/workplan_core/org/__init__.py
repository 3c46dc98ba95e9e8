"""The organisation: people, positions, job titles, roles, departments, teams, as of a date."""

from workplan_core.org.refs import OwnerKind, OwnerRef

__all__ = ["OwnerKind", "OwnerRef"]
