"""The `workplan` command: `workplan demo` shows the library working on a synthetic organisation."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from workplan_core.org import Organisation
from workplan_core.periods import FiscalCalendar, Granularity
from workplan_core.synthetic import generate_organisation
from workplan_core.workspace import ORGANISATION_SECTIONS, Workspace

__all__ = ["build_parser", "main"]

DEMO_AS_OF = dt.date(2027, 3, 31)
DEMO_PEOPLE = 2_000


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


def _demo(args: argparse.Namespace) -> int:
    as_of: dt.date = args.as_of
    out = sys.stdout
    out.write(f"workplan demo (seed {args.seed}, as of {as_of.isoformat()})\n")
    _calendar_section(out, as_of)
    org = generate_organisation(args.people, seed=args.seed, as_of=as_of)
    org.validate()
    _organisation_section(out, org, as_of)
    _storage_section(out, org, args.db)
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
