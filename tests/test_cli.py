"""The `workplan` command."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from workplan_core.cascade import Cascade, Node
from workplan_core.cli import _forecast_section, main
from workplan_core.forecasting import Forecast
from workplan_core.forecasting.forecast import ForecastMethod
from workplan_core.org import OwnerKind, OwnerRef
from workplan_core.periods import Period


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
