"""Worked examples: the as-of queries on a hand-built organisation with a reorganisation."""

from __future__ import annotations

import attrs
import pytest
from _acme import AFTER, BEFORE, LATER, D, acme

from workplan_core.errors import NotFoundError, ValidationError
from workplan_core.org import Assignment, Organisation, OwnerKind, OwnerRef, Person, Position

ORG = acme()


def ref(kind: OwnerKind, id_: str) -> OwnerRef:
    return OwnerRef(kind, id_)


def test_holders_follow_the_reorganisation() -> None:
    assert ORG.holders("web-lead", BEFORE) == {"cy"}
    assert ORG.holders("web-lead", AFTER) == {"di"}
    assert ORG.holders("dev-1", BEFORE) == {"di"}
    assert ORG.holders("dev-1", AFTER) == frozenset()
    assert ORG.holders("platform-lead", BEFORE) == frozenset()
    assert ORG.holders("platform-lead", AFTER) == {"cy"}


def test_both_ends_of_an_assignment_count() -> None:
    assert ORG.holders("web-lead", D(2025, 6, 30)) == {"cy"}
    assert ORG.holders("web-lead", D(2025, 7, 1)) == {"di"}
    assert ORG.holders("ceo", D(2023, 12, 31)) == frozenset()
    assert ORG.holders("ceo", D(2024, 1, 1)) == {"ana"}


def test_a_pool_position_has_many_holders_and_loses_a_leaver() -> None:
    assert ORG.holders("acct", BEFORE) == {"gus", "hal"}
    assert ORG.holders("acct", D(2025, 3, 31)) == {"gus", "hal"}
    assert ORG.holders("acct", D(2025, 4, 1)) == {"gus"}


def test_positions_of_a_person_over_time() -> None:
    assert ORG.positions_of("di", BEFORE) == {"dev-1"}
    assert ORG.positions_of("di", AFTER) == {"web-lead"}
    assert ORG.positions_of("hal", AFTER) == frozenset()


def test_manager_and_chain_before_and_after() -> None:
    assert ORG.manager_of("di", BEFORE) == "cy"
    assert ORG.manager_chain("di", BEFORE) == ("cy", "bo", "ana")
    assert ORG.manager_chain("ed", AFTER) == ("di", "bo", "ana")
    assert ORG.manager_chain("cy", AFTER) == ("bo", "ana")
    assert ORG.manager_of("gus", AFTER) == "fay"


def test_the_chain_skips_a_vacant_position() -> None:
    assert ORG.holders("cto", LATER) == frozenset()
    assert ORG.manager_chain("ed", LATER) == ("di", "ana")
    assert ORG.manager_of("cy", LATER) == "ana"


def test_the_top_person_and_people_without_a_position_have_no_manager() -> None:
    assert ORG.manager_of("ana", AFTER) is None
    assert ORG.manager_chain("ana", AFTER) == ()
    assert ORG.manager_of("hal", AFTER) is None
    assert ORG.manager_chain("hal", AFTER) == ()


def test_direct_reports_before_and_after() -> None:
    assert ORG.direct_reports("cy", BEFORE) == {"di", "ed"}
    assert ORG.direct_reports("cy", AFTER) == frozenset()
    assert ORG.direct_reports("di", AFTER) == {"ed"}
    assert ORG.direct_reports("bo", AFTER) == {"cy", "di"}
    assert ORG.direct_reports("fay", BEFORE) == {"gus", "hal"}
    # with the CTO position vacant, its reports move up to the CEO
    assert ORG.direct_reports("ana", LATER) == {"cy", "di", "fay"}


def test_transitive_reports() -> None:
    assert ORG.reports("ana", BEFORE) == {"bo", "cy", "di", "ed", "fay", "gus", "hal"}
    assert ORG.reports("ana", AFTER) == {"bo", "cy", "di", "ed", "fay", "gus"}
    assert ORG.reports("bo", AFTER) == {"cy", "di", "ed"}
    assert ORG.reports("di", AFTER) == {"ed"}
    assert ORG.reports("ed", AFTER) == frozenset()


def test_department_members_include_sub_departments() -> None:
    department = OwnerKind.DEPARTMENT
    assert ORG.members(ref(department, "web"), BEFORE) == {"cy", "di", "ed"}
    assert ORG.members(ref(department, "web"), AFTER) == {"di", "ed"}
    assert ORG.members(ref(department, "eng"), AFTER) == {"bo", "cy", "di", "ed"}
    assert ORG.members(ref(department, "fin"), AFTER) == {"fay", "gus"}
    assert ORG.members(ref(department, "hq"), AFTER) == {
        "ana",
        "bo",
        "cy",
        "di",
        "ed",
        "fay",
        "gus",
    }


def test_team_members_are_effective_dated() -> None:
    assert ORG.members(ref(OwnerKind.TEAM, "guild"), AFTER) == {"di"}
    assert ORG.members(ref(OwnerKind.TEAM, "guild"), BEFORE) == {"di", "ed"}


def test_members_refuses_other_kinds() -> None:
    with pytest.raises(ValidationError, match="department or team"):
        ORG.members(ref(OwnerKind.POSITION, "ceo"), AFTER)


@pytest.mark.parametrize(
    ("kind", "id_", "as_of", "expected"),
    [
        (OwnerKind.PERSON, "ed", AFTER, {"ed"}),
        (OwnerKind.PERSON, "hal", AFTER, set()),  # left
        (OwnerKind.PERSON, "ed", D(2024, 2, 1), set()),  # not yet employed
        (OwnerKind.POSITION, "web-lead", AFTER, {"di"}),
        (OwnerKind.JOB_TITLE, "eng-mgr", BEFORE, {"cy"}),
        (OwnerKind.JOB_TITLE, "eng-mgr", AFTER, {"cy", "di"}),
        (OwnerKind.JOB_TITLE, "dev", AFTER, {"ed"}),
        (OwnerKind.ROLE, "warden", AFTER, {"ed"}),
        (OwnerKind.ROLE, "warden", D(2024, 5, 31), set()),
        (OwnerKind.TEAM, "guild", AFTER, {"di"}),
        (OwnerKind.DEPARTMENT, "eng", LATER, {"cy", "di", "ed"}),
    ],
)
def test_resolve_owner_of_every_kind(
    kind: OwnerKind, id_: str, as_of: D, expected: set[str]
) -> None:
    assert ORG.resolve_owner(ref(kind, id_), as_of) == expected


@pytest.mark.parametrize("kind", list(OwnerKind))
def test_unknown_ids_raise_not_found(kind: OwnerKind) -> None:
    with pytest.raises(NotFoundError, match="unknown"):
        ORG.resolve_owner(ref(kind, "nobody"), AFTER)


@pytest.mark.parametrize(
    "query",
    ["positions_of", "manager_of", "manager_chain", "direct_reports", "reports"],
)
def test_person_queries_raise_not_found_for_unknown_people(query: str) -> None:
    with pytest.raises(NotFoundError, match="unknown person 'zed'"):
        getattr(ORG, query)("zed", AFTER)


def test_holders_of_an_unknown_position_raise_not_found() -> None:
    with pytest.raises(NotFoundError, match="unknown position 'nowhere'"):
        ORG.holders("nowhere", AFTER)


def test_the_primary_position_is_the_one_held_longest() -> None:
    # di acts as platform lead for a while, beside being web lead since 2025-07-01
    acting = Assignment("di", "platform-lead", D(2025, 8, 1), D(2025, 8, 31))
    org = attrs.evolve(ORG, assignments=(*ORG.assignments[:8], ORG.assignments[9], acting))
    org.validate()
    assert org.positions_of("di", D(2025, 8, 15)) == {"web-lead", "platform-lead"}
    assert org.primary_position("di", D(2025, 8, 15)) == "web-lead"
    assert org.manager_chain("di", D(2025, 8, 15)) == ("bo", "ana")
    # both positions count for reports
    assert org.reports("di", D(2025, 8, 15)) == {"ed"}


def test_ties_on_start_go_to_the_smallest_position_id() -> None:
    org = Organisation.build(
        people=[Person("a", "A", D(2020, 1, 1)), Person("b", "B", D(2020, 1, 1))],
        job_titles=ORG.job_titles,
        departments=ORG.departments,
        positions=[
            Position("top", "ceo", "hq"),
            Position("y", "dev", "hq", "top"),
            Position("x", "dev", "hq"),
        ],
        assignments=[
            Assignment("a", "top", D(2020, 1, 1)),
            Assignment("b", "y", D(2020, 1, 1)),
            Assignment("b", "x", D(2020, 1, 1)),
        ],
    )
    assert org.primary_position("b", D(2021, 1, 1)) == "x"
    assert org.manager_of("b", D(2021, 1, 1)) is None  # x is a top position


def test_a_reorganisation_appends_and_keeps_history() -> None:
    move = Assignment("ed", "dev-1", D(2026, 1, 1))
    closed = attrs.evolve(ORG.assignments[4], end=D(2025, 12, 31))
    org = attrs.evolve(ORG, assignments=(*ORG.assignments[:4], closed, *ORG.assignments[5:], move))
    org.validate()
    assert org.positions_of("ed", LATER) == {"dev-1"}
    assert org.positions_of("ed", AFTER) == {"dev-2"}
    assert org.manager_chain("ed", AFTER) == ORG.manager_chain("ed", AFTER)


def test_the_cached_index_stays_out_of_equality_repr_and_serialization() -> None:
    from workplan_core.serialization import unstructure

    fresh = acme()
    ORG.reports("ana", AFTER)  # builds the index
    assert fresh == ORG
    assert hash(fresh) == hash(ORG)
    assert repr(fresh) == repr(ORG)
    assert "index" not in repr(ORG)
    assert unstructure(ORG) == unstructure(fresh)
    assert set(unstructure(ORG)) == {
        "people", "job_titles", "roles", "departments", "teams", "positions",
        "assignments", "role_assignments", "team_memberships",
    }  # fmt: skip
