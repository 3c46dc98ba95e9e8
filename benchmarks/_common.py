"""What the benchmark scripts share: timing, peak memory, result rows, the table, the sweep.

The size sweeps measure one size per fresh interpreter (`run_isolated`), so that the peak
resident set size of a row belongs to that size alone; every script prints its rows with
`print_table`.
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


def timings(fn: Callable[[], Any], runs: int = 1, calls: int = 1) -> tuple[Any, list[float]]:
    """Time `runs` runs of `calls` calls to `fn`, each run after a full collection.

    Returns the last result and, for each run in order, the seconds per call.
    """
    result = None
    spent = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        for _ in range(calls):
            result = fn()
        spent.append((time.perf_counter() - start) / calls)
    return result, spent


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call `fn` once after a full collection; its result and the seconds it took."""
    result, spent = timings(fn)
    return result, spent[0]


def best_of(fn: Callable[[], Any], runs: int = 3, calls: int = 1) -> float:
    """The fastest of `runs` timed runs of `calls` calls each, in seconds per call."""
    return min(timings(fn, runs, calls)[1])


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


def row(
    size: int, operation: str, seconds: float, ops: int, unit: str, **extra: Any
) -> dict[str, Any]:
    """One result: `ops` operations (of `unit`) took `seconds` at `size`, with the peak RSS.

    Keyword arguments add fields of the script's own (a backend, counts found); `extras`
    gives them back.
    """
    return {
        "size": size,
        "operation": operation,
        "seconds": seconds,
        "ops": ops,
        "per_op_seconds": seconds / ops,
        "throughput_per_s": ops / seconds if seconds else float("inf"),
        "unit": unit,
        "peak_rss_mb": round(peak_mb(), 1),
        **extra,
    }


ROW_KEYS = frozenset(row(1, "", 1.0, 1, ""))  # the fields `row` always gives


def extras(result: dict[str, Any]) -> dict[str, Any]:
    """The fields of a row beyond those `row` always gives."""
    return {k: v for k, v in result.items() if k not in ROW_KEYS}


def format_seconds(seconds: float) -> str:
    """Seconds in the unit that reads best (s, ms or µs)."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def target_verdict(
    result: dict[str, Any], targets: dict[str, float], at_size: int | None = None
) -> str:
    """Say "ok" or "MISSED" against the row's time target, for rows having one.

    With `at_size`, only rows of that size are judged.
    """
    target = targets.get(result["operation"])
    if target is None or at_size not in (None, result["size"]):
        return ""
    ok = result["seconds"] <= target
    return f"{'ok' if ok else 'MISSED'} (target {format_seconds(target)})"


def print_table(
    results: Sequence[dict[str, Any]], notes: Verdict | None = None, label: str | None = None
) -> None:
    """Print the rows, each column as wide as its widest cell.

    `label` names a field of the rows (a backend, say) to print first, in its own column;
    `notes` gives each row's last column (verdicts, remarks). A "peak RSS" row shows only its
    peak memory.
    """
    header = ["size", "operation", "time", "per op", "throughput", "peak MB"]
    header = [label, *header] if label else header
    header = [*header, "notes"] if notes else header

    def cells(r: dict[str, Any]) -> list[str]:
        measured = r["operation"] != "peak RSS"
        return [
            *([str(r[label])] if label else []),
            f"{r['size']:,}",
            r["operation"],
            format_seconds(r["seconds"]) if measured else "",
            format_seconds(r["per_op_seconds"]) if measured else "",
            f"{r['throughput_per_s']:,.0f} {r['unit']}/s" if measured else "",
            f"{r['peak_rss_mb']:,.0f}",
            *([notes(r)] if notes else []),
        ]

    lines = [header, *(cells(r) for r in results)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    left = {label, "operation", "notes"}
    for n, line in enumerate(lines):
        pairs = zip(header, line, widths, strict=True)
        text = "  ".join(c.ljust(w) if h in left else c.rjust(w) for h, c, w in pairs).rstrip()
        print(text)
        if n == 0:
            print("-" * len(text))


def run_isolated(script: str, *options: str) -> list[dict[str, Any]]:
    """Run `script` with `options` in a fresh interpreter and return the rows it prints."""
    done = subprocess.run(
        [sys.executable, script, *options], check=True, stdout=subprocess.PIPE, text=True
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def sweep(
    argv: Sequence[str] | None,
    sizes: Sequence[int],
    measure: Callable[[int, int], list[dict[str, Any]]],
    notes: Verdict,
    payload: dict[str, Any],
) -> int:
    """The command line of a size sweep: ``--sizes``, ``--seed``, ``--json``.

    The script is the module defining `measure`; the first paragraph of its docstring
    describes the command. Each size runs in its own interpreter (the hidden ``--single``
    option); the parent prints the table and writes ``payload`` plus the rows as JSON when
    asked.
    """
    module = sys.modules[measure.__module__]
    parser = argparse.ArgumentParser(description=(module.__doc__ or "").partition("\n\n")[0])
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
    script = str(module.__file__)
    results: list[dict[str, Any]] = []
    for size in chosen:
        results += run_isolated(script, "--single", str(size), "--seed", str(args.seed))
    print_table(results, notes)
    if args.json is not None:
        body = {**payload, "seed": args.seed, "results": results}
        args.json.write_text(json.dumps(body, indent=2) + "\n")
    return 0
