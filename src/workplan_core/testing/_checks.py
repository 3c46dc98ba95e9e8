"""Bounded reads and brief differences, shared by the conformance kit and the state machine.

A kit that lists a store's iterator to the end never ends when the store repeats a page
forever; these helpers read at most one record more than expected and fail saying so. And a
failing comparison says where two lists first differ, with both values, rather than printing
both lists whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["MOST", "brief", "difference", "read_at_most"]

MOST = 2_000
"""More records than any kit test writes: the bound of a read whose exact size is not known."""

_WIDTH = 160


def brief(value: object, width: int = _WIDTH) -> str:
    """`repr(value)`, cut to `width` characters (a record can be megabytes long)."""
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 5]}...{text[-2:]}"


def read_at_most(records: Iterable[Any], most: int, what: str) -> list[Any]:
    """Read at most `most` records of `records`, failing when there are more.

    Reads `most` + 1 at most, so a store whose iterator never ends (say, one that yields the
    same page again and again) fails at once instead of filling the memory.

    Raises:
        AssertionError: `records` yielded more than `most` records, naming a record that came
            back twice when there is one.
    """
    iterator = iter(records)
    got = list(itertools.islice(iterator, most + 1))
    if len(got) <= most:
        return got
    close = getattr(iterator, "close", None)
    if callable(close):
        close()
    raise AssertionError(
        f"{what} yielded more than {most} records: does it repeat a page?{_repeated(got)}"
    )


def _identity(record: Any) -> tuple[Any, ...]:
    return tuple(getattr(record, name, None) for name in ("collection", "key", "version", "seq"))


def _repeated(records: list[Any]) -> str:
    """Which record came back twice (and where), or a glimpse of the last ones read."""
    seen: dict[tuple[Any, ...], int] = {}
    for position, record in enumerate(records):
        identity = _identity(record)
        if identity in seen:
            collection, key, version, seq = identity
            return (
                f" ({collection!r}, {key!r}, version {version}, seq {seq} came back at "
                f"positions {seen[identity]} and {position})"
            )
        seen[identity] = position
    last = [identity[:3] for identity in map(_identity, records[-2:])]
    return f" (the last two: {brief(last)})"


def difference(
    expected: Sequence[Any], actual: Sequence[Any], names: tuple[str, str] = ("expected", "got")
) -> str:
    """Where two sequences first differ, briefly: the position, both values and both lengths.

    `names` names the two sides in the message (say, "reference" and "store").
    """
    one, other = names
    sizes = f"{len(expected)} {one}, {len(actual)} {other}"
    for position, (wanted, got) in enumerate(zip(expected, actual, strict=False)):
        if wanted != got:
            return f"at [{position}] {one} {brief(wanted)}, {other} {brief(got)} ({sizes})"
    if len(expected) > len(actual):
        return f"{sizes}; the first missing is {brief(expected[len(actual)])}"
    if len(actual) > len(expected):
        return f"{sizes}; the first extra is {brief(actual[len(expected)])}"
    return f"equal ({sizes})"
