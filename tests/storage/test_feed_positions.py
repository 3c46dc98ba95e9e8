"""Change-feed positions beyond any sequence number, on every bundled backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pgschema import drop_schema, new_schema, with_schema

from workplan_core.storage import Put, Store, open_store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'feed.db'}"
    else:
        dsn: str = request.getfixturevalue("postgres_dsn")
        schema = new_schema()
        try:
            with open_store(with_schema(dsn, schema)) as store:
                yield store
        finally:
            drop_schema(dsn, schema)
        return
    with open_store(url) as store:
        yield store


@pytest.mark.parametrize("since", [2**63 - 1, 2**63, 2**64, 10**40])
def test_positions_beyond_every_sequence_number_give_nothing(any_store: Store, since: int) -> None:
    any_store.write([Put("c", "k", {"n": 1})])
    assert list(any_store.changes(since)) == []


def test_the_largest_position_before_the_last_write_still_gives_it(any_store: Store) -> None:
    commit = any_store.write([Put("c", "k", {"n": 1}), Put("c", "j", {"n": 2})])
    assert [r.seq for r in any_store.changes(commit.seqs[0])] == [commit.seqs[1]]
