"""Faults and bad input: concurrent writers, killed writers, corrupted rows.

Each scenario runs against SQLite and PostgreSQL (when a server is configured).
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from workplan_core.storage import CorruptRecordError, Put, open_store

WORKER = str(Path(__file__).with_name("fault_worker.py"))
ROUNDS = 100
KILLS = 20


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/faults.db"
    else:
        yield request.getfixturevalue("pg_url")


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, WORKER, *args],
        stdin=subprocess.PIPE if args[0] == "counter" else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_conflicting_writers_lose_no_update(store_url: str) -> None:
    with open_store(store_url) as store:
        store.write([Put("counters", "c", {"value": 0})])
    workers = [_spawn("counter", store_url, str(ROUNDS)) for _ in range(2)]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    reports = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        reports.append(json.loads(out))
    won = [set(report["won"]) for report in reports]
    # Every version after the first was written by exactly one of the two writers …
    assert won[0].isdisjoint(won[1])
    assert won[0] | won[1] == set(range(2, 2 * ROUNDS + 2))
    # … and every conflict one writer saw was a version the other writer had just replaced.
    for mine, theirs in ((0, 1), (1, 0)):
        for expected in reports[mine]["conflicts"]:
            assert expected + 1 in won[theirs]
    assert reports[0]["conflicts"] or reports[1]["conflicts"], "the writers never collided"
    with open_store(store_url) as store:
        final = store.get("counters", "c")
        assert final is not None
        assert (final.version, final.record) == (2 * ROUNDS + 1, {"value": 2 * ROUNDS})
        values = [r.record["value"] for r in store.history("counters", "c") if r.record]
        assert values == list(range(2 * ROUNDS + 1))


def _kill_mid_batch(url: str, first: int, size: int, rng: random.Random) -> tuple[set[int], int]:
    """Start a writer, kill it while a batch is being written; return (done, last begun)."""
    worker = _spawn("batches", url, str(first), str(size))
    assert worker.stdout is not None
    done: set[int] = set()
    begun = first - 1
    target = first + rng.randint(0, 1)
    while True:
        line = worker.stdout.readline().split()
        assert line, "the writer stopped before it was killed"
        if line[0] == "done":
            done.add(int(line[1]))
            continue
        begun = int(line[1])
        if begun == target:
            time.sleep(rng.uniform(0.0, 0.04))
            worker.send_signal(signal.SIGKILL)
            break
    worker.wait(timeout=30)
    for line in worker.stdout.read().split("\n"):
        if line.startswith("done"):
            done.add(int(line.split()[1]))
        elif line.startswith("begin"):
            begun = int(line.split()[1])
    worker.stdout.close()
    return done, begun


def test_killed_writers_leave_only_whole_batches(store_url: str) -> None:
    rng = random.Random(20_261_127)
    size = 2000 if store_url.startswith("sqlite") else 1000
    reported: set[int] = set()
    stored: set[int] = set()
    first = 0
    lost_mid_batch = 0
    for _ in range(KILLS):
        done, begun = _kill_mid_batch(store_url, first, size, rng)
        reported |= done
        with open_store(store_url) as store:
            for batch in range(first, begun + 1):
                found = sum(1 for _ in store.scan("batches", where={"batch": batch}))
                assert found in (0, size), f"batch {batch} was stored in part ({found} records)"
                if found:
                    stored.add(batch)
        assert reported <= stored, "a batch reported committed is missing"
        lost_mid_batch += begun not in stored
        first = begun + 1
    assert lost_mid_batch > 0, "no kill landed in the middle of a batch"
    with open_store(store_url) as store:
        counts = Counter(r.record["batch"] for r in store.scan("batches") if r.record)
    assert counts == dict.fromkeys(stored, size)


def _corrupt(url: str, key: str, body: str) -> None:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        with conn:
            conn.execute("UPDATE wp_log SET body = ? WHERE key = ?", (body, key))
        conn.close()
        return
    dsn, schema = url.rsplit("schema=", 1)
    with psycopg.connect(dsn.rstrip("?&"), autocommit=True) as conn:
        conn.execute(f'UPDATE "{schema}".wp_log SET body = %s::json WHERE key = %s', (body, key))


def test_a_corrupted_row_is_reported_with_its_collection_and_key(store_url: str) -> None:
    with open_store(store_url) as store:
        store.declare("people", indexed=["team"])
        store.write([Put("people", k, {"team": "x", "name": k}) for k in ("a", "b", "c", "d")])
    _corrupt(store_url, "c", "[1, 2, 3]" if "schema=" in store_url else "{not json")
    with open_store(store_url) as store:
        seen = []
        with pytest.raises(CorruptRecordError) as caught:
            seen.extend(r.key for r in store.scan("people", where={"team": "x"}))
        assert seen == ["a", "b"]
        assert (caught.value.collection, caught.value.key, caught.value.version) == (
            "people",
            "c",
            1,
        )
        assert "'people'" in str(caught.value)
        assert "'c'" in str(caught.value)
        with pytest.raises(CorruptRecordError):
            store.get("people", "c")
        got = store.get("people", "d")
        assert got is not None
        assert got.record == {"team": "x", "name": "d"}
        # Overwriting the corrupt record repairs it, index entries included.
        store.write([Put("people", "c", {"team": "y", "name": "c"}, 1)])
        assert [r.key for r in store.scan("people", where={"team": "x"})] == ["a", "b", "d"]
        assert [r.key for r in store.scan("people", where={"team": "y"})] == ["c"]
