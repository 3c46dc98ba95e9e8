"""Caches that live exactly as long as the object they describe.

Derived columns of a cascade (row titles, owners, reading kinds, …) are worth computing once
per cascade, but a cache of a fixed number of recent cascades keeps large, dead cascades in
memory after a service has moved on to a new one. `per_object` keys the cache by the object's
identity and holds it weakly: the entry goes when the object goes. It never hashes or compares
the object, so an object with value equality (a cascade of a million nodes) is neither hashed
nor compared on a lookup, and two equal objects keep separate entries.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["IdentityCache", "per_object"]

K = TypeVar("K")
V = TypeVar("V")


class IdentityCache(Generic[K, V]):
    """Values kept per object, by identity, for as long as the object lives.

    The object must be weakly referenceable, and a value must not refer to its object (it
    would keep it alive for good). Lookups and stores are O(1) and never call the object's
    `__hash__` or `__eq__`. Entries keep the order they were stored in (oldest first).
    """

    __slots__ = ("__weakref__", "_kept")

    def __init__(self) -> None:
        # id(obj) -> (a weak reference to obj, its value)
        self._kept: dict[int, tuple[weakref.ref[K], V]] = {}

    def entry(self, obj: K) -> tuple[V] | None:
        """``(value,)`` when a value is kept for `obj` (which may be `None`), else `None`."""
        entry = self._kept.get(id(obj))
        if entry is None or entry[0]() is not obj:
            return None
        return (entry[1],)

    def get(self, obj: K) -> V | None:
        """The value kept for `obj`, or `None`."""
        found = self.entry(obj)
        return None if found is None else found[0]

    def put(self, obj: K, value: V) -> None:
        """Keep `value` for `obj` (replacing any), as the newest entry."""
        key = id(obj)
        kept = weakref.ref(self)

        def forget(ref: weakref.ref[K]) -> None:  # `obj` died: drop its entry, if still its
            cache = kept()
            if cache is not None and (entry := cache._kept.get(key)) and entry[0] is ref:
                del cache._kept[key]

        self._kept.pop(key, None)
        self._kept[key] = (weakref.ref(obj, forget), value)

    def pop(self, obj: K) -> V | None:
        """Drop the entry of `obj`; its value, or `None` when there was none."""
        found = self.entry(obj)
        if found is not None:
            del self._kept[id(obj)]
        return None if found is None else found[0]

    def drop_oldest(self) -> None:
        """Drop the entry stored first."""
        if self._kept:
            del self._kept[next(iter(self._kept))]

    def items(self) -> list[tuple[K, V]]:
        """The entries of objects still alive, oldest first."""
        alive = ((ref(), value) for ref, value in self._kept.values())
        return [(obj, value) for obj, value in alive if obj is not None]

    def values(self) -> list[V]:
        """The values of objects still alive, oldest first."""
        return [value for _, value in self.items()]

    def __len__(self) -> int:
        return len(self._kept)


def per_object(fn: Callable[[K], V]) -> Callable[[K], V]:
    """Cache ``fn(obj)`` for as long as `obj` lives (see `IdentityCache`)."""
    kept: IdentityCache[K, V] = IdentityCache()

    @functools.wraps(fn)
    def cached(obj: K) -> V:
        found = kept.entry(obj)
        if found is not None:
            return found[0]
        value = fn(obj)
        kept.put(obj, value)
        return value

    return cached
