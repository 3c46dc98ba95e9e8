"""Properties of the organisation's queries and records, against a slow oracle."""

from __future__ import annotations

import datetime as dt
import json

import _org_oracle as oracle
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.org import (
    Assignment,
    Department,
    JobTitle,
    Organisation,
    OwnerKind,
    OwnerRef,
    Person,
    Position,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
)
from workplan_core.serialization import (
    dump_record,
    from_json,
    load_record,
    record_types,
    structure,
    to_json,
    unstructure,
)
from workplan_core.testing.strategies import for_type, organisations

DAYS = st.dates(dt.date(2020, 12, 1), dt.date(2026, 3, 1))
RECORDS = [
    Person, JobTitle, Role, Department, Team, Position, Assignment, RoleAssignment,
    TeamMembership, Organisation,
]  # fmt: skip


def test_every_org_record_type_is_registered() -> None:
    registered = {rt.cls for rt in record_types().values()}
    assert set(RECORDS) <= registered


@given(st.data())
def test_records_round_trip_through_dicts_and_json(data: st.DataObject) -> None:
    for cls in RECORDS:
        record = data.draw(for_type(cls), label=cls.__name__)
        assert structure(unstructure(record), cls) == record
        assert from_json(to_json(record), cls) == record
        assert load_record(json.loads(json.dumps(dump_record(record))), cls) == record


@given(for_type(OwnerRef))
def test_owner_refs_round_trip(ref: OwnerRef) -> None:
    assert structure(unstructure(ref), OwnerRef) == ref


@given(organisations())
def test_generated_organisations_are_valid(org: Organisation) -> None:
    assert org.problems() == []


@given(organisations(), DAYS)
def test_holders_and_positions_match_the_records(org: Organisation, day: dt.date) -> None:
    for position in org.positions:
        assert org.holders(position.id, day) == oracle.holders(org, position.id, day)
    for person in org.people:
        assert org.positions_of(person.id, day) == oracle.positions_of(org, person.id, day)
        assert org.primary_position(person.id, day) == oracle.primary_position(org, person.id, day)


@given(organisations(), DAYS)
def test_manager_chain_matches_the_oracle_and_never_repeats(
    org: Organisation, day: dt.date
) -> None:
    parent = {p.id: p.reports_to for p in org.positions}
    for person in org.people:
        chain = org.manager_chain(person.id, day)
        assert chain == oracle.manager_chain(org, person.id, day)
        assert len(set(chain)) == len(chain)
        assert person.id not in chain
        assert org.manager_of(person.id, day) == (chain[0] if chain else None)
        if chain:  # the last manager holds a position on the path with nobody new above it
            primary = org.primary_position(person.id, day)
            assert primary is not None
            path = oracle.ancestors(parent, primary)
            top = [p for p in path if chain[-1] in org.holders(p, day)]
            assert top
            above = oracle.ancestors(parent, top[0])
            newcomers = set().union(*(org.holders(p, day) for p in above)) - {person.id, *chain}
            assert not newcomers


@given(organisations(), DAYS)
def test_reports_never_contain_the_person_and_follow_the_chain(
    org: Organisation, day: dt.date
) -> None:
    ids = [p.id for p in org.people]
    reports = {x: org.reports(x, day) for x in ids}
    for x in ids:
        assert x not in reports[x]
        assert reports[x] == oracle.reports(org, x, day)
        direct = org.direct_reports(x, day)
        assert direct <= reports[x]
        assert direct == {y for y in ids if org.manager_of(y, day) == x}
    for y in ids:
        for manager in org.manager_chain(y, day):
            assert y in reports[manager]


@given(organisations(), DAYS)
def test_departments_contain_their_sub_departments(org: Organisation, day: dt.date) -> None:
    for department in org.departments:
        ref = OwnerRef(OwnerKind.DEPARTMENT, department.id)
        members = org.members(ref, day)
        assert members == oracle.department_members(org, department.id, day)
        for child in org.departments:
            if child.parent_id == department.id:
                assert org.members(OwnerRef(OwnerKind.DEPARTMENT, child.id), day) <= members


@given(organisations(), DAYS)
def test_resolve_owner_agrees_with_the_records(org: Organisation, day: dt.date) -> None:
    for title in org.job_titles:
        expected = set().union(
            *(oracle.holders(org, p.id, day) for p in org.positions if p.job_title_id == title.id)
        )
        assert org.resolve_owner(OwnerRef(OwnerKind.JOB_TITLE, title.id), day) == expected
    for role in org.roles:
        expected = {r.person_id for r in org.role_assignments if r.role_id == role.id
                    and r.active_on(day)}  # fmt: skip
        assert org.resolve_owner(OwnerRef(OwnerKind.ROLE, role.id), day) == expected
    for team in org.teams:
        expected = {m.person_id for m in org.team_memberships if m.team_id == team.id
                    and m.active_on(day)}  # fmt: skip
        assert org.members(OwnerRef(OwnerKind.TEAM, team.id), day) == expected
    for person in org.people:
        resolved = org.resolve_owner(OwnerRef(OwnerKind.PERSON, person.id), day)
        assert resolved == ({person.id} if person.employed_on(day) else set())
    for position in org.positions:
        ref = OwnerRef(OwnerKind.POSITION, position.id)
        assert org.resolve_owner(ref, day) == org.holders(position.id, day)


@given(organisations(), DAYS)
def test_queries_do_not_change_the_value(org: Organisation, day: dt.date) -> None:
    before = unstructure(org)
    for person in org.people:
        org.reports(person.id, day)
    assert unstructure(org) == before
    assert structure(before, Organisation) == org
