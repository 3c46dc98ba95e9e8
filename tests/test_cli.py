"""The `workplan` command."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import sqlite3
from pathlib import Path

import pytest

from workplan_core.cascade import Cascade, Node
from workplan_core.cli import _forecast_section, _shown, main
from workplan_core.forecasting import Forecast
from workplan_core.forecasting.forecast import ForecastMethod
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import Period
from workplan_core.storage import Put, open_store, register_backend, unregister_backend
from workplan_core.storage.memory import MemoryStore


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


def test_an_objective_with_no_finish_in_sight_names_the_base_nodes_holding_it_up() -> None:
    quarter = Period(dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    me = OwnerRef(OwnerKind.PERSON, "p1")
    levels = ["strategic objective", "supporting goal", "departmental target", "team goal"]
    nodes = [Node("o", "Grow", levels[0], me, quarter)]
    nodes += [Node("s", "S", levels[1], me, quarter, parent="o")]
    nodes += [Node("d", "D", levels[2], me, quarter, parent="s")]
    nodes += [Node(g, g, levels[3], me, quarter, parent="d") for g in ("g1", "g2", "g3")]
    cascade = Cascade(nodes)
    day = dt.date(2027, 2, 1)

    def forecast(node_id: str, never: bool) -> Forecast:
        cdf = (0.0, 0.0) if never else (0.0, 1.0)
        dates = (day, day + dt.timedelta(days=7))
        return Forecast(node_id, day, ForecastMethod.THROUGHPUT, dates, cdf, never=never)

    stalled = {"o", "s", "d", "g1", "g3"}
    forecasts = {n.id: forecast(n.id, n.id in stalled) for n in nodes}
    out = io.StringIO()
    _forecast_section(out, cascade, forecasts, {}, "team goal")
    lines = out.getvalue().splitlines()
    assert lines[-2].startswith("  P85 beyond the horizon")
    assert lines[-1] == (
        "      no finish in sight: 2 team goal(s) with nothing finished to go by: g1, g3"
    )
    forecasts["o"] = forecast("o", never=False)
    out = io.StringIO()
    _forecast_section(out, cascade, forecasts, {}, "team goal")
    assert "no finish in sight" not in out.getvalue()


def fail(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must fail cleanly: exit code 2, one `workplan: error:` message."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"^workplan( demo)?: error: ", err, re.MULTILINE), err
    return err


@pytest.mark.parametrize("nodes", ["1", "2", "3"])
def test_a_cascade_that_no_person_owns_still_gets_a_dashboard(
    capsys: pytest.CaptureFixture[str], nodes: str
) -> None:
    out = run(capsys, "demo", "--people", "10", "--nodes", nodes, "--store", "memory://")
    assert "Dashboard of " in out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--people", "5", "argument --people: must be at least 10"),
        ("--people", "many", "argument --people: 'many' is not a whole number"),
        ("--nodes", "0", "argument --nodes: must be at least 1"),
    ],
)
def test_sizes_the_generators_refuse_are_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    assert message in fail(capsys, "demo", option, value, "--store", "memory://")


def test_library_errors_are_one_message_with_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = fail(capsys, "demo", "--people", "10", "--db", "/nonexistent/dir/x.db")
    assert err.startswith("workplan: error: ")
    assert "unable to open database file" in err
    err = fail(capsys, "demo", "--people", "10", "--store", "nosuchscheme://x")
    assert "no storage backend for URL scheme 'nosuchscheme'" in err
    err = fail(capsys, "demo", "--store", "not a url")
    assert "is not a store URL" in err


def test_the_demo_runs_on_any_store_url(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "demo", "--people", "60", "--nodes", "80", "--store", "memory://")
    assert "saved the organisation to memory://" in out
    assert "records: identical" in out
    assert "Cascade (rolled up from the check-ins)" in out


def test_the_demo_uses_the_store_named_by_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKPLAN_STORE", "memory://")
    out = run(capsys, "demo", "--people", "30", "--nodes", "40")
    assert "saved the organisation to memory://" in out
    assert not list(tmp_path.iterdir())
    monkeypatch.delenv("WORKPLAN_STORE")
    out = run(capsys, "demo", "--people", "30", "--nodes", "40")
    assert "saved the organisation to sqlite:///workplan-demo.db" in out
    assert (tmp_path / "workplan-demo.db").exists()


def test_store_and_db_are_alternatives(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--store", "memory://", "--db", "x.db"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_written_and_read_back_count_the_same_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "demo", "--people", "300", "--nodes", "40", "--store", "memory://")
    (wrote,) = [line for line in out.splitlines() if line.startswith("wrote ")]
    (read,) = [line for line in out.splitlines() if line.startswith("read back")]
    written = wrote.split(" ")[1]
    assert wrote == f"wrote {written} organisation records (people, positions, teams, ...)"
    assert read == f"read back {written} organisation records: identical"


def test_a_password_in_the_store_url_is_not_printed() -> None:
    assert _shown("postgresql://ann:s3cret@db.example/plan") == (
        "postgresql://ann:***@db.example/plan"
    )
    assert _shown("postgresql://ann@db.example/plan") == "postgresql://ann@db.example/plan"
    assert _shown("sqlite:///x.db") == "sqlite:///x.db"


def _sqlite_with_a_table(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE precious (x)")
        conn.execute("INSERT INTO precious VALUES (42)")


@pytest.mark.parametrize("kind", ["text", "sqlite", "workplan store"])
def test_the_demo_refuses_to_replace_a_file_it_did_not_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "mine.db"
    if kind == "text":
        target.write_text("my notes\n")
    elif kind == "sqlite":
        _sqlite_with_a_table(target)
    else:
        with open_store(f"sqlite:///{target}") as store:
            store.write([Put("people", "p-1", {"name": "Ada"})])
    before = target.read_bytes()
    for argv in (["--db", str(target)], ["--store", f"sqlite:///{target}"]):
        err = fail(capsys, "demo", "--people", "10", "--nodes", "5", *argv)
        assert f"refusing to replace {target}" in err
        assert target.read_bytes() == before
    if kind == "workplan store":
        with open_store(f"sqlite:///{target}") as store:
            assert store.get("people", "p-1") is not None


def test_the_demo_replaces_a_store_it_wrote_and_an_empty_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "demo.db"
    target.touch()
    first = run(capsys, "demo", "--people", "20", "--nodes", "10", "--db", str(target))
    assert first == run(capsys, "demo", "--people", "20", "--nodes", "10", "--db", str(target))


def test_the_demo_refuses_a_store_that_is_not_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Kept(MemoryStore):
        def close(self) -> None:
            """Stay readable after the demo closes it."""

    filled = Kept()
    filled.write([Put("people", "p-1", {"name": "Ada"})])
    register_backend("filled", lambda url: filled)
    try:
        err = fail(capsys, "demo", "--people", "10", "--nodes", "5", "--store", "filled://")
    finally:
        unregister_backend("filled")
    assert "filled:// is not empty" in err
    assert [r.key for r in filled.scan("people")] == ["p-1"]


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["demo", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "`" not in out
        assert "workplan" in out
