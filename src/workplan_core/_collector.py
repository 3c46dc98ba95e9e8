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
def collector_paused(*, settle: bool = False) -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its state after it.

    Args:
        settle: for blocks that build long-lived data. Work done with the collector paused
            leaves every container it made in the youngest generation; left alone, the
            collector traces them twice as they age (a young collection as soon as it is back,
            a middle one later) before they reach the oldest generation. With `settle`, one
            collection of the two young generations on the way out traces them once. Only
            when the collector was enabled and more young containers wait than would start a
            young collection anyway (`gc.get_threshold()[0]`): a small block costs nothing
            extra.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            young = gc.get_threshold()[0]
            if settle and young and gc.get_count()[0] > young:
                gc.collect(1)
            gc.enable()
