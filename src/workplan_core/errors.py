"""The exception tree of workplan_core.

Every error the library raises on purpose is a `WorkplanError`; storage drivers' own
errors are converted at the boundary, so callers catch one family::

    WorkplanError
    ├── ValidationError (ValueError)   bad input; lists every problem with its path
    ├── NotFoundError (KeyError)       a referenced record does not exist
    ├── ConflictError                  an optimistic-concurrency expectation failed
    ├── PolicyError (PermissionError)  the caller may not see or do this
    └── StorageError                   a backend failed (I/O, corruption, driver)
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "ConflictError",
    "NotFoundError",
    "PolicyError",
    "Problem",
    "StorageError",
    "ValidationError",
    "WorkplanError",
]


class WorkplanError(Exception):
    """Root of every error that workplan_core raises on purpose."""


@attrs.frozen(order=True)
class Problem:
    """One thing wrong with an input: where (a JSON path such as `$.nodes[3].end`) and why.

    Attributes:
        path: where the problem is, as a JSON path rooted at `$`.
        message: which rule was broken, in plain words.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ValidationError(WorkplanError, ValueError):
    """Input broke one or more rules; `problems` lists every one of them.

    Args:
        problems: the problems found (at least one).
        summary: an optional first line for the message.
    """

    def __init__(self, problems: Iterable[Problem], summary: str = "invalid input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            self.problems = (Problem("$", summary),)
        self.summary = summary
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{summary} ({len(self.problems)} problem(s)):\n{lines}")

    @classmethod
    def single(cls, path: str, message: str) -> ValidationError:
        """Build an error holding one problem."""
        return cls([Problem(path, message)], summary=message)

    def prefixed(self, prefix: str) -> ValidationError:
        """Return the same problems with their paths moved under `prefix` (e.g. `$.people[2]`)."""
        moved = [Problem(prefix + p.path[1:], p.message) for p in self.problems]
        return ValidationError(moved, summary=self.summary)


class NotFoundError(WorkplanError, KeyError):
    """A referenced record (a person, a node, a stored key) does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class ConflictError(WorkplanError):
    """An optimistic-concurrency expectation failed; nothing was written.

    Args:
        message: what happened.
        conflicts: every conflicting `(collection, key)` pair.
    """

    def __init__(self, message: str, conflicts: Iterable[tuple[str, str]] = ()) -> None:
        self.conflicts: tuple[tuple[str, str], ...] = tuple(conflicts)
        super().__init__(message)


class PolicyError(WorkplanError, PermissionError):
    """The caller is not allowed to see or do this."""


class StorageError(WorkplanError):
    """A storage backend failed; the driver's own error is chained as `__cause__`."""
