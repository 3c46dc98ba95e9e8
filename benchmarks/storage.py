"""Benchmark the stores: bulk writes, an indexed scan and random reads, against raw drivers.

For each backend, in a fresh process (so that peak memory belongs to that backend alone):

* write N records (default 1,000,000) in batches of 10,000 through `Store.write`;
* scan the 10,000 records matching one value of an indexed field (best of three);
* read 100,000 random keys with `get_many` (1,000 keys per call) and 10,000 with `get`.

The same rows are also written with the raw drivers, in the same process just before the
store, as the limit to compare with: `sqlite3` `executemany` into a plain (collection, key,
body) table with the same WAL and full-sync settings, and psycopg `COPY` into the same table
in PostgreSQL. Both use the same batches, one transaction per batch, and encode each record to
JSON inside the timed loop, as the stores must. The memory run also times `json.loads` of the
10,000 matching bodies alone (the floor of a scan that decodes JSON on this machine) and
building the `Put`s of the write loop without a store (the floor of any store's write rate),
and writes the same batches again into a new memory store with their `Put`s built beforehand
(the store's own rate, outside any target).

Payloads are stamped assignment records built from a synthetic organisation
(`workplan_core.synthetic.generate_organisation`): its start and end dates and position ids;
person ids are made unique per record, and position ids cycle over N / 10,000 values so that
one value matches exactly 10,000 records.

Usage::

    python benchmarks/storage.py                        # 1,000,000 records, every backend
    python benchmarks/storage.py --records 100000       # a quicker run
    python benchmarks/storage.py --backends memory,sqlite --json storage.json

The PostgreSQL backend (and raw COPY) run when ``--postgres`` (default:
``WORKPLAN_TEST_POSTGRES_DSN``) names a server; they use a private schema, dropped afterwards.

Targets: SQLite writes >= 100,000 records/s and >= 0.5x raw sqlite3 on identical payloads; the
10k-record scan <= 100 ms; PostgreSQL writes >= 50,000 records/s; memory >= 1,000,000
records/s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import bare_loop_seconds, print_table, row, run_isolated, timed, timings
from workplan_core.serialization import dump_record
from workplan_core.storage import Put, Store, open_store
from workplan_core.synthetic import generate_organisation

BACKENDS = ("memory", "sqlite", "postgresql")
COLLECTION = "assignments"
FIELD = "position_id"
TARGETS = {
    ("memory", "write"): 1_000_000,
    ("sqlite", "write"): 100_000,
    ("postgresql", "write"): 50_000,
}
SCAN_TARGET_S = 0.100


def payloads(count: int, matches: int, seed: int) -> list[dict[str, Any]]:
    """`count` stamped assignment records; each position id is held by `matches` of them."""
    org = generate_organisation(min(max(count, 10), 20_000), seed)
    templates = [dump_record(a) for a in org.assignments]
    groups = max(count // matches, 1)
    positions = [p.id for p in org.positions][:groups]
    positions += [f"pos-x{i:06d}" for i in range(groups - len(positions))]
    records = []
    for i in range(count):
        record = dict(templates[i % len(templates)])
        record["person_id"] = f"p-{i:08d}"
        record[FIELD] = positions[i % groups]
        records.append(record)
    return records


def key_of(i: int) -> str:
    return f"a-{i:08d}"


def batches(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def measure_store(
    backend: str, url: str, records: list[dict[str, Any]], args: argparse.Namespace
) -> list[dict[str, Any]]:
    count = len(records)
    rows = []
    with open_store(url) as store:
        store.declare(COLLECTION, indexed=[FIELD])

        def write_all() -> None:
            for chunk in batches(count, args.batch):
                store.write([Put(COLLECTION, key_of(i), records[i]) for i in chunk])

        _, seconds = timed(write_all)
        rows.append(row(count, "write", seconds, count, "records", backend=backend))
        rows.append(scan_row(backend, store, records))
        rows.extend(read_rows(backend, store, count, args))
    return rows


def scan_row(backend: str, store: Store, records: list[dict[str, Any]]) -> dict[str, Any]:
    value = records[0][FIELD]
    result, spent = timings(lambda: list(store.scan(COLLECTION, where={FIELD: value})), runs=3)
    found = len(result)
    return row(
        len(records), f"scan {found:,} matching", min(spent), found, "records", backend=backend
    )


def read_rows(
    backend: str, store: Store, count: int, args: argparse.Namespace
) -> list[dict[str, Any]]:
    rng = random.Random(args.seed)
    keys = [key_of(i) for i in rng.sample(range(count), min(args.reads, count))]

    def many() -> int:
        return sum(
            len(store.get_many(COLLECTION, keys[i : i + 1000])) for i in range(0, len(keys), 1000)
        )

    found, seconds = timed(many)
    operation = f"get_many {len(keys):,} random keys"
    rows = [row(count, operation, seconds, len(keys), "keys", backend=backend)]
    single = keys[:10_000]
    _, seconds = timed(lambda: [store.get(COLLECTION, k) for k in single])
    operation = f"get {len(single):,} random keys"
    rows.append(row(count, operation, seconds, len(single), "keys", backend=backend))
    assert found == len(keys)
    return rows


def measure_raw_sqlite(
    records: list[dict[str, Any]], args: argparse.Namespace
) -> list[dict[str, Any]]:
    encode = json.JSONEncoder(separators=(",", ":")).encode
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE t (collection TEXT, key TEXT, body TEXT, PRIMARY KEY (collection, key))"
        )

        def write_all() -> None:
            for chunk in batches(len(records), args.batch):
                conn.execute("BEGIN")
                conn.executemany(
                    "INSERT INTO t VALUES (?, ?, ?)",
                    [(COLLECTION, key_of(i), encode(records[i])) for i in chunk],
                )
                conn.execute("COMMIT")

        _, seconds = timed(write_all)
        conn.close()
    count = len(records)
    return [row(count, "write (executemany)", seconds, count, "records", backend="raw-sqlite")]


def measure_raw_copy(
    dsn: str, records: list[dict[str, Any]], args: argparse.Namespace
) -> list[dict[str, Any]]:
    import psycopg

    encode = json.JSONEncoder(separators=(",", ":")).encode
    schema = f"wp_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            conn.execute(
                f"CREATE TABLE {schema}.t (collection text, key text, body json, "
                "PRIMARY KEY (collection, key))"
            )

            def write_all() -> None:
                for chunk in batches(len(records), args.batch):
                    statement = f"COPY {schema}.t (collection, key, body) FROM STDIN"
                    with (
                        conn.transaction(),
                        conn.cursor() as cursor,
                        cursor.copy(statement) as copy,
                    ):
                        for i in chunk:
                            copy.write_row((COLLECTION, key_of(i), encode(records[i])))

            _, seconds = timed(write_all)
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    count = len(records)
    return [row(count, "write (COPY)", seconds, count, "records", backend="raw-copy")]


def measure_decoding(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """The floor of any scan on this machine: decoding the matching records' JSON alone."""
    texts = [json.dumps(r) for r in records[: args.matches]]
    _, seconds = timed(lambda: [json.loads(t) for t in texts])
    operation = f"json.loads {len(texts):,} bodies"
    return row(len(records), operation, seconds, len(texts), "bodies", backend="json")


def measure_harness(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """The floor of any store's write rate here: building the `Put`s alone, as `write_all` does."""

    def build_all() -> None:
        for chunk in batches(len(records), args.batch):
            [Put(COLLECTION, key_of(i), records[i]) for i in chunk]

    _, seconds = timed(build_all)
    count = len(records)
    return row(count, "build the Puts (no store)", seconds, count, "records", backend="harness")


def measure(backend: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    records = payloads(args.records, args.matches, args.seed)
    gc.freeze()  # the payloads live throughout; keep the collector from rescanning them
    if backend == "memory":
        return [
            measure_decoding(records, args),
            measure_harness(records, args),
            *measure_store(backend, "memory://", records, args),
            measure_store_only(records, args),
        ]
    if backend == "sqlite":
        rows = measure_raw_sqlite(records, args)
        with tempfile.TemporaryDirectory() as folder:
            return rows + measure_store(backend, f"sqlite:///{folder}/bench.db", records, args)
    rows = measure_raw_copy(args.postgres, records, args)
    schema = f"wp_bench_{uuid.uuid4().hex[:12]}"
    url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}schema={schema}"
    try:
        return rows + measure_store(backend, url, records, args)
    finally:
        import psycopg

        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def run_in_child(backend: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    options = {
        "--worker": backend,
        "--records": args.records,
        "--batch": args.batch,
        "--reads": args.reads,
        "--matches": args.matches,
        "--seed": args.seed,
        "--postgres": args.postgres or "",
    }
    return run_isolated(__file__, *(str(part) for pair in options.items() for part in pair))


def measure_store_only(records: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """The memory store's own write rate: the same batches, their `Put`s built beforehand."""
    prepared = [
        [Put(COLLECTION, key_of(i), records[i]) for i in chunk]
        for chunk in batches(len(records), args.batch)
    ]
    with open_store("memory://") as store:
        store.declare(COLLECTION, indexed=[FIELD])
        _, seconds = timed(lambda: [store.write(batch) for batch in prepared])
    count = len(records)
    operation = "write (Puts built beforehand)"
    return row(count, operation, seconds, count, "records", backend="memory-store")


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    notes = []
    writes = {r["backend"]: r for r in rows if r["operation"].startswith("write")}
    if "memory-store" in writes:
        rate = writes["memory-store"]["throughput_per_s"]
        notes.append(f"memory writes with the Puts built beforehand: {rate:,.0f}/s (no target)")
    for (backend, _), target in TARGETS.items():
        if backend in writes:
            rate = writes[backend]["throughput_per_s"]
            verdict = "meets" if rate >= target else "misses"
            notes.append(f"{backend} writes {rate:,.0f}/s: {verdict} the target {target:,}/s")
    if "sqlite" in writes and "raw-sqlite" in writes:
        ratio = writes["sqlite"]["throughput_per_s"] / writes["raw-sqlite"]["throughput_per_s"]
        verdict = "meets" if ratio >= 0.5 else "misses"
        notes.append(f"sqlite / raw sqlite3 = {ratio:.2f}x: {verdict} the target 0.5x")
    if "postgresql" in writes and "raw-copy" in writes:
        ratio = writes["postgresql"]["throughput_per_s"] / writes["raw-copy"]["throughput_per_s"]
        notes.append(f"postgresql / raw COPY = {ratio:.2f}x")
    for r in rows:
        if r["operation"].startswith("scan"):
            verdict = "meets" if r["seconds"] <= SCAN_TARGET_S else "misses"
            notes.append(
                f"{r['backend']} {r['operation']}: {r['seconds'] * 1000:.1f} ms, {verdict} "
                f"the target {SCAN_TARGET_S * 1000:.0f} ms"
            )
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records to write")
    parser.add_argument("--batch", type=int, default=10_000, help="records per batch")
    parser.add_argument("--reads", type=int, default=100_000, help="random keys to read")
    parser.add_argument("--matches", type=int, default=10_000, help="records the scan matches")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("WORKPLAN_TEST_POSTGRES_DSN", ""),
        help="PostgreSQL DSN for the postgresql and raw-copy backends",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args)))
        return
    chosen = [b for b in args.backends.split(",") if b]
    unknown = set(chosen) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    if not args.postgres:
        chosen = [b for b in chosen if b != "postgresql"]
    rows: list[dict[str, Any]] = []
    for backend in chosen:
        rows.extend(run_in_child(backend, args))
    print_table(rows, label="backend")
    notes = verdicts(rows)
    calibration = bare_loop_seconds()
    notes.append(
        f"calibration: the bare loop over 1M flat-array nodes took {calibration * 1000:.0f} ms "
        "(about 100 ms on the machine the targets were set on)"
    )
    print()
    for note in notes:
        print(note)
    if args.json:
        result = {"rows": rows, "verdicts": notes, "calibration_seconds": calibration}
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
