"""Opening stores by URL: the registry of backends by URL scheme.

`open_store("sqlite:///plan.db")` picks the backend registered for the URL's scheme and calls
its factory with the whole URL. Backends come from three places, in this order:

1. the library's own: `memory`, `sqlite`, `postgresql` (alias `postgres`);
2. `register_backend(scheme, factory)` at run time (refuses a taken scheme unless
   `clobber=True`);
3. installed packages that declare an entry point in the group `workplan_core.storage`, named
   by the scheme, e.g. ``mystore = "my_package.store:open_my_store"``.

A scheme is what RFC 3986 allows before ``://``: a letter, then letters, digits, ``+``, ``-``
or ``.``; schemes are case-insensitive, so URLs and entry-point names are lowercased
(``register_backend`` takes the lowercase form only). An entry point whose name is not a
scheme (``my_store``: no underscores), or whose scheme is already served by the library or an
earlier entry point, is skipped with a `RuntimeWarning` naming it and its package; a URL
using such a name is refused with a `ValidationError` that names the entry point too.

Nothing is imported until a URL of its scheme is opened. A backend that cannot be loaded —
its package is missing, its module fails while importing, or the attribute the entry point
names does not exist — raises
[BackendNotFoundError][workplan_core.storage.errors.BackendNotFoundError] naming the entry
point and the package; a factory that returns something other than a store raises
[StorageError][workplan_core.errors.StorageError]. Opening follows the protocol's rule that
every backend raises the library's errors: an exception of a factory's own (its driver's
error, an `OSError`, a `ValueError`) becomes a `StorageError` chained to it (``from``), and an
`ImportError` a `BackendNotFoundError`; the library's errors pass unchanged.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import warnings
from collections.abc import Callable
from importlib import metadata
from typing import NamedTuple, TypeAlias

from workplan_core.errors import NotFoundError, StorageError, ValidationError, WorkplanError
from workplan_core.storage.errors import BackendNotFoundError
from workplan_core.storage.protocol import Store

__all__ = [
    "DEFAULT_URL",
    "ENTRY_POINT_GROUP",
    "STORE_ENV_VAR",
    "StoreFactory",
    "backend_schemes",
    "open_store",
    "register_backend",
    "unregister_backend",
    "url_scheme",
]

StoreFactory: TypeAlias = Callable[[str], Store]
"""A backend's factory: takes the whole URL and returns an open store."""

ENTRY_POINT_GROUP = "workplan_core.storage"
"""The entry-point group through which installed packages provide backends."""
STORE_ENV_VAR = "WORKPLAN_STORE"
"""The environment variable naming the store URL used when none is given."""
DEFAULT_URL = "sqlite:///workplan.db"
"""The URL used when neither an argument nor the environment names one."""

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*\Z")
_SCHEME_RULE = "a letter, then letters, digits, '+', '-' or '.'"
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_IMPORT_PATH = re.compile(rf"{_IDENTIFIER}(\.{_IDENTIFIER})*:{_IDENTIFIER}(\.{_IDENTIFIER})*\Z")


class _Lazy(NamedTuple):
    """A backend not imported yet: how to load its factory, what names it, and its package."""

    load: Callable[[], object]
    package: str
    source: str  # e.g. "entry point 'mystore = my_package.store:open_my_store'"


def _from_path(path: str) -> Callable[[], object]:
    def load() -> object:
        module_name, _, attribute = path.partition(":")
        target: object = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else ():
            target = getattr(target, part)
        return target

    return load


_BUILTIN: dict[str, str] = {
    "memory": "workplan_core.storage.memory:MemoryStore.from_url",
    "sqlite": "workplan_core.storage.sqlite:SqliteStore.from_url",
    "postgresql": "workplan_core.storage.postgres:PostgresStore.from_url",
    "postgres": "workplan_core.storage.postgres:PostgresStore.from_url",
}

_backends: dict[str, StoreFactory | _Lazy] = {
    scheme: _Lazy(_from_path(path), "workplan_core", f"the library's backend {path!r}")
    for scheme, path in _BUILTIN.items()
}
_discovered: list[bool] = []  # non-empty once the entry points have been read
_skipped: dict[str, str] = {}  # entry-point names that are not URL schemes -> their package


def _describe(point: metadata.EntryPoint) -> tuple[str, str]:
    """The package that declares `point`, and how to name the entry point in a message."""
    package = point.dist.name if point.dist is not None else point.module.partition(".")[0]
    return package, f"entry point {f'{point.name} = {point.value}'!r} of package {package!r}"


def _discover_entry_points() -> None:
    """Add the installed packages' backends (names only; nothing is imported).

    Entry points that cannot be used are skipped with a `RuntimeWarning` naming them.
    """
    if _discovered:
        return
    _discovered.append(True)
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        scheme = point.name.lower()
        package, source = _describe(point)
        if not _SCHEME.match(scheme):
            _skipped[scheme] = package
            warnings.warn(
                f"workplan_core: {source} in group {ENTRY_POINT_GROUP!r} is skipped: "
                f"{point.name!r} is not a URL scheme ({_SCHEME_RULE}; no '_')",
                RuntimeWarning,
                stacklevel=3,
            )
            continue
        taken = _backends.get(scheme)
        if taken is not None:
            if isinstance(taken, _Lazy) and taken.source == source:
                continue  # the same distribution seen twice on the path
            by = taken.source if isinstance(taken, _Lazy) else "register_backend()"
            warnings.warn(
                f"workplan_core: {source} is skipped: the scheme {scheme!r} is already "
                f"served by {by}",
                RuntimeWarning,
                stacklevel=3,
            )
            continue
        _backends[scheme] = _Lazy(point.load, package, source)


def _check_scheme(scheme: object) -> str:
    if not isinstance(scheme, str) or not _SCHEME.match(scheme):
        raise ValidationError.single(
            "$.scheme",
            "must be a URL scheme: a lowercase letter, then letters, digits, '+', '-' or '.'",
        )
    return scheme


def register_backend(scheme: str, factory: StoreFactory | str, clobber: bool = False) -> None:
    """Make `open_store` use `factory` for URLs of `scheme`.

    Args:
        scheme: the URL scheme, e.g. ``"mystore"`` for ``mystore://…``.
        factory: a callable taking the URL and returning a store, or its import path
            ``"package.module:attribute"`` (imported at the first open).
        clobber: replace an existing backend of the same scheme instead of refusing.

    Raises:
        ValidationError: the scheme is malformed, or taken and `clobber` is false; or
            `factory` is neither callable nor an import path. (An import path is checked
            when it is first opened: see `open_store`.)
    """
    _check_scheme(scheme)
    _discover_entry_points()
    if scheme in _backends and not clobber:
        raise ValidationError.single(
            "$.scheme",
            f"a storage backend is already registered for {scheme!r}; "
            "pass clobber=True to replace it",
        )
    if isinstance(factory, str) and _IMPORT_PATH.match(factory):
        package = factory.partition(":")[0].split(".")[0]
        _backends[scheme] = _Lazy(_from_path(factory), package, f"import path {factory!r}")
    elif callable(factory):
        _backends[scheme] = factory
    else:
        raise ValidationError.single(
            "$.factory",
            f"must be a callable or an import path 'package.module:attribute', not {factory!r}",
        )


def unregister_backend(scheme: str) -> None:
    """Forget the backend of `scheme` (the library's own can be registered again later).

    Raises:
        NotFoundError: no backend is registered for `scheme`.
    """
    _discover_entry_points()
    if _backends.pop(scheme, None) is None:
        raise NotFoundError(f"no storage backend is registered for {scheme!r}")


def backend_schemes() -> tuple[str, ...]:
    """The URL schemes that `open_store` knows, sorted (backends are not imported)."""
    _discover_entry_points()
    return tuple(sorted(_backends))


def _factory(scheme: str) -> StoreFactory:
    _discover_entry_points()
    entry = _backends.get(scheme)
    if entry is None:
        known = ", ".join(sorted(_backends))
        raise BackendNotFoundError(
            f"no storage backend for URL scheme {scheme!r} (known: {known}); install the "
            f"package that provides it (entry-point group {ENTRY_POINT_GROUP!r}) or call "
            "register_backend()"
        )
    if not isinstance(entry, _Lazy):
        return entry
    try:
        loaded = entry.load()
    except ImportError as exc:
        raise BackendNotFoundError(
            f"the storage backend for {scheme!r} ({entry.source}) failed to import ({exc}); "
            f"install it with: pip install {entry.package}"
        ) from exc
    except AttributeError as exc:
        raise BackendNotFoundError(
            f"the storage backend for {scheme!r} cannot be loaded: {entry.source} names an "
            f"attribute that does not exist ({exc}); fix the entry point or the package"
        ) from exc
    except Exception as exc:  # a plugin's module may fail in any way while importing
        raise BackendNotFoundError(
            f"the storage backend for {scheme!r} ({entry.source}) failed while importing: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not callable(loaded):
        raise BackendNotFoundError(
            f"the storage backend for {scheme!r} ({entry.source}) is not callable: "
            f"{type(loaded).__name__!r}"
        )
    factory: StoreFactory = loaded
    _backends[scheme] = factory
    return factory


def _described(exc: BaseException) -> str:
    """``Type: message`` of an exception, even one whose message fails to format."""
    try:
        message = str(exc)
    except Exception:  # a plugin's exception may break in __str__ too
        message = "(its message could not be formatted)"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _name_of(factory: StoreFactory) -> str:
    """How to name a factory in a message, e.g. ``my_package.store.open_my_store``.

    A `functools.partial` is named by the function it wraps.
    """
    while isinstance(factory, functools.partial):
        factory = factory.func
    name = getattr(factory, "__qualname__", None) or type(factory).__qualname__
    module = getattr(factory, "__module__", None)
    return f"{module}.{name}" if isinstance(module, str) else str(name)


def url_scheme(url: str) -> str:
    """The lowercased scheme of a store URL.

    Raises:
        ValidationError: `url` has no ``scheme://`` prefix, or its scheme is malformed.
    """
    scheme, sep, _ = url.partition("://") if isinstance(url, str) else ("", "", "")
    if sep and _SCHEME.match(scheme.lower()):
        return scheme.lower()
    message = f"{url!r} is not a store URL (expected scheme://…, e.g. memory://)"
    if sep and scheme:
        _discover_entry_points()
        message = f"{scheme!r} is not a URL scheme ({_SCHEME_RULE})"
        if scheme.lower() in _skipped:
            message += (
                f"; the entry point {scheme!r} of package {_skipped[scheme.lower()]!r} "
                "was skipped for that reason: its name must be a URL scheme"
            )
    raise ValidationError.single("$.url", message)


def open_store(url: str | None = None) -> Store:
    """Open the store named by `url`.

    Args:
        url: e.g. ``"memory://"``, ``"sqlite:///plan.db"`` (relative path),
            ``"sqlite:////var/lib/plan.db"`` (absolute path) or
            ``"postgresql://user@host/db"``. When `None`, the environment variable
            ``WORKPLAN_STORE`` is used, and failing that ``sqlite:///workplan.db`` in the
            working directory.

    Raises:
        ValidationError: the URL is malformed.
        BackendNotFoundError: no backend serves its scheme, or the backend cannot be loaded:
            its package fails to import (the message names the package to install) or the
            attribute its entry point names does not exist.
        StorageError: the backend could not open the store, or its factory returned
            something that is not a store. An exception of the factory's own (a driver's
            error, `OSError`, `ValueError`…) becomes a `StorageError` naming the scheme, the
            factory and the exception, which is its `__cause__`; one that is `ImportError`
            becomes `BackendNotFoundError`. The library's errors (`ValidationError` for a
            bad URL, `StoreBusyError`, …) pass unchanged, and so do `KeyboardInterrupt`,
            `SystemExit` and `MemoryError`.
    """
    chosen = url if url is not None else (os.environ.get(STORE_ENV_VAR) or DEFAULT_URL)
    scheme = url_scheme(chosen)
    factory = _factory(scheme)
    try:
        store = factory(chosen)
    except (WorkplanError, MemoryError):
        raise  # the library's own errors are already what callers catch
    except ImportError as exc:  # e.g. the factory imports its driver when first called
        raise BackendNotFoundError(
            f"the storage backend for {scheme!r} ({_name_of(factory)}) failed to import "
            f"what it needs: {_described(exc)}; install the package that provides it"
        ) from exc
    except Exception as exc:  # a plugin's factory may raise its driver's own errors
        raise StorageError(
            f"the storage backend for {scheme!r} ({_name_of(factory)}) could not open the "
            f"store: {_described(exc)}"
        ) from exc
    if not isinstance(store, Store):
        raise StorageError(
            f"the storage backend for {scheme!r} returned an object of type "
            f"{type(store).__name__!r}, not a store (an object with the methods of "
            "workplan_core.storage.Store)"
        )
    return store
