"""A small hand-built organisation with a reorganisation, a leaver, a pool and a vacancy.

Timeline (all dates inclusive):

* 2024: ana is CEO; bo is CTO; cy leads Web with developers di (dev-1) and ed (dev-2);
  fay is CFO with accountants gus and hal in a pool position.
* 2025-03-31: hal leaves.
* 2025-07-01 reorganisation: cy moves to a new Platform lead position; di is promoted to Web
  lead; dev-1 stays vacant.
* 2025-12-31: bo leaves; the CTO position is vacant afterwards.
"""

from __future__ import annotations

import datetime as dt

from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)

D = dt.date
BEFORE = D(2025, 1, 1)  # before the reorganisation
AFTER = D(2025, 9, 1)  # after it
LATER = D(2026, 2, 1)  # the CTO position is vacant


def acme() -> Organisation:
    return Organisation.build(
        people=[
            Person("ana", "Ana", D(2024, 1, 1)),
            Person("bo", "Bo", D(2024, 1, 1), D(2025, 12, 31)),
            Person("cy", "Cy", D(2024, 1, 1)),
            Person("di", "Di", D(2024, 1, 1)),
            Person("ed", "Ed", D(2024, 3, 1)),
            Person("fay", "Fay", D(2024, 1, 1)),
            Person("gus", "Gus", D(2024, 1, 1)),
            Person("hal", "Hal", D(2024, 1, 1), D(2025, 3, 31)),
        ],
        job_titles=[
            JobTitle("ceo", "Chief Executive Officer"),
            JobTitle("cto", "Chief Technology Officer"),
            JobTitle("eng-mgr", "Engineering Manager"),
            JobTitle("dev", "Developer"),
            JobTitle("cfo", "Chief Financial Officer"),
            JobTitle("acct", "Accountant"),
        ],
        roles=[Role("warden", "Fire warden")],
        departments=[
            Department("hq", "Head Office"),
            Department("eng", "Engineering", "hq"),
            Department("web", "Web", "eng"),
            Department("fin", "Finance", "hq"),
        ],
        teams=[Team("guild", "Frontend guild", "web")],
        positions=[
            Position("ceo", "ceo", "hq"),
            Position("cto", "cto", "eng", "ceo"),
            Position("web-lead", "eng-mgr", "web", "cto"),
            Position("dev-1", "dev", "web", "web-lead"),
            Position("dev-2", "dev", "web", "web-lead"),
            Position("platform-lead", "eng-mgr", "eng", "cto"),
            Position("cfo", "cfo", "fin", "ceo"),
            Position("acct", "acct", "fin", "cfo", single_holder=False),
        ],
        assignments=[
            Assignment("ana", "ceo", D(2024, 1, 1)),
            Assignment("bo", "cto", D(2024, 1, 1), D(2025, 12, 31)),
            Assignment("cy", "web-lead", D(2024, 1, 1), D(2025, 6, 30)),
            Assignment("di", "dev-1", D(2024, 1, 1), D(2025, 6, 30)),
            Assignment("ed", "dev-2", D(2024, 3, 1)),
            Assignment("fay", "cfo", D(2024, 1, 1)),
            Assignment("gus", "acct", D(2024, 1, 1)),
            Assignment("hal", "acct", D(2024, 1, 1), D(2025, 3, 31)),
            # the reorganisation: new assignments, the old ones closed above
            Assignment("cy", "platform-lead", D(2025, 7, 1)),
            Assignment("di", "web-lead", D(2025, 7, 1)),
        ],
        role_assignments=[RoleAssignment("ed", "warden", D(2024, 6, 1))],
        team_memberships=[
            TeamMembership("di", "guild", D(2024, 1, 1)),
            TeamMembership("ed", "guild", D(2024, 3, 1), D(2025, 8, 31)),
        ],
    )
