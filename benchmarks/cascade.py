"""Benchmark the cascade on synthetic cascades of 10k, 100k and 1M nodes.

For each size, in a fresh process (so that peak memory belongs to that size alone):

* generate the nodes (not a target: data preparation);
* build + validate: `Cascade(nodes)` checks every rule and compiles the flat-array index;
* full rollup: `rollup(cascade)`, the best of three, after a first one that also builds the
  level plans the cascade keeps for later rollups (reported on its own row);
* incremental updates: `RollupEngine.update` of one random leaf at a time (a new measure and
  status, prepared beforehand), each call timed: median and 99th percentile;
* line of sight: the path from a random node to its strategic objective, median per query;
* peak memory: the process's peak resident set size;
* calibration: the bare loop over flat arrays that the issue times at about 0.1 s for 1M nodes
  on its reference machine, to read the other numbers against this machine's speed;
* persistence (after the peak memory row, which it would otherwise change): saving the cascade
  through a `Workspace` on a new SQLite file and loading it back, up to 100,000 nodes (at 1M
  each takes about half a minute; not a target), then saving one and ten changed nodes
  (O(changes) store work plus an O(n) identity pass over the nodes) and loading again in a
  workspace that loaded before them (O(changes) reads plus building the cascade).

Usage::

    python benchmarks/cascade.py                       # 10k, 100k and 1M nodes
    python benchmarks/cascade.py --sizes 10000,100000  # a quicker run
    python benchmarks/cascade.py --json cascade.json   # also write the results as JSON

Targets at 1M nodes: build + validate <= 2 s, full rollup <= 0.3 s, incremental update median
<= 10 µs, peak RSS <= 1 GB.
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from _common import bare_loop, best_of, row, sweep, target_verdict, timed
from workplan_core.cascade import (
    BinaryMeasure,
    Cascade,
    Measure,
    MetricMeasure,
    RollupEngine,
    Status,
    line_of_sight,
    rollup,
)
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.workspace import Workspace

SIZES = (10_000, 100_000, 1_000_000)
TARGETS = {  # at 1M nodes
    "build + validate": 2.0,
    "full rollup": 0.3,
    "update (median)": 10e-6,
}
RSS_TARGET_MB = 1024
PERSIST_MAX = 100_000  # the largest size whose save and load are timed
UPDATES = 20_000
QUERIES = 10_000


def prepared_updates(cascade: Cascade, count: int, seed: int) -> list[tuple[str, Measure, Status]]:
    """Random leaves with a new measure (same kind and unit) and a new status each."""
    rng = random.Random(seed)
    index = cascade.index
    first, last = index.children.first, index.children.last
    leaves = [p for p in range(len(index)) if first[p] == last[p]]
    updates = []
    for position in rng.choices(leaves, k=count):
        node = index.nodes[position]
        measure: Measure
        old = node.measure
        if isinstance(old, MetricMeasure):
            reading = float(rng.randint(0, int(old.target)))
            measure = MetricMeasure(old.unit, old.baseline, old.target, reading)
        else:
            measure = BinaryMeasure(rng.random() < 0.5)
        status = rng.choice((Status.ON_TRACK, Status.AT_RISK, Status.DONE, Status.BLOCKED))
        updates.append((node.id, measure, status))
    return updates


def time_updates(
    engine: RollupEngine, updates: list[tuple[str, Measure, Status]]
) -> tuple[list[float], int]:
    clock = time.perf_counter_ns
    update = engine.update
    spent = []
    touched = 0
    gc.collect()
    for node_id, measure, status in updates:
        start = clock()
        changed = update(node_id, measure=measure, status=status)
        spent.append((clock() - start) / 1e9)
        touched += len(changed)
    return spent, touched


def time_queries(cascade: Cascade, seed: int) -> list[float]:
    rng = random.Random(seed)
    ids = rng.choices(cascade.index.ids, k=QUERIES)
    clock = time.perf_counter_ns
    spent = []
    gc.collect()
    for node_id in ids:
        start = clock()
        line_of_sight(cascade, node_id)
        spent.append((clock() - start) / 1e9)
    return spent


def measure_size(size: int, seed: int) -> list[dict[str, Any]]:
    nodes, generate_s = timed(lambda: generate_cascade(size, seed))
    rows = [row(size, "generate", generate_s, size, "nodes")]
    cascade, build_s = timed(lambda: Cascade(nodes))
    rows.append(row(size, "build + validate", build_s, size, "nodes"))
    _, first_s = timed(lambda: rollup(cascade))  # also builds the kept level plans
    rows.append(row(size, "full rollup (first)", first_s, size, "nodes"))
    rollup_s = best_of(lambda: rollup(cascade))
    rows.append(row(size, "full rollup", rollup_s, size, "nodes"))
    engine, engine_s = timed(lambda: RollupEngine(cascade))
    rows.append(row(size, "engine start (full rollup)", engine_s, size, "nodes"))
    updates = prepared_updates(cascade, UPDATES, seed)
    spent, touched = time_updates(engine, updates)
    spent.sort()
    median = statistics.median(spent)
    p99 = spent[int(len(spent) * 0.99)]
    rows.append(row(size, "update (median)", median, 1, "updates"))
    rows.append(row(size, "update (p99)", p99, 1, "updates"))
    mean_changed = touched / len(spent)
    rows.append(
        row(
            size, "update (all)", sum(spent), len(spent), "updates", mean_nodes_changed=mean_changed
        )
    )
    queries = sorted(time_queries(cascade, seed))
    rows.append(row(size, "line of sight (median)", statistics.median(queries), 1, "queries"))
    rows.append(
        row(
            size,
            "calibration: bare loop",
            bare_loop(cascade.index.parent, cascade.index.weight),
            size,
            "nodes",
        )
    )
    rows.append(row(size, "peak RSS", 0.0, 1, "MB"))
    if size <= PERSIST_MAX:
        rows.extend(persistence_rows(cascade))
    return rows


def persistence_rows(cascade: Cascade) -> list[dict[str, Any]]:
    """Save the cascade through a workspace on a new SQLite file, load it back, save edits.

    The edits: one node retitled, then ten, each saved by the workspace that loaded the
    cascade (a save with a base reads the changes since, not the whole collection); then a
    second workspace that loaded the cascade before the edits loads it again (from its base
    and the changes since).
    """
    size = len(cascade.nodes)
    with tempfile.TemporaryDirectory() as folder:
        with Workspace.open(f"sqlite:///{Path(folder) / 'cascade.db'}") as workspace:
            _, save_s = timed(lambda: workspace.save_cascade(cascade))
        with Workspace.open(f"sqlite:///{Path(folder) / 'cascade.db'}") as workspace:
            loaded, load_s = timed(workspace.load_cascade)
            reader = Workspace(workspace.store)
            reader.load_cascade()
            one = retitled(loaded, 1, "one")
            _, one_s = timed(lambda: workspace.save_cascade(one))
            ten = retitled(one, 10, "ten")
            _, ten_s = timed(lambda: workspace.save_cascade(ten))
            again, again_s = timed(reader.load_cascade)
    assert loaded.nodes == cascade.nodes
    assert again == ten
    return [
        row(size, "save to SQLite (Workspace)", save_s, size, "nodes"),
        row(size, "load from SQLite (Workspace)", load_s, size, "nodes"),
        row(size, "save 1 changed node (Workspace)", one_s, 1, "saves"),
        row(size, "save 10 changed nodes (Workspace)", ten_s, 1, "saves"),
        row(size, "load again after 11 changes (Workspace)", again_s, 1, "loads"),
    ]


def retitled(cascade: Cascade, count: int, title: str) -> Cascade:
    """`cascade` with `count` nodes, spread through it, given a new title."""
    step = max(len(cascade.nodes) // count, 1)
    changed = [
        attrs.evolve(cascade.nodes[i], title=f"{title} {i}")
        for i in range(0, len(cascade.nodes), step)
    ][:count]
    return cascade.replace(*changed)


def verdict(result: dict[str, Any]) -> str:
    if result["size"] != 1_000_000:
        return ""
    if result["operation"] == "peak RSS":
        ok = result["peak_rss_mb"] <= RSS_TARGET_MB
        return f"{'ok' if ok else 'MISSED'} (target {RSS_TARGET_MB} MB)"
    return target_verdict(result, TARGETS, 1_000_000)


def note(result: dict[str, Any]) -> str:
    if result["operation"] == "calibration: bare loop" and result["size"] == 1_000_000:
        return f"the issue's reference machine: about 0.1 s ({result['seconds'] / 0.1:.1f}x here)"
    mean = result.get("mean_nodes_changed")
    return "" if mean is None else f"{mean:.1f} nodes changed per update"


def notes(result: dict[str, Any]) -> str:
    return f"{verdict(result)}{note(result)}"


def main(argv: Sequence[str] | None = None) -> int:
    payload = {"benchmark": "cascade", "targets_at_1m": {**TARGETS, "peak RSS (MB)": RSS_TARGET_MB}}
    return sweep(argv, SIZES, measure_size, notes, payload)


if __name__ == "__main__":
    raise SystemExit(main())
