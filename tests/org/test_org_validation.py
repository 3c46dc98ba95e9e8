"""Validation reports every broken rule at once, with paths into the record tuples."""

from __future__ import annotations

import attrs
import pytest
from _acme import D, acme

from workplan_core.errors import Problem, ValidationError
from workplan_core.org import (
    Assignment,
    Department,
    Organisation,
    Person,
    Position,
    RoleAssignment,
    TeamMembership,
)
from workplan_core.serialization import structure, unstructure

ORG = acme()


def with_(org: Organisation, **changes: object) -> Organisation:
    return attrs.evolve(org, **changes)


def replaced(records: tuple[object, ...], index: int, record: object) -> tuple[object, ...]:
    return (*records[:index], record, *records[index + 1 :])


def test_the_worked_example_is_valid() -> None:
    assert ORG.problems() == []
    ORG.validate()


def test_build_validates() -> None:
    with pytest.raises(ValidationError) as caught:
        Organisation.build(people=[Person("", "Nobody", D(2020, 1, 1))])
    assert caught.value.problems == (Problem("$.people[0].id", "must not be empty"),)


def test_duplicate_ids_point_at_the_repeat_and_the_first_use() -> None:
    org = with_(ORG, people=(*ORG.people, Person("cy", "Another Cy", D(2024, 1, 1))))
    assert org.problems() == [
        Problem("$.people[8].id", "duplicate id 'cy' (first used at $.people[2])")
    ]


@pytest.mark.parametrize(
    ("collection", "index", "field", "value", "message"),
    [
        ("positions", 1, "job_title_id", "nope", "unknown job title 'nope'"),
        ("positions", 1, "department_id", "nope", "unknown department 'nope'"),
        ("positions", 1, "reports_to", "nope", "unknown position 'nope'"),
        ("departments", 1, "parent_id", "nope", "unknown department 'nope'"),
        ("teams", 0, "department_id", "nope", "unknown department 'nope'"),
        ("assignments", 0, "person_id", "nope", "unknown person 'nope'"),
        ("assignments", 0, "position_id", "nope", "unknown position 'nope'"),
        ("role_assignments", 0, "person_id", "nope", "unknown person 'nope'"),
        ("role_assignments", 0, "role_id", "nope", "unknown role 'nope'"),
        ("team_memberships", 0, "person_id", "nope", "unknown person 'nope'"),
        ("team_memberships", 0, "team_id", "nope", "unknown team 'nope'"),
    ],
)
def test_unknown_references(
    collection: str, index: int, field: str, value: str, message: str
) -> None:
    records = getattr(ORG, collection)
    broken = attrs.evolve(records[index], **{field: value})
    org = with_(ORG, **{collection: replaced(records, index, broken)})
    assert Problem(f"$.{collection}[{index}].{field}", message) in org.problems()


@pytest.mark.parametrize("collection", ["people", "assignments", "role_assignments",
                                        "team_memberships"])  # fmt: skip
def test_end_before_start(collection: str) -> None:
    records = getattr(ORG, collection)
    first = records[0]
    broken = attrs.evolve(first, end=first.start.replace(year=first.start.year - 1))
    org = with_(ORG, **{collection: replaced(records, 0, broken)})
    expected = Problem(
        f"$.{collection}[0].end", f"must not be before start ({first.start.isoformat()})"
    )
    assert expected in org.problems()


def test_a_reporting_cycle_is_reported_once_at_its_first_record() -> None:
    positions = replaced(ORG.positions, 0, attrs.evolve(ORG.positions[0], reports_to="dev-1"))
    org = with_(ORG, positions=positions)
    assert org.problems() == [
        Problem(
            "$.positions[0].reports_to", "reporting cycle: ceo -> dev-1 -> web-lead -> cto -> ceo"
        )
    ]


def test_a_self_reporting_position_is_a_cycle() -> None:
    positions = replaced(ORG.positions, 1, attrs.evolve(ORG.positions[1], reports_to="cto"))
    assert with_(ORG, positions=positions).problems() == [
        Problem("$.positions[1].reports_to", "reporting cycle: cto -> cto")
    ]


def test_a_department_cycle() -> None:
    departments = replaced(ORG.departments, 0, Department("hq", "Head Office", "web"))
    assert with_(ORG, departments=departments).problems() == [
        Problem("$.departments[0].parent_id", "department cycle: hq -> web -> eng -> hq")
    ]


def test_two_holders_of_a_single_holder_position_overlap() -> None:
    intruder = Assignment("ed", "web-lead", D(2025, 6, 1), D(2025, 6, 30))
    org = with_(ORG, assignments=(*ORG.assignments, intruder))
    assert org.problems() == [
        Problem(
            "$.assignments[10]", "overlaps $.assignments[2] in single-holder position 'web-lead'"
        )
    ]


def test_back_to_back_holders_do_not_overlap() -> None:
    successor = Assignment("ed", "web-lead", D(2025, 6, 30), D(2025, 6, 30))
    org = with_(ORG, assignments=(*ORG.assignments, successor))
    assert len(org.problems()) == 1  # the same last day overlaps
    successor = Assignment("ed", "dev-1", D(2025, 7, 1))
    org = with_(ORG, assignments=(*ORG.assignments, successor))
    assert org.problems() == []


def test_a_pool_allows_many_holders_but_not_one_person_twice() -> None:
    twice = Assignment("gus", "acct", D(2025, 1, 1), D(2025, 2, 1))
    org = with_(ORG, assignments=(*ORG.assignments, twice))
    assert org.problems() == [
        Problem(
            "$.assignments[10]", "overlaps $.assignments[6]: 'gus' already holds position 'acct'"
        )
    ]


def test_overlapping_roles_and_team_memberships() -> None:
    org = with_(
        ORG,
        role_assignments=(*ORG.role_assignments, RoleAssignment("ed", "warden", D(2025, 1, 1))),
        team_memberships=(
            *ORG.team_memberships,
            TeamMembership("ed", "guild", D(2025, 8, 31), D(2025, 9, 30)),
        ),
    )
    role_clash = "overlaps $.role_assignments[0]: 'ed' already holds role 'warden'"
    team_clash = "overlaps $.team_memberships[1]: 'ed' is already in team 'guild'"
    assert org.problems() == [
        Problem("$.role_assignments[1]", role_clash),
        Problem("$.team_memberships[2]", team_clash),
    ]


def test_memberships_outside_employment() -> None:
    org = with_(
        ORG,
        assignments=(*ORG.assignments, Assignment("hal", "dev-1", D(2025, 7, 1))),
        team_memberships=(*ORG.team_memberships, TeamMembership("ed", "guild", D(2024, 1, 1),
                                                                D(2024, 2, 1))),
    )  # fmt: skip
    assert org.problems() == [
        Problem("$.assignments[10].end", "after 'hal' leaves (2025-03-31)"),
        Problem("$.team_memberships[2].start", "before 'ed' is employed (from 2024-03-01)"),
    ]


def test_every_injected_problem_is_reported_at_once() -> None:
    org = with_(
        ORG,
        people=(*ORG.people, Person("ed", "Second Ed", D(2024, 1, 1))),
        positions=(
            *replaced(ORG.positions, 2, attrs.evolve(ORG.positions[2], job_title_id="boss")),
            Position("loop-a", "dev", "web", "loop-b"),
            Position("loop-b", "dev", "web", "loop-a"),
        ),
        assignments=replaced(
            ORG.assignments, 3, attrs.evolve(ORG.assignments[3], end=D(2023, 1, 1))
        ),
        team_memberships=(*ORG.team_memberships, TeamMembership("zed", "guild", D(2024, 1, 1))),
    )
    with pytest.raises(ValidationError) as caught:
        org.validate()
    assert caught.value.problems == (
        Problem("$.people[8].id", "duplicate id 'ed' (first used at $.people[4])"),
        Problem("$.positions[2].job_title_id", "unknown job title 'boss'"),
        Problem("$.team_memberships[2].person_id", "unknown person 'zed'"),
        Problem("$.assignments[3].end", "must not be before start (2024-01-01)"),
        Problem("$.positions[8].reports_to", "reporting cycle: loop-a -> loop-b -> loop-a"),
    )
    assert "invalid organisation (5 problem(s))" in str(caught.value)


def test_structuring_invalid_data_reports_every_problem() -> None:
    data = unstructure(ORG)
    data["assignments"][3]["end"] = "2023-01-01"
    data["positions"][1]["reports_to"] = "ghost"
    with pytest.raises(ValidationError) as caught:
        structure(data, Organisation)
    assert caught.value.problems == (
        Problem("$.positions[1].reports_to", "unknown position 'ghost'"),
        Problem("$.assignments[3].end", "must not be before start (2024-01-01)"),
    )


def test_structuring_malformed_data_reports_paths() -> None:
    data = unstructure(ORG)
    data["assignments"][3]["end"] = "last tuesday"
    data["people"][0]["extra"] = 1
    with pytest.raises(ValidationError) as caught:
        structure(data, Organisation)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"$.people[0]", "$.assignments[3].end"}
