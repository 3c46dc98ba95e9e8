"""Pause the cyclic garbage collector around bulk work that creates no reference cycles.

Building or checking an organisation of a million people allocates millions of containers
(tuples, lists, dicts). Each allocation burst makes the collector rescan the whole, growing
heap, which turns linear work superlinear. None of that work creates reference cycles, so the
collector has nothing to find there; pausing it and restoring its previous state afterwards is
safe and keeps the work linear.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its state after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
