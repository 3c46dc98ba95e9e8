"""Opening stores by URL: defaults, the registry, entry points and lazy imports."""

from __future__ import annotations

import functools
import subprocess
import sys
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from workplan_core.errors import NotFoundError, StorageError, ValidationError
from workplan_core.storage import (
    BackendNotFoundError,
    Store,
    StoreBusyError,
    backend_schemes,
    open_store,
    register_backend,
    registry,
    unregister_backend,
)
from workplan_core.storage.memory import MemoryStore
from workplan_core.storage.sqlite import SqliteStore


@pytest.fixture(autouse=True)
def _restore_registry() -> Iterator[None]:
    backends = dict(registry._backends)
    discovered = list(registry._discovered)
    yield
    registry._backends.clear()
    registry._backends.update(backends)
    registry._discovered[:] = discovered


def test_the_library_serves_its_own_schemes() -> None:
    assert {"memory", "sqlite", "postgresql", "postgres"} <= set(backend_schemes())


def test_without_a_url_the_environment_names_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKPLAN_STORE", "memory://")
    with open_store() as store:
        assert isinstance(store, MemoryStore)


def test_without_url_or_environment_the_store_is_sqlite_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKPLAN_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    with open_store() as store:
        assert isinstance(store, SqliteStore)
    assert (tmp_path / "workplan.db").exists()


@pytest.mark.parametrize("url", ["", "memory", "/tmp/plan.db", "://x", "9x://y"])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(url)
    assert [p.path for p in caught.value.problems] == ["$.url"]


def test_schemes_are_case_insensitive() -> None:
    with open_store("MEMORY://") as store:
        assert isinstance(store, MemoryStore)


def test_an_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(BackendNotFoundError) as caught:
        open_store("nosuchstore://x")
    message = str(caught.value)
    assert "'nosuchstore'" in message
    assert "memory" in message
    assert "workplan_core.storage" in message
    assert isinstance(caught.value, LookupError)


def test_register_backend_refuses_a_taken_scheme_unless_clobbering() -> None:
    def factory(url: str) -> MemoryStore:
        return MemoryStore()

    register_backend("mine", factory)
    with pytest.raises(ValidationError, match="clobber=True"):
        register_backend("mine", factory)
    with pytest.raises(ValidationError):
        register_backend("memory", factory)
    register_backend("memory", factory, clobber=True)
    seen: list[str] = []
    register_backend("mine", lambda url: seen.append(url) or MemoryStore(), clobber=True)
    with open_store("mine://anything?x=1"):
        pass
    assert seen == ["mine://anything?x=1"]


@pytest.mark.parametrize("scheme", ["", "Bad", "1st", "with space", "x_y"])
def test_register_backend_refuses_malformed_schemes(scheme: str) -> None:
    with pytest.raises(ValidationError):
        register_backend(scheme, lambda url: MemoryStore())


def test_a_backend_can_be_named_by_import_path_and_is_imported_lazily() -> None:
    register_backend("lazy", "workplan_core.storage.memory:MemoryStore.from_url")
    with open_store("lazy://") as store:
        assert isinstance(store, MemoryStore)


def test_a_failed_import_names_the_package_to_install() -> None:
    register_backend("broken", "no_such_package_anywhere.store:open_it")
    with pytest.raises(BackendNotFoundError, match="pip install no_such_package_anywhere"):
        open_store("broken://")


def test_an_entry_point_that_fails_to_import_names_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    point = metadata.EntryPoint(
        name="ghost", value="ghost_backend_module:factory", group="workplan_core.storage"
    )
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: [point])
    registry._discovered.clear()
    assert "ghost" in backend_schemes()
    with pytest.raises(BackendNotFoundError, match="pip install ghost_backend_module"):
        open_store("ghost://")


def _entry_points(monkeypatch: pytest.MonkeyPatch, **points: str) -> None:
    """Pretend that the installed packages declare `points` (name = value)."""
    found = [
        metadata.EntryPoint(name=name, value=value, group="workplan_core.storage")
        for name, value in points.items()
    ]
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: found)
    registry._discovered.clear()


def test_entry_points_do_not_replace_the_library_backends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _entry_points(monkeypatch, memory="nowhere:x")
    with pytest.warns(RuntimeWarning, match=r"entry point 'memory = nowhere:x'.*already served"):
        schemes = backend_schemes()
    assert "memory" in schemes
    with open_store("memory://") as store:
        assert isinstance(store, MemoryStore)


def test_an_entry_point_naming_a_missing_attribute_is_a_backend_not_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _entry_points(monkeypatch, nofactory="json:no_such_factory")
    with pytest.raises(BackendNotFoundError) as caught:
        open_store("nofactory://")
    message = str(caught.value)
    assert "'nofactory'" in message
    assert "json:no_such_factory" in message
    assert "no_such_factory" in message
    assert isinstance(caught.value.__cause__, AttributeError)


def test_an_import_path_naming_a_missing_attribute_is_a_backend_not_found() -> None:
    register_backend("x", "json:nonexistent")
    with pytest.raises(BackendNotFoundError, match="json:nonexistent"):
        open_store("x://")


def test_a_backend_module_that_fails_while_importing_is_a_backend_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "exploding_backend_module.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    register_backend("boom", "exploding_backend_module:factory")
    with pytest.raises(BackendNotFoundError, match="RuntimeError: boom"):
        open_store("boom://")


@pytest.mark.parametrize("path", ["", "json", "json:", ":x", "a b:c", "json:loads()", 3])
def test_register_backend_refuses_a_malformed_import_path(path: object) -> None:
    with pytest.raises(ValidationError) as caught:
        register_backend("mine", path)  # type: ignore[arg-type]
    assert [p.path for p in caught.value.problems] == ["$.factory"]
    assert "mine" not in backend_schemes()


def test_a_factory_must_return_a_store() -> None:
    register_backend("notastore", lambda url: object())  # type: ignore[arg-type,return-value]
    with pytest.raises(StorageError, match="returned an object of type 'object', not a store"):
        open_store("notastore://")


def test_entry_point_names_are_schemes_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    _entry_points(monkeypatch, MyStore="workplan_core.storage.memory:MemoryStore.from_url")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "mystore" in backend_schemes()
    with open_store("mystore://") as store, open_store("MyStore://") as again:
        assert isinstance(store, MemoryStore)
        assert isinstance(again, MemoryStore)


@pytest.mark.parametrize("name", ["json_under", "1st", "with space", "é"])
def test_an_entry_point_name_that_is_no_url_scheme_is_reported(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _entry_points(monkeypatch, **{name: "workplan_core.storage.memory:MemoryStore.from_url"})
    with pytest.warns(RuntimeWarning, match=f"entry point '{name} = .*' .*not a URL scheme"):
        schemes = backend_schemes()
    assert name not in schemes
    with pytest.raises(ValidationError) as caught:
        open_store(f"{name}://")
    (problem,) = caught.value.problems
    assert problem.path == "$.url"
    assert f"entry point {name!r}" in problem.message
    assert "letters, digits" in problem.message


def test_unregister_backend() -> None:
    register_backend("temp", lambda url: MemoryStore())
    unregister_backend("temp")
    assert "temp" not in backend_schemes()
    with pytest.raises(NotFoundError):
        unregister_backend("temp")


def test_backends_and_their_drivers_are_imported_only_when_used() -> None:
    code = (
        "import sys, workplan_core.storage as s\n"
        "s.open_store('memory://').close()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('psycopg', 'sqlite3', "
        "'workplan_core.storage.postgres', 'workplan_core.storage.sqlite'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


class DriverError(Exception):
    """A plugin driver's own exception, unknown to the library."""


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad option 'frobnicate'"),
        OSError(13, "Permission denied"),
        DriverError("server closed the connection"),
        RuntimeError("not configured"),
        TypeError("open_it() takes 0 positional arguments but 1 was given"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_factorys_own_exception_becomes_a_storage_error(error: Exception) -> None:
    def open_it(url: str) -> Store:
        raise error

    register_backend("flaky", open_it)
    with pytest.raises(StorageError) as caught:
        open_store("flaky://user:secret@host/db")
    assert caught.value.__cause__ is error
    assert not isinstance(caught.value, BackendNotFoundError)
    message = str(caught.value)
    assert "'flaky'" in message
    assert f"{type(error).__name__}: {error}" in message
    assert "open_it" in message
    assert "secret" not in message


def test_an_entry_point_factorys_own_exception_becomes_a_storage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "failing_backend_module.py").write_text(
        "class DriverError(Exception):\n"
        "    pass\n"
        "def open_it(url):\n"
        "    raise DriverError('no route to host')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    _entry_points(monkeypatch, failing="failing_backend_module:open_it")
    with pytest.raises(StorageError, match=r"'failing'.*DriverError: no route to host") as caught:
        open_store("failing://host")
    assert type(caught.value.__cause__).__name__ == "DriverError"


def test_a_factory_that_cannot_import_its_driver_is_a_backend_not_found() -> None:
    def open_it(url: str) -> Store:
        import no_such_driver_anywhere  # type: ignore[import-not-found]  # noqa: F401

        raise AssertionError  # pragma: no cover

    register_backend("nodriver", open_it)
    with pytest.raises(BackendNotFoundError, match="no_such_driver_anywhere") as caught:
        open_store("nodriver://")
    assert isinstance(caught.value.__cause__, ImportError)


@pytest.mark.parametrize(
    "error",
    [
        ValidationError.single("$.url.mode", "unknown option"),
        StoreBusyError("busy"),
        StorageError("cannot open"),
        BackendNotFoundError("driver missing"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_factorys_library_errors_pass_unchanged(error: Exception) -> None:
    def open_it(url: str) -> Store:
        raise error

    register_backend("strict", open_it)
    with pytest.raises(type(error)) as caught:
        open_store("strict://")
    assert caught.value is error


@pytest.mark.parametrize(
    "error", [KeyboardInterrupt(), SystemExit(3), MemoryError()], ids=lambda e: type(e).__name__
)
def test_interrupts_and_exhaustion_in_a_factory_are_not_converted(error: BaseException) -> None:
    def open_it(url: str) -> Store:
        raise error

    register_backend("interrupted", open_it)
    with pytest.raises(type(error)) as caught:
        open_store("interrupted://")
    assert caught.value is error


class UnprintableError(Exception):
    """A plugin's exception whose message breaks when formatted."""

    def __str__(self) -> str:
        raise RuntimeError("cannot format")


def test_a_factorys_unprintable_exception_still_becomes_a_storage_error() -> None:
    def open_it(url: str) -> Store:
        raise UnprintableError

    register_backend("flaky", open_it)
    with pytest.raises(StorageError) as caught:
        open_store("flaky://")
    assert isinstance(caught.value.__cause__, UnprintableError)
    assert "UnprintableError: (its message could not be formatted)" in str(caught.value)


def test_a_partial_factory_is_named_by_its_function() -> None:
    def open_with(options: dict[str, str], url: str) -> Store:
        raise ValueError("no server")

    register_backend("flaky", functools.partial(open_with, {}))
    with pytest.raises(StorageError, match="open_with"):
        open_store("flaky://")
