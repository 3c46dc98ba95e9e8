"""The `workplan` command reads SQLite store URLs through the library's public functions."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import quote

import pytest

import workplan_core.cli
from workplan_core.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["demo", "--people", "10", "--nodes", "5", *argv]) == 0
    return capsys.readouterr().out


def _fail(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--people", "10", "--nodes", "5", *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"^workplan( demo)?: error: ", err, re.MULTILINE), err
    return err


def test_the_command_uses_only_public_names_of_the_library() -> None:
    tree = ast.parse(Path(workplan_core.cli.__file__).read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workplan_core")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []


@pytest.mark.parametrize("name", ["my plan #1?.db", "100%.db", "é 計画.db"])
def test_the_demo_replaces_a_store_it_wrote_under_any_file_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    for argv in (["--db", str(path)], ["--store", f"sqlite:///{quote(str(path))}"]):
        assert "records: identical" in _run(capsys, *argv)
        assert "records: identical" in _run(capsys, *argv)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name == name) == [name]


def test_a_file_named_like_the_in_memory_database_is_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _run(capsys, "--store", "sqlite:///./:memory:")
    assert (tmp_path / ":memory:").exists()
    _run(capsys, "--store", "sqlite:///./:memory:")  # recognised as the demo's, and replaced


@pytest.mark.parametrize("name", [":memory:", "./:memory:", "file:notes.db"])
def test_db_always_names_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # "./:memory:" reached SQLite as its in-memory database, and "file:notes.db" as an URI
    monkeypatch.chdir(tmp_path)
    assert "records: identical" in _run(capsys, "--db", name)
    assert [p.name for p in tmp_path.iterdir()] == [Path(name).name]


def test_a_url_whose_path_is_not_utf_8_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    err = _fail(capsys, "--store", "sqlite:///%FF.db")
    assert "UTF-8" in err
    assert list(tmp_path.iterdir()) == []
