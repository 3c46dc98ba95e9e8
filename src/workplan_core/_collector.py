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
import threading
from collections.abc import Iterator

__all__ = ["collector_paused"]


class _Pauses:
    """How many blocks hold the collector paused, across threads, and whether to restart it.

    The collector's switch is one per process. The first block to pause it notes whether it
    was running; the last to leave restarts it then, so a block ending in one thread never
    restarts the collector under another thread's block. (A `gc.disable()` made by other code
    while a block runs is still undone when the last block ends.)
    """

    lock = threading.RLock()  # a finalizer run by a settling collection may pause too
    held = 0
    restart = False

    @classmethod
    def enter(cls) -> None:
        with cls.lock:
            if cls.held == 0:
                cls.restart = gc.isenabled()
                gc.disable()
            cls.held += 1

    @classmethod
    def leave(cls, *, settle: bool) -> None:
        """Leave a block; the last one restarts the collector (settling first if asked)."""
        with cls.lock:
            cls.held -= 1
            if cls.held or not cls.restart:
                return
            young = gc.get_threshold()[0]
            if settle and young and gc.get_count()[0] > young:
                gc.collect(1)  # before restarting: else the next allocation collects gen 0
            gc.enable()


@contextlib.contextmanager
def collector_paused(*, settle: bool = False) -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its state after it.

    Blocks may nest and run in several threads at once: the collector runs again when the
    last of them ends, if it ran when the first began.

    Args:
        settle: for blocks that build long-lived data. Work done with the collector paused
            leaves every container it made in the youngest generation; left alone, the
            collector traces them twice as they age (a young collection as soon as it is back,
            a middle one later) before they reach the oldest generation. With `settle`, one
            collection of the two young generations on the way out traces them once. Only
            when the collector runs again and more young containers wait than would start a
            young collection anyway (`gc.get_threshold()[0]`): a small block costs nothing
            extra.
    """
    _Pauses.enter()
    try:
        yield
    finally:
        _Pauses.leave(settle=settle)
