"""Node status: the seven statuses, how statuses roll up, and the derived *overdue* flag.

The status rollup rule (used for every node that has active contributors and is neither
cancelled nor manual) is, in order:

1. every active contributor is done → **done**;
2. else the most severe problem present: **blocked**, then **off track**, then **at risk**;
3. else, if any contributor is on track or done (work is under way) → **on track**;
4. else (every active contributor is not started) → **not started**.

*Active* means not cancelled: cancelled contributors are counted but drop out of the rule.
"""

from __future__ import annotations

import datetime as dt
import enum

from workplan_core.periods import Period

__all__ = ["STATUSES", "Status", "is_overdue", "roll_status"]


class Status(enum.Enum):
    """Where a node stands; values are the stored strings."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def code(self) -> int:
        """The status's position in [STATUSES][workplan_core.cascade.status.STATUSES]."""
        return _CODE[self]

    @property
    def is_closed(self) -> bool:
        """Whether the node needs no more work (done or cancelled)."""
        return self in (Status.DONE, Status.CANCELLED)


STATUSES: tuple[Status, ...] = tuple(Status)
"""Every status in declaration order; a status's `code` is its index here."""

_CODE = {status: index for index, status in enumerate(STATUSES)}

#: Problem statuses from most to least severe.
_PROBLEMS = (Status.BLOCKED, Status.OFF_TRACK, Status.AT_RISK)


def roll_status(counts: dict[Status, int] | list[int] | tuple[int, ...]) -> Status | None:
    """Apply the status rollup rule to counts of contributors by status.

    Args:
        counts: how many contributors have each status, either as a mapping or as a
            sequence indexed by status code.

    Returns:
        The rolled-up status, or `None` when no contributor is active (the caller then
        falls back to the node's own status). O(1).
    """
    if isinstance(counts, dict):
        by_code = [counts.get(status, 0) for status in STATUSES]
    else:
        by_code = list(counts)
    active = sum(by_code) - by_code[Status.CANCELLED.code]
    if active <= 0:
        return None
    done = by_code[Status.DONE.code]
    if done == active:
        return Status.DONE
    for status in _PROBLEMS:
        if by_code[status.code]:
            return status
    if by_code[Status.ON_TRACK.code] or done:
        return Status.ON_TRACK
    return Status.NOT_STARTED


def is_overdue(period: Period, status: Status, as_of: dt.date) -> bool:
    """Whether a node is overdue: its period ended before `as_of` and it is not done or cancelled.

    Args:
        period: the node's period.
        status: the node's (rolled-up) status.
        as_of: the date to judge on; nothing reads the clock.
    """
    return period.end < as_of and not status.is_closed
