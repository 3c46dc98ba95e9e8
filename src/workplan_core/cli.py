"""The `workplan` command: `workplan demo` shows the library working on a synthetic organisation."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from workplan_core.periods import FiscalCalendar, Granularity

__all__ = ["main"]

DEMO_AS_OF = dt.date(2027, 3, 31)


def _demo(args: argparse.Namespace) -> int:
    as_of: dt.date = args.as_of
    calendar = FiscalCalendar(start_month=7)
    out = sys.stdout
    out.write(f"workplan demo (seed {args.seed}, as of {as_of.isoformat()})\n\n")
    year = calendar.containing(as_of)
    quarter = calendar.containing(as_of, Granularity.QUARTER)
    out.write(f"Fiscal calendar: financial year starts July 1; {year.label} is {year.period}\n")
    out.write(f"  current quarter {quarter.label} ({quarter.period})\n")
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
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `workplan` command with `argv` (default: the process arguments)."""
    args = build_parser().parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
