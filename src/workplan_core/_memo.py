"""Caches that live exactly as long as the object they describe.

Derived columns of a cascade (row titles, owners, reading kinds, …) are worth computing once
per cascade, but a cache of a fixed number of recent cascades keeps large, dead cascades in
memory after a service has moved on to a new one. `per_object` keys the cache weakly by the
object itself: the entry goes when the object goes.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

__all__ = ["per_object"]

K = TypeVar("K")
V = TypeVar("V")


def per_object(fn: Callable[[K], V]) -> Callable[[K], V]:
    """Cache ``fn(obj)`` for as long as `obj` lives.

    `obj` must be weakly referenceable and compare by identity, and the cached value must not
    refer to `obj` (it would keep `obj` alive for good).
    """
    kept: weakref.WeakKeyDictionary[K, V] = weakref.WeakKeyDictionary()

    @functools.wraps(fn)
    def cached(obj: K) -> V:
        try:
            return kept[obj]
        except KeyError:
            value = kept[obj] = fn(obj)
            return value

    return cached
