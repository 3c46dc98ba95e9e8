"""Strategies for store keys and records: JSON values of every kind a store must keep verbatim."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from workplan_core.storage.encoding import MAX_KEY_LENGTH

__all__ = ["json_values", "store_keys", "store_records"]

_KEY_ALPHABET = st.characters(codec="utf-8", exclude_characters="\x00")


def store_keys(max_size: int = 12) -> st.SearchStrategy[str]:
    """Valid keys: non-empty Unicode strings without NUL characters (any script, emoji, quotes)."""
    return st.text(_KEY_ALPHABET, min_size=1, max_size=min(max_size, MAX_KEY_LENGTH))


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value a record may hold.

    Null, booleans, integers of any size, finite floats (including -0.0 and subnormals), any
    text (including NUL), and lists and objects nesting them.
    """
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=max_leaves,
    )


def store_records(max_leaves: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    """Records a store accepts: dicts of text keys to JSON values."""
    return st.dictionaries(st.text(), json_values(max_leaves), max_size=6)
