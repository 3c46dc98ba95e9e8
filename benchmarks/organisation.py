"""Benchmark the organisation model on synthetic organisations of 1k, 100k and 1M people.

For each size, in a fresh process (so that peak memory belongs to that size alone):

* generate the organisation and validate it;
* build the query index (the first query does this once);
* the manager chain of a leaf person, transitive reports of the top person;
* resolve 10,000 owner references of mixed kinds (40% people, 30% positions, 10% teams,
  10% departments, 5% job titles, 5% roles).

Usage::

    python benchmarks/organisation.py                       # 1k, 100k and 1M people
    python benchmarks/organisation.py --sizes 1000,100000   # a quicker run
    python benchmarks/organisation.py --json org.json       # also write the results as JSON

Targets at 100k people: generation + validation <= 3 s, transitive reports of the top person
<= 100 ms, one manager-chain query <= 20 µs.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Sequence
from typing import Any

from _common import best_of, row, sweep, target_verdict, timed
from workplan_core.org import Organisation, OwnerKind, OwnerRef
from workplan_core.synthetic import DEFAULT_AS_OF, generate_organisation

SIZES = (1_000, 100_000, 1_000_000)
TARGETS = {  # at 100k people
    "generate + validate": 3.0,
    "reports of the top person": 0.100,
    "manager chain of a leaf": 20e-6,
}
REF_MIX = (
    (OwnerKind.PERSON, 40),
    (OwnerKind.POSITION, 30),
    (OwnerKind.TEAM, 10),
    (OwnerKind.DEPARTMENT, 10),
    (OwnerKind.JOB_TITLE, 5),
    (OwnerKind.ROLE, 5),
)


def owner_refs(org: Organisation, count: int, seed: int) -> list[OwnerRef]:
    rng = random.Random(seed)
    pools = {
        OwnerKind.PERSON: [p.id for p in org.people],
        OwnerKind.POSITION: [p.id for p in org.positions],
        OwnerKind.TEAM: [t.id for t in org.teams],
        OwnerKind.DEPARTMENT: [d.id for d in org.departments],
        OwnerKind.JOB_TITLE: [t.id for t in org.job_titles],
        OwnerKind.ROLE: [r.id for r in org.roles],
    }
    kinds = rng.choices([k for k, _ in REF_MIX], weights=[w for _, w in REF_MIX], k=count)
    return [OwnerRef(kind, rng.choice(pools[kind])) for kind in kinds]


def measure_size(size: int, seed: int) -> list[dict[str, Any]]:
    as_of = DEFAULT_AS_OF
    org, generate_s = timed(lambda: generate_organisation(size, seed))
    rows = [row(size, "generate", generate_s, size, "people")]
    _, validate_s = timed(org.validate)
    rows.append(row(size, "validate", validate_s, len(org.people), "people"))
    rows.append(row(size, "generate + validate", generate_s + validate_s, size, "people"))
    top_position = org.positions[0].id
    (top,), index_s = timed(lambda: org.holders(top_position, as_of))  # builds the index
    rows.append(row(size, "build index (first query)", index_s, len(org.assignments), "records"))
    leaf = next(p.id for p in reversed(org.positions) if org.holders(p.id, as_of))
    (leaf_person,) = org.holders(leaf, as_of)
    chain_s = best_of(lambda: org.manager_chain(leaf_person, as_of), calls=10_000)
    rows.append(row(size, "manager chain of a leaf", chain_s, 1, "queries"))
    reports_s = best_of(lambda: org.reports(top, as_of), calls=3)
    rows.append(row(size, "reports of the top person", reports_s, 1, "queries"))
    refs = owner_refs(org, 10_000, seed)
    _, resolve_s = timed(lambda: [org.resolve_owner(ref, as_of) for ref in refs])
    rows.append(row(size, "resolve 10k owner refs", resolve_s, len(refs), "refs"))
    rows.extend(resolve_by_kind(org, refs, size))
    return rows


def resolve_by_kind(org: Organisation, refs: list[OwnerRef], size: int) -> list[dict[str, Any]]:
    """The same 10k resolutions, timed one by one and summed per kind of owner."""
    spent: dict[OwnerKind, float] = dict.fromkeys(OwnerKind, 0.0)
    found: dict[OwnerKind, int] = dict.fromkeys(OwnerKind, 0)
    counted: dict[OwnerKind, int] = dict.fromkeys(OwnerKind, 0)
    clock = time.perf_counter
    gc.collect()
    for ref in refs:
        start = clock()
        people = org.resolve_owner(ref, DEFAULT_AS_OF)
        spent[ref.kind] += clock() - start
        found[ref.kind] += len(people)
        counted[ref.kind] += 1
    return [
        row(
            size,
            f"  of which {kind.value}",
            spent[kind],
            counted[kind],
            "refs",
            mean_people_per_ref=found[kind] / counted[kind],
        )
        for kind, _ in REF_MIX
        if counted[kind]
    ]


def notes(result: dict[str, Any]) -> str:
    mean = result.get("mean_people_per_ref")
    remark = "" if mean is None else f"{mean:,.0f} people per ref"
    return f"{target_verdict(result, TARGETS, 100_000)}{remark}"


def main(argv: Sequence[str] | None = None) -> int:
    payload = {"benchmark": "org", "targets_at_100k": TARGETS}
    return sweep(argv, SIZES, measure_size, notes, payload)


if __name__ == "__main__":
    raise SystemExit(main())
