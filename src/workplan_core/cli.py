"""The `workplan` command: `workplan demo` shows the library working on a synthetic organisation."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from workplan_core.cascade import Cascade, Rollup, nodes_at_level, rollup, subtree
from workplan_core.checkins import CheckinLog, Dashboard, manager_dashboard, readings_as_of
from workplan_core.forecasting import Forecast
from workplan_core.forecasting.flags import DelayFlag
from workplan_core.forecasting.from_checkins import forecast_cascade, outlooks
from workplan_core.org import Organisation, OwnerKind
from workplan_core.periods import FiscalCalendar, Granularity
from workplan_core.synthetic import generate_organisation
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.synthetic.checkins import generate_checkins
from workplan_core.workspace import ORGANISATION_SECTIONS, Workspace

__all__ = ["build_parser", "main"]

DEMO_AS_OF = dt.date(2027, 3, 1)
DEMO_PEOPLE = 2_000
DEMO_NODES = 3_000
CHECKINS_FROM = dt.date(2027, 1, 4)  # the first Monday of FY2027-Q3
BASE_LEVEL = "team goal"  # forecast from throughput; the levels above are combined


def _section(out: TextIO, title: str) -> None:
    out.write(f"\n{title}\n{'-' * len(title)}\n")


def _calendar_section(out: TextIO, as_of: dt.date) -> None:
    calendar = FiscalCalendar(start_month=7)
    year = calendar.containing(as_of)
    quarter = calendar.containing(as_of, Granularity.QUARTER)
    _section(out, "Fiscal calendar")
    out.write(f"financial year starts July 1; {year.label} is {year.period}\n")
    out.write(f"current quarter {quarter.label} ({quarter.period})\n")


def _organisation_section(out: TextIO, org: Organisation, as_of: dt.date) -> None:
    employed = [p for p in org.people if p.employed_on(as_of)]
    filled = sum(1 for pos in org.positions if org.holders(pos.id, as_of))
    top = next(pos for pos in org.positions if pos.reports_to is None)
    (chief,) = sorted(org.holders(top.id, as_of)) or ("(vacant)",)
    _section(out, "Organisation")
    out.write(
        f"{len(employed):,} people employed of {len(org.people):,} ever; "
        f"{len(org.positions):,} positions ({len(org.positions) - filled:,} vacant); "
        f"{len(org.departments):,} departments; {len(org.teams):,} teams\n"
    )
    if chief != "(vacant)":
        names = {p.id: p.name for p in org.people}
        reports = org.reports(chief, as_of)
        out.write(f"top of the reporting line: {names[chief]} with {len(reports):,} reports\n")
        leaf = max(sorted(reports), key=lambda person: len(org.manager_chain(person, as_of)))
        chain = " -> ".join(names[p] for p in (leaf, *org.manager_chain(leaf, as_of)))
        out.write(f"longest manager chain: {chain}\n")


def _fresh(path: Path) -> None:
    """Remove the demo's previous database so every run starts from nothing."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _storage_section(out: TextIO, org: Organisation, path: Path) -> None:
    _fresh(path)
    with Workspace.open(f"sqlite:///{path}") as workspace:
        commit = workspace.save_organisation(org)
        loaded = workspace.load_organisation()
    records = sum(len(getattr(loaded, s.field)) for s in ORGANISATION_SECTIONS)
    _section(out, "Storage")
    out.write(f"saved the organisation to {path} ({len(commit.versions):,} records written)\n")
    out.write(f"read back {records:,} records: {'identical' if loaded == org else 'DIFFERENT'}\n")


def _cascade_section(out: TextIO, cascade: Cascade, rolled: Rollup) -> None:
    _section(out, "Cascade (rolled up from the check-ins)")
    levels: dict[str, int] = {}
    for node in cascade.nodes:
        levels[node.level] = levels.get(node.level, 0) + 1
    out.write(", ".join(f"{count:,} {level}s" for level, count in levels.items()) + "\n")
    for node in nodes_at_level(cascade, "strategic objective")[:6]:
        result = rolled[node.id]
        out.write(f"  {result.progress:6.1%}  {result.status.value:<11}  {node.title}\n")


def _dashboard_section(out: TextIO, board: Dashboard, name: str) -> None:
    _section(out, f"Dashboard of {name} as of {board.as_of}")
    summary = board.summary
    statuses = ", ".join(
        f"{n} {s.value}"
        for s, n in sorted(summary.by_status.items(), key=lambda item: item[0].code)
    )
    out.write(f"{summary.nodes:,} nodes: {statuses}\n")
    participation = f"{summary.participation:.0%}" if summary.participation is not None else "-"
    out.write(
        f"stale {summary.share_stale:.0%}; open impediments by age "
        f"{dict(summary.open_impediments_by_age)}; check-in participation {participation}\n"
    )
    out.write("needs attention:\n")
    for item in board.needs_attention[:8]:
        out.write(f"  {item.reason.value:<16} {item.subject_id:<10} {item.detail}\n")
    if len(board.needs_attention) > 8:
        out.write(f"  … and {len(board.needs_attention) - 8} more\n")


def _forecast_section(
    out: TextIO,
    cascade: Cascade,
    forecasts: dict[str, Forecast],
    flags: dict[str, DelayFlag],
    base_level: str,
) -> None:
    _section(out, "Forecasts of the strategic objectives")
    for node in nodes_at_level(cascade, "strategic objective")[:6]:
        forecast = forecasts.get(node.id)
        if forecast is None:
            continue
        p85 = forecast.p85.isoformat() if forecast.p85 else "beyond the horizon"
        flag = flags.get(node.id)
        note = (
            f"DELAY {flag.severity.value}, driven by {', '.join(flag.drivers[:2])}"
            if flag
            else "on time"
        )
        out.write(
            f"  P85 {p85:<18} on time {forecast.on_time_probability or 0:5.0%}  "
            f"{note}  ({node.title})\n"
        )
        if forecast.never:
            _stalled_below(out, cascade, forecasts, node.id, base_level)


def _stalled_below(
    out: TextIO, cascade: Cascade, forecasts: dict[str, Forecast], node_id: str, base_level: str
) -> None:
    """Name the base nodes beneath `node_id` whose work has no finish in sight."""
    stalled = [
        node.id
        for node in subtree(cascade, node_id)
        if node.level == base_level and node.id in forecasts and forecasts[node.id].never
    ]
    if not stalled:
        return
    shown = ", ".join(stalled[:4]) + (", …" if len(stalled) > 4 else "")
    count = f"{len(stalled)} {base_level}(s)"
    out.write(f"      no finish in sight: {count} with nothing finished to go by: {shown}\n")


def _busiest_manager(org: Organisation, board_people: Mapping[str, int], as_of: dt.date) -> str:
    best = max(sorted(board_people), key=lambda p: (board_people[p], p))
    return org.manager_of(best, as_of) or best


def _demo(args: argparse.Namespace) -> int:
    as_of: dt.date = args.as_of
    out = sys.stdout
    out.write(f"workplan demo (seed {args.seed}, as of {as_of.isoformat()})\n")
    _calendar_section(out, as_of)
    org = generate_organisation(args.people, seed=args.seed, as_of=as_of)
    org.validate()
    _organisation_section(out, org, as_of)
    _storage_section(out, org, args.db)
    cascade = Cascade(generate_cascade(args.nodes, seed=args.seed, organisation=org))
    history = generate_checkins(cascade.nodes, org, seed=args.seed, start=CHECKINS_FROM)
    with Workspace.open(f"sqlite:///{args.db}") as workspace:
        workspace.save_cascade(cascade)
        workspace.append_checkins(cadences=history.cadences, checkins=history.checkins)
        log: CheckinLog = workspace.load_checkin_log()  # rebuilt from the store alone
    readings = readings_as_of(cascade, log, as_of, log.node_ids())
    _cascade_section(out, cascade, rollup(cascade, readings))
    forecasts, flags = forecast_cascade(cascade, log, as_of=as_of, base_level=BASE_LEVEL)
    owned = Counter(n.owner.id for n in cascade.nodes if n.owner.kind is OwnerKind.PERSON)
    manager = _busiest_manager(org, owned, as_of)
    board = manager_dashboard(
        manager,
        as_of=as_of,
        cascade=cascade,
        organisation=org,
        log=log,
        outlooks=outlooks(forecasts, flags),
    )
    names = {p.id: p.name for p in org.people}
    _dashboard_section(out, board, names.get(manager, manager))
    _forecast_section(out, cascade, forecasts, flags, BASE_LEVEL)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the `workplan` command."""
    parser = argparse.ArgumentParser(prog="workplan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="generate a synthetic organisation and summarise it")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same output)")
    demo.add_argument("--as-of", type=_date, default=DEMO_AS_OF, help="date to report as of")
    demo.add_argument("--people", type=int, default=DEMO_PEOPLE, help="organisation size")
    demo.add_argument("--nodes", type=int, default=DEMO_NODES, help="cascade size")
    demo.add_argument(
        "--db",
        type=Path,
        default=Path("workplan-demo.db"),
        help="SQLite file the demo writes (replaced on every run)",
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `workplan` command with `argv` (default: the process arguments)."""
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
