"""Storage errors, and the boundary that turns a driver's errors into them.

Every backend raises the same library errors for the same situation, so callers catch one
family whatever store they opened::

    StorageError                         a backend failed (I/O, driver, corruption)
    ├── StoreClosedError                 the store was used after `close()`
    ├── StoreBusyError                   a lock was not granted in time; retrying may succeed
    ├── CorruptRecordError               a stored row cannot be read; names collection and key
    └── BackendNotFoundError (LookupError)  no backend for a URL scheme, or its package is missing

Conflicts are not storage failures: a failed optimistic-concurrency expectation raises
[ConflictError][workplan_core.errors.ConflictError], and bad arguments raise
[ValidationError][workplan_core.errors.ValidationError].
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from workplan_core.errors import StorageError

__all__ = [
    "BackendNotFoundError",
    "CorruptRecordError",
    "StorageError",
    "StoreBusyError",
    "StoreClosedError",
    "driver_errors",
]


class StoreClosedError(StorageError):
    """The store was used after it was closed."""


class StoreBusyError(StorageError):
    """The backend could not get a lock in time (another writer holds it); retry the call."""


class BackendNotFoundError(StorageError, LookupError):
    """No backend serves a URL scheme, or the package that provides it failed to import."""


class CorruptRecordError(StorageError):
    """A stored row cannot be turned back into a record.

    Args:
        collection: the collection of the row.
        key: the key of the row.
        version: the version of the row, when known.
        reason: what is wrong with it.

    Attributes:
        collection: the collection of the row.
        key: the key of the row.
        version: the version of the row, or `None` when unknown.
    """

    def __init__(self, collection: str, key: str, version: int | None, reason: str) -> None:
        self.collection = collection
        self.key = key
        self.version = version
        at = f" version {version}" if version is not None else ""
        super().__init__(f"corrupt record in collection {collection!r}, key {key!r}{at}: {reason}")


@contextlib.contextmanager
def driver_errors(
    backend: str,
    driver_error: type[BaseException] | tuple[type[BaseException], ...],
    is_busy: Callable[[BaseException], bool] = lambda _: False,
) -> Iterator[None]:
    """Convert a driver's exceptions raised inside the block into library errors.

    The library's own errors pass through unchanged; the driver's error is chained as
    `__cause__` so no detail is lost.

    Args:
        backend: the backend's name, used as the message prefix (e.g. ``"sqlite"``).
        driver_error: the driver's exception class (or classes) to convert.
        is_busy: tells whether a driver error means a lock timed out.

    Raises:
        StoreBusyError: for errors that `is_busy` accepts.
        StorageError: for every other driver error.
    """
    try:
        yield
    except driver_error as exc:
        if is_busy(exc):
            raise StoreBusyError(f"{backend}: store is busy: {exc}") from exc
        raise StorageError(f"{backend}: {type(exc).__name__}: {exc}") from exc
