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

__all__ = ["collector_paused", "promote_to_oldest"]


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


def promote_to_oldest() -> None:
    """Move every tracked object straight to the collector's oldest generation. O(1).

    Bulk work that builds millions of long-lived, acyclic containers (a compiled cascade)
    leaves them young; the first collections afterwards would trace all of them once per
    younger generation only to promote them. Freezing and unfreezing moves them through the
    permanent generation into the oldest one without tracing. Young garbage cycles made by
    other code just before are then found by the next full collection instead of a young
    one. Skipped when the program keeps frozen objects of its own, which must stay frozen.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
