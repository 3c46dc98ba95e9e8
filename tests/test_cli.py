"""The `workplan` command."""

from __future__ import annotations

from pathlib import Path

import pytest

from workplan_core.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_demo_is_deterministic_and_reports_every_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "demo.db")
    first = run(capsys, "demo", "--people", "300", "--db", db)
    assert first == run(capsys, "demo", "--people", "300", "--db", db)
    assert "FY2027-Q3" in first
    assert "people employed of 300 ever" in first
    assert "longest manager chain:" in first
    assert "records: identical" in first
    assert (tmp_path / "demo.db").exists()
    assert first != run(capsys, "demo", "--people", "300", "--seed", "8", "--db", db)


def test_bad_dates_are_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--as-of", "31/03/2027", "--db", "unused.db"])
    assert info.value.code == 2
    assert "is not a date" in capsys.readouterr().err
