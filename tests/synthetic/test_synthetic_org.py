"""The synthetic organisation generator: exact sizes, validity, realism, determinism."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.org import Organisation, OwnerKind, OwnerRef
from workplan_core.synthetic import DEFAULT_AS_OF, generate_organisation


@pytest.fixture(scope="module")
def org() -> Organisation:
    return generate_organisation(3_000, seed=11)


def test_exact_size_and_valid(org: Organisation) -> None:
    assert len(org.people) == 3_000
    assert org.problems() == []


@settings(max_examples=25)
@given(st.integers(10, 400), st.integers(0, 2**32))
def test_any_size_is_exact_and_valid(size: int, seed: int) -> None:
    generated = generate_organisation(size, seed)
    assert len(generated.people) == size
    assert generated.problems() == []


def test_same_seed_same_organisation() -> None:
    assert generate_organisation(500, seed=3) == generate_organisation(500, seed=3)


def test_another_seed_another_organisation() -> None:
    assert generate_organisation(500, seed=3) != generate_organisation(500, seed=4)


def test_too_small_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        generate_organisation(9)


def test_spans_are_5_to_12(org: Organisation) -> None:
    spans = Counter(p.reports_to for p in org.positions if p.reports_to is not None)
    ordered = [spans[p.id] for p in org.positions if spans[p.id]]
    assert all(5 <= n <= 12 for n in ordered[:-1])
    assert 1 <= ordered[-1] <= 12  # the last manager takes what is left
    assert sum(1 for p in org.positions if p.reports_to is None) == 1


def test_history_has_leavers_moves_vacancies_and_future_hires(org: Organisation) -> None:
    as_of = DEFAULT_AS_OF
    leavers = [p for p in org.people if p.end is not None]
    assert len(leavers) == 3_000 // 12
    assert all(p.end is not None and p.end < as_of for p in leavers)
    per_person = Counter(a.person_id for a in org.assignments)
    movers = [p for p, n in per_person.items() if n > 1]
    assert 0.3 * len(leavers) < len(movers) < 0.7 * len(leavers)  # half are replaced inside
    for mover in movers[:20]:
        spans = sorted((a.start, a.end) for a in org.assignments if a.person_id == mover)
        (_, first_end), (second_start, second_end) = spans
        assert first_end is not None
        assert second_start == first_end + dt.timedelta(days=1)  # moved on the next day
        assert second_end is None
    vacant = [p for p in org.positions if not org.holders(p.id, as_of)]
    assert 0.01 * len(org.positions) < len(vacant) < 0.1 * len(org.positions)
    assert any(a.start > as_of for a in org.assignments)  # hired, starting soon
    assert all(a.start >= as_of - dt.timedelta(days=3650) for a in org.assignments)


def test_departments_teams_titles_and_roles(org: Organisation) -> None:
    as_of = DEFAULT_AS_OF
    top = [d for d in org.departments if d.parent_id is None]
    assert [d.name for d in top] == ["Executive Office"]
    divisions = [d for d in org.departments if d.parent_id == top[0].id]
    assert 5 <= len(divisions) <= 12
    everyone = org.members(OwnerRef(OwnerKind.DEPARTMENT, top[0].id), as_of)
    assert len(everyone) == sum(1 for p in org.positions if org.holders(p.id, as_of))
    titles = {t.id: t.name for t in org.job_titles}
    assert titles[org.positions[0].job_title_id] == "Chief Executive Officer"
    assert len(org.teams) == sum(1 for p in org.positions if p.id in
                                 {q.reports_to for q in org.positions})  # fmt: skip
    assert org.role_assignments
    team = org.teams[5]
    members = org.members(OwnerRef(OwnerKind.TEAM, team.id), as_of)
    lead = org.positions[5]
    assert members <= set().union(*(org.holders(p.id, as_of) for p in org.positions
                                    if p.reports_to == lead.id))  # fmt: skip


def test_the_hierarchy_is_deep_and_queries_agree(org: Organisation) -> None:
    as_of = DEFAULT_AS_OF
    (top,) = org.holders(org.positions[0].id, as_of)
    current = {a.person_id for a in org.assignments if a.active_on(as_of)}
    assert org.reports(top, as_of) == current - {top}
    leaf = next(p for p in reversed(org.positions) if org.holders(p.id, as_of))
    (person,) = org.holders(leaf.id, as_of)
    chain = org.manager_chain(person, as_of)
    assert len(chain) >= 3
    assert chain[-1] == top
    # one position per person at a time and single holders: reports and chains agree
    for manager in chain:
        assert person in org.reports(manager, as_of)


def test_as_of_moves_the_history() -> None:
    later = generate_organisation(200, seed=1, as_of=dt.date(2030, 6, 30))
    assert later.problems() == []
    assert max(a.start for a in later.assignments) > dt.date(2030, 1, 1)
