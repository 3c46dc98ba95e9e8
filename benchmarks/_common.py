"""What the size-sweeping benchmark scripts share: timing, peak memory, result rows, the table.

Each script measures one size per fresh interpreter (`run_isolated`), so that the peak resident
set size of a row belongs to that size alone, and prints every row with `print_table`.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Verdict = Callable[[dict[str, Any]], str]


def peak_mb() -> float:
    """The process's peak resident set size so far, in MB (the kernel reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call `fn` once after a full collection; its result and the seconds it took."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def best_of(fn: Callable[[], Any], runs: int = 3) -> float:
    """The fastest of `runs` timed calls, in seconds."""
    return min(timed(fn)[1] for _ in range(runs))


def bare_loop(parent: Sequence[int], weight: Sequence[float]) -> float:
    """Calibration: seconds a bare loop over flat arrays takes to add each child into its parent.

    The cascade issue times this at about 0.1 s for 1M nodes on the machine its targets were
    set on; the ratio tells how fast the machine running a benchmark is today. A parent of -1
    means none.
    """
    size = len(parent)
    progress = [0.5] * size
    weighted = [0.0] * size
    total = [0.0] * size
    gc.collect()
    start = time.perf_counter()
    for child in range(size - 1, -1, -1):
        p = parent[child]
        if p >= 0:
            w = weight[child]
            weighted[p] += w * progress[child]
            total[p] += w
    return time.perf_counter() - start


def bare_loop_seconds(size: int = 1_000_000, fan_out: int = 26) -> float:
    """`bare_loop` over a synthetic tree of `size` nodes with `fan_out` children each."""
    parent = [(child - 1) // fan_out for child in range(size)]  # child 0 is the root
    weight = [1.0 + (child % 3) for child in range(size)]
    return bare_loop(parent, weight)


def row(size: int, operation: str, seconds: float, ops: int, unit: str) -> dict[str, Any]:
    """One result: `ops` operations (of `unit`) took `seconds` at `size`, with the peak RSS."""
    return {
        "size": size,
        "operation": operation,
        "seconds": seconds,
        "ops": ops,
        "per_op_seconds": seconds / ops,
        "throughput_per_s": ops / seconds if seconds else float("inf"),
        "unit": unit,
        "peak_rss_mb": round(peak_mb(), 1),
    }


def format_seconds(seconds: float) -> str:
    """Seconds in the unit that reads best (s, ms or µs)."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def target_verdict(result: dict[str, Any], targets: dict[str, float], at_size: int) -> str:
    """Say "ok" or "MISSED" against the row's time target, for rows of `at_size` having one."""
    target = targets.get(result["operation"])
    if target is None or result["size"] != at_size:
        return ""
    ok = result["seconds"] <= target
    return f"{'ok' if ok else 'MISSED'} (target {format_seconds(target)})"


def print_table(results: Sequence[dict[str, Any]], notes: Verdict) -> None:
    """Print the rows; `notes` gives each row's last column (verdicts, remarks)."""
    header = (
        f"{'size':>9}  {'operation':<27}  {'time':>10}  {'per op':>10}  "
        f"{'throughput':>20}  {'peak MB':>8}  notes"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if r["operation"] == "peak RSS":
            print(
                f"{r['size']:>9,}  {'peak RSS':<27}  {'':>10}  {'':>10}  {'':>20}  "
                f"{r['peak_rss_mb']:>8,.0f}  {notes(r)}"
            )
            continue
        throughput = f"{r['throughput_per_s']:,.0f} {r['unit']}/s"
        print(
            f"{r['size']:>9,}  {r['operation']:<27}  {format_seconds(r['seconds']):>10}  "
            f"{format_seconds(r['per_op_seconds']):>10}  {throughput:>20}  "
            f"{r['peak_rss_mb']:>8,.0f}  {notes(r)}"
        )


def run_isolated(script: str, size: int, seed: int) -> list[dict[str, Any]]:
    """Run `script --single size` in a fresh interpreter and return the rows it prints."""
    done = subprocess.run(
        [sys.executable, script, "--single", str(size), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def sweep(
    argv: Sequence[str] | None,
    *,
    description: str,
    script: str,
    sizes: Sequence[int],
    measure: Callable[[int, int], list[dict[str, Any]]],
    notes: Verdict,
    payload: dict[str, Any],
) -> int:
    """The command line of a size sweep: ``--sizes``, ``--seed``, ``--json``.

    Each size runs in its own interpreter (the hidden ``--single`` option); the parent prints
    the table and writes ``payload`` plus the rows as JSON when asked.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in sizes),
        help=f"comma-separated sizes (default: {','.join(str(s) for s in sizes)})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.single is not None:
        print(json.dumps(measure(args.single, args.seed)))
        return 0
    chosen = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = [r for size in chosen for r in run_isolated(script, size, args.seed)]
    print_table(results, notes)
    if args.json is not None:
        body = {**payload, "seed": args.seed, "results": results}
        args.json.write_text(json.dumps(body, indent=2) + "\n")
    return 0
