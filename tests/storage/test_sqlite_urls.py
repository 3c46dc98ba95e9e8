"""SQLite URLs: the path after ``sqlite:///`` is percent-encoded; `sqlite_url` writes one."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.errors import ValidationError
from workplan_core.storage import Put, open_store
from workplan_core.storage.sqlite import SqliteStore, SqliteUrl, parse_sqlite_url, sqlite_url

# File names a user may have: each is written in a URL with its characters percent-encoded.
NAMES = [
    "my plan.db",
    "100%.db",
    "50%25.db",  # a name that itself looks like an escape
    "plan #1.db",
    "what?.db",
    "a+b=c&d;e.db",
    "é 計画 🗂.db",
    "tab\there.db",
]


def _path_of(url: str) -> str:
    with open_store(url) as store:
        assert isinstance(store, SqliteStore)
        return store.path


@pytest.mark.parametrize("name", NAMES)
def test_a_percent_encoded_relative_path_opens_that_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _path_of(f"sqlite:///{quote(name)}") == name
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("name", NAMES)
def test_a_percent_encoded_absolute_path_opens_that_file(name: str, tmp_path: Path) -> None:
    path = tmp_path / "sub dir#?" / name
    path.parent.mkdir()
    url = f"sqlite:///{quote(str(path))}"
    assert url.startswith("sqlite:////")
    assert _path_of(url) == str(path)
    assert path.exists()


@pytest.mark.parametrize("name", NAMES)
def test_sqlite_url_names_the_same_file_as_the_path(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    assert parse_sqlite_url(sqlite_url(path)) == SqliteUrl(str(path), 30.0)
    assert _path_of(sqlite_url(path)) == str(path)
    assert path.exists()


def test_sqlite_url_keeps_the_convention_for_relative_and_absolute_paths() -> None:
    assert sqlite_url("plan.db") == "sqlite:///plan.db"
    assert sqlite_url(Path("data/plan.db")) == "sqlite:///data/plan.db"
    assert sqlite_url("/var/lib/plan.db") == "sqlite:////var/lib/plan.db"
    assert sqlite_url("my plan #1.db", timeout=2.5) == "sqlite:///my%20plan%20%231.db?timeout=2.5"
    assert sqlite_url(":memory:") == "sqlite:///:memory:"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///plan.db", "plan.db"),
        ("sqlite:////var/lib/plan.db", "/var/lib/plan.db"),
        ("sqlite:///%2Fvar%2Flib%2Fplan.db", "/var/lib/plan.db"),
        ("SQLITE:///Plan.db", "Plan.db"),
        ("sqlite:///a+b.db", "a+b.db"),  # '+' is not a space in a path
        ("sqlite:///é 計画.db", "é 計画.db"),
        ("sqlite:///plan#1.db", "plan#1.db"),  # written as is, '#' is part of the path
        ("sqlite:///100%.db", "100%.db"),  # a '%' that starts no escape is itself
        ("sqlite:///100%2.db", "100%2.db"),
        ("sqlite:///my%20plan.db?timeout=2", "my plan.db"),
        ("sqlite:///%3Fx%23y%25z.db", "?x#y%z.db"),
    ],
)
def test_urls_are_read_as_percent_encoded_paths(url: str, path: str) -> None:
    assert parse_sqlite_url(url).path == path


def test_the_query_sets_the_timeout() -> None:
    assert parse_sqlite_url("sqlite:///x.db") == SqliteUrl("x.db", 30.0)
    assert parse_sqlite_url("sqlite:///x.db?timeout=0.5") == SqliteUrl("x.db", 0.5)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///%FF.db", "UTF-8"),
        ("sqlite:///caf%E9.db", "UTF-8"),  # Latin-1, not UTF-8
        ("sqlite:///%C3.db", "UTF-8"),  # a truncated sequence
        ("sqlite:///%00.db", "NUL"),
        ("sqlite:///a\x00.db", "NUL"),
        ("sqlite:///what?.db", "%3F"),  # a raw '?' starts the options
    ],
)
def test_paths_that_name_no_file_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(url)
    (problem,) = caught.value.problems
    assert problem.path.startswith("$.url")
    assert message in problem.message


def test_only_the_path_memory_is_the_in_memory_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite:///:memory:", "sqlite:///:memory:?timeout=1", "sqlite:///%3Amemory%3A"):
        assert _path_of(url) == ":memory:"
    assert list(tmp_path.iterdir()) == []
    assert _path_of("sqlite:///./:memory:") == "./:memory:"  # a file of that name
    assert _path_of(sqlite_url(tmp_path / ":memory:")) == f"{tmp_path}/:memory:"
    assert sorted(p.name for p in tmp_path.iterdir()) == [":memory:"]


@pytest.mark.parametrize(
    ("path", "timeout", "where"),
    [
        ("", None, "$.path"),
        ("a\x00b.db", None, "$.path"),
        ("\udcff.db", None, "$.path"),  # an undecodable file name
        ("x.db", -1.0, "$.timeout"),
        ("x.db", math.nan, "$.timeout"),
        ("x.db", math.inf, "$.timeout"),
    ],
)
def test_sqlite_url_refuses_what_no_url_can_name(
    path: str, timeout: float | None, where: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        sqlite_url(path, timeout=timeout)
    assert [p.path for p in caught.value.problems] == [where]


@given(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1),
    st.none() | st.floats(min_value=0, max_value=2_147_483.647),
)
def test_sqlite_url_and_parse_sqlite_url_round_trip(path: str, timeout: float | None) -> None:
    parsed = parse_sqlite_url(sqlite_url(path, timeout=timeout))
    assert parsed == SqliteUrl(path, 30.0 if timeout is None else timeout)


def test_a_file_name_starting_with_file_colon_is_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite reads a name starting "file:" as a URI: another file, or a database in memory
    monkeypatch.chdir(tmp_path)
    for name in ("file:notes.db", "file:plan.db?mode=memory"):
        with open_store(sqlite_url(name)) as store:
            store.write([Put("c", "k", {"name": name})])
        with open_store(sqlite_url(name)) as store:
            assert store.get("c", "k").record == {"name": name}  # type: ignore[union-attr]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "file:notes.db",
        "file:plan.db?mode=memory",
    ]


@pytest.mark.parametrize("seconds", [2_147_484, 3e9, 1e300, 10**400])
def test_a_timeout_sqlite_cannot_wait_is_refused(tmp_path: Path, seconds: float) -> None:
    # a longer wait overflowed SQLite's milliseconds into no wait at all
    with pytest.raises(ValidationError, match=r"from 0 to 2147483\.647"):
        sqlite_url("p.db", timeout=seconds)
    with pytest.raises(ValidationError, match=r"from 0 to 2147483\.647"):
        open_store(f"sqlite:///{tmp_path / 'p.db'}?timeout={quote(repr(seconds))}")
    with pytest.raises(ValidationError, match=r"from 0 to 2147483\.647"):
        SqliteStore(tmp_path / "p.db", timeout=seconds)
    assert parse_sqlite_url("sqlite:///p.db?timeout=2147483.647").timeout == 2_147_483.647


@pytest.mark.parametrize(
    ("url", "path", "rule"),
    [
        (None, "$.url", "must be a string, got NoneType"),
        (b"sqlite:///p.db", "$.url", "must be a string, got bytes"),
        ("sqlite:///p.db?timeout=x&timeout=5", "$.url.timeout", "is given more than once"),
        ("sqlite:///p.db?timeout=5&timeout=5", "$.url.timeout", "is given more than once"),
        ("sqlite:///p.db?=5", "$.url.(no name)", "unknown option"),
    ],
)
def test_urls_that_are_not_strings_or_repeat_options_are_refused(
    url: object, path: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_sqlite_url(url)  # type: ignore[arg-type]
    [problem] = caught.value.problems
    assert problem.path == path
    assert rule in problem.message
