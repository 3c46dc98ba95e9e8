"""The organisation: people, positions, job titles, roles, departments and teams, as of a date.

* Records name things: [Person][workplan_core.org.Person], [JobTitle][workplan_core.org.JobTitle],
  [Role][workplan_core.org.Role], [Department][workplan_core.org.Department] (a tree),
  [Team][workplan_core.org.Team] and [Position][workplan_core.org.Position] (the reporting
  hierarchy).
* Effective-dated memberships say who held what, when:
  [Assignment][workplan_core.org.Assignment] (a person in a position),
  [RoleAssignment][workplan_core.org.RoleAssignment] and
  [TeamMembership][workplan_core.org.TeamMembership].
* [Organisation][workplan_core.org.Organisation] holds them all, validates them together and
  answers the as-of queries: holders, managers, reports, members, and who is accountable for an
  [OwnerRef][workplan_core.org.OwnerRef].
"""

from workplan_core.org.memberships import Assignment, RoleAssignment, TeamMembership
from workplan_core.org.organisation import Organisation
from workplan_core.org.records import Department, JobTitle, Person, Position, Role, Team
from workplan_core.org.refs import OwnerKind, OwnerRef

__all__ = [
    "Assignment",
    "Department",
    "JobTitle",
    "Organisation",
    "OwnerKind",
    "OwnerRef",
    "Person",
    "Position",
    "Role",
    "RoleAssignment",
    "Team",
    "TeamMembership",
]
