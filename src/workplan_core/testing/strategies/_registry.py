"""The map from record classes to the strategies that generate them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from hypothesis import strategies as st

__all__ = ["for_type", "register_strategy", "registered"]

T = TypeVar("T")
_STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {}


def register_strategy(cls: type[T], strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Make `strategy` the one `for_type(cls)` returns; returns the strategy for chaining."""
    _STRATEGIES[cls] = strategy
    return strategy


def for_type(cls: type[T]) -> st.SearchStrategy[T]:
    """The registered strategy that generates valid `cls` values.

    Raises:
        LookupError: no strategy is registered for `cls`.
    """
    try:
        return _STRATEGIES[cls]
    except KeyError:
        raise LookupError(f"no strategy registered for {cls.__name__}") from None


def registered() -> Mapping[type[Any], st.SearchStrategy[Any]]:
    """A copy of the class-to-strategy map."""
    return dict(_STRATEGIES)
