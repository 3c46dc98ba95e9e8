"""A writer process for the fault tests (run as a script, not collected by pytest).

Modes:

* ``counter URL ROUNDS`` — increments the counter record ROUNDS times with optimistic
  concurrency, retrying on conflict; prints one JSON line: the versions it wrote and, for each
  conflict, the version it had expected.
* ``batches URL FIRST SIZE`` — writes batches FIRST, FIRST+1, … of SIZE records each, forever;
  prints ``begin N`` before and ``done N`` after each batch (until it is killed).
"""

from __future__ import annotations

import json
import random
import sys
import time

from workplan_core.errors import ConflictError
from workplan_core.storage import Put, open_store

COUNTERS = "counters"
BATCHES = "batches"


def count(url: str, rounds: int) -> None:
    """Increment the shared counter `rounds` times; report wins and conflicts."""
    won: list[int] = []
    conflicts: list[int] = []
    with open_store(url) as store:
        print("ready", flush=True)
        sys.stdin.readline()  # start together with the other writer
        while len(won) < rounds:
            current = store.get(COUNTERS, "c")
            assert current is not None
            assert current.record is not None
            value = current.record["value"]
            time.sleep(random.uniform(0, 0.001))  # widen the read-to-write window
            try:
                commit = store.write([Put(COUNTERS, "c", {"value": value + 1}, current.version)])
            except ConflictError:
                conflicts.append(current.version)
                continue
            won.append(commit.versions[0])
    print(json.dumps({"won": won, "conflicts": conflicts}), flush=True)


def write_batches(url: str, first: int, size: int) -> None:
    """Write numbered batches of `size` records until killed."""
    with open_store(url) as store:
        store.declare(BATCHES, indexed=["batch"])
        number = first
        while True:
            print(f"begin {number}", flush=True)
            store.write(
                [
                    Put(
                        BATCHES,
                        f"b{number:05d}-{i:05d}",
                        {"batch": number, "i": i, "pad": "x" * 64},
                    )
                    for i in range(size)
                ]
            )
            print(f"done {number}", flush=True)
            number += 1


if __name__ == "__main__":
    mode, url, *numbers = sys.argv[1:]
    if mode == "counter":
        count(url, int(numbers[0]))
    else:
        write_batches(url, int(numbers[0]), int(numbers[1]))
