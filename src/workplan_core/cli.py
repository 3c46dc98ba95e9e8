"""The `workplan` command: `workplan demo` shows the library working on a synthetic organisation.

The demo writes to the store named by ``--store URL`` (or ``--db FILE``, short for
``--store sqlite:///FILE``), else by the environment variable ``WORKPLAN_STORE``, else to the
SQLite file ``workplan-demo.db`` in the working directory.

It never destroys data it did not write. Every store it writes gets a marker record
(collection ``workplan.demo``); an existing SQLite file is deleted and written afresh only
when it is empty or a workplan store holding that marker (or, for stores written by earlier
versions, a workplan store named ``workplan-demo.db``). Any other file — not SQLite, an
SQLite database of something else, a workplan store with other data — is refused, and so is
a store of any other backend that is not empty.

Errors of the library (a malformed URL, a file that cannot be opened, a refusal) are printed
as ``workplan: error: …`` with exit code 2, like argparse's own.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO
from urllib.parse import quote, urlsplit, urlunsplit

from workplan_core.cascade import Cascade, Rollup, nodes_at_level, rollup, subtree
from workplan_core.checkins import CheckinLog, Dashboard, manager_dashboard, readings_as_of
from workplan_core.errors import WorkplanError
from workplan_core.forecasting import Forecast
from workplan_core.forecasting.flags import DelayFlag
from workplan_core.forecasting.from_checkins import forecast_cascade, outlooks
from workplan_core.org import Organisation, OwnerKind
from workplan_core.periods import FiscalCalendar, Granularity
from workplan_core.storage import Put, Store
from workplan_core.storage.registry import STORE_ENV_VAR, url_scheme
from workplan_core.storage.sqlite import parse_sqlite_url, sqlite_url
from workplan_core.synthetic import generate_organisation
from workplan_core.synthetic.cascade import generate_cascade
from workplan_core.synthetic.checkins import generate_checkins
from workplan_core.synthetic.org import MIN_SIZE
from workplan_core.workspace import ORGANISATION_SECTIONS, Workspace

__all__ = ["build_parser", "main"]

DEMO_AS_OF = dt.date(2027, 3, 1)
DEMO_PEOPLE = 2_000
DEMO_NODES = 3_000
CHECKINS_FROM = dt.date(2027, 1, 4)  # the first Monday of FY2027-Q3
BASE_LEVEL = "team goal"  # forecast from throughput; the levels above are combined
DEMO_DB = Path("workplan-demo.db")
MARKER = ("workplan.demo", "marker")  # (collection, key) of the record the demo writes first
SQLITE_HEADER = b"SQLite format 3\x00"
DESCRIPTION = (
    "The workplan command. 'workplan demo' shows the library working on a synthetic "
    "organisation: fiscal calendar, organisation, storage, cascade, check-ins, dashboard "
    "and forecasts."
)


class _RefusedError(Exception):
    """The demo will not write to this store (it would destroy data it did not write)."""


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


def _shown(url: str) -> str:
    """`url` with any password replaced by ``***``, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or `None` for other schemes and ``:memory:``."""
    if url_scheme(url) != "sqlite":
        return None
    path = parse_sqlite_url(url).path
    return None if path == ":memory:" else Path(path)


def _written_by_the_demo(path: Path) -> bool:
    """Whether the existing file `path` may be deleted: empty, or a store the demo wrote.

    Raises:
        _RefusedError: it is not an SQLite file, or a database of something else.
    """
    if path.is_dir():
        raise _RefusedError(f"refusing to replace {path}: it is a directory")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if not header:
        return True
    if header != SQLITE_HEADER:
        raise _RefusedError(f"refusing to replace {path}: it is not an SQLite file")
    try:
        # Absolute: a file named ":memory:" is a file, not SQLite's in-memory database.
        uri = f"file:{quote(str(path.absolute()))}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise _RefusedError(f"refusing to replace {path}: it cannot be read ({error})") from error
    if "wp_log" not in tables or any(not name.startswith("wp_") for name in tables):
        raise _RefusedError(
            f"refusing to replace {path}: it is an SQLite database, not a workplan store"
        )
    with Workspace.open(sqlite_url(path.absolute())) as workspace:
        marked = workspace.store.get(*MARKER) is not None
    return marked or path.name == DEMO_DB.name


def _open_store(url: str) -> Workspace:
    """Open the demo's workspace on `url`, replacing a SQLite file only if the demo wrote it.

    Raises:
        _RefusedError: the file or store holds data that the demo did not write.
    """
    path = _sqlite_path(url)
    if path is not None and path.exists():
        if not _written_by_the_demo(path):
            raise _RefusedError(
                f"refusing to replace {path}: it is a workplan store that 'workplan demo' "
                "did not write; choose another --db or --store"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    workspace = Workspace.open(url)
    try:
        if next(iter(workspace.store.changes(0)), None) is not None:
            raise _RefusedError(
                f"{_shown(url)} is not empty; the demo writes only to an empty store "
                "(or replaces a SQLite file it wrote before)"
            )
        workspace.store.write([Put(*MARKER, {"written_by": "workplan demo"})])
    except BaseException:
        workspace.close()
        raise
    return workspace


def _storage_section(out: TextIO, org: Organisation, workspace: Workspace, url: str) -> None:
    workspace.save_organisation(org)
    loaded = workspace.load_organisation()
    collections = {section.collection for section in ORGANISATION_SECTIONS}
    written = _count_writes(workspace.store, collections)
    records = sum(len(getattr(loaded, s.field)) for s in ORGANISATION_SECTIONS)
    _section(out, "Storage")
    out.write(f"saved the organisation to {_shown(url)} in one atomic batch\n")
    out.write(f"wrote {written:,} organisation records (people, positions, teams, ...)\n")
    same = "identical" if loaded == org else "DIFFERENT"
    out.write(f"read back {records:,} organisation records: {same}\n")


def _count_writes(store: Store, collections: set[str]) -> int:
    """The writes in the change feed to `collections` (the store was empty before the demo)."""
    return sum(1 for change in store.changes(0) if change.collection in collections)


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


def _dashboard_owner(
    org: Organisation, board_people: Mapping[str, int], as_of: dt.date
) -> str | None:
    """The manager of the person owning most nodes; else the top of the reporting line."""
    if board_people:
        best = max(sorted(board_people), key=lambda p: (board_people[p], p))
        return org.manager_of(best, as_of) or best
    for position in org.positions:
        if position.reports_to is None and (holders := sorted(org.holders(position.id, as_of))):
            return holders[0]
    employed = sorted(p.id for p in org.people if p.employed_on(as_of))
    return employed[0] if employed else None


def _demo(args: argparse.Namespace) -> int:
    as_of: dt.date = args.as_of
    out = sys.stdout
    url = _store_url(args)
    with _open_store(url) as workspace:
        out.write(f"workplan demo (seed {args.seed}, as of {as_of.isoformat()})\n")
        _calendar_section(out, as_of)
        org = generate_organisation(args.people, seed=args.seed, as_of=as_of)
        org.validate()
        _organisation_section(out, org, as_of)
        _storage_section(out, org, workspace, url)
        cascade = Cascade(generate_cascade(args.nodes, seed=args.seed, organisation=org))
        history = generate_checkins(cascade.nodes, org, seed=args.seed, start=CHECKINS_FROM)
        workspace.save_cascade(cascade)
        workspace.append_checkins(cadences=history.cadences, checkins=history.checkins)
        log: CheckinLog = workspace.load_checkin_log()  # rebuilt from the store alone
    readings = readings_as_of(cascade, log, as_of, log.node_ids())
    _cascade_section(out, cascade, rollup(cascade, readings))
    forecasts, flags = forecast_cascade(cascade, log, as_of=as_of, base_level=BASE_LEVEL)
    owned = Counter(n.owner.id for n in cascade.nodes if n.owner.kind is OwnerKind.PERSON)
    manager = _dashboard_owner(org, owned, as_of)
    names = {p.id: p.name for p in org.people}
    if manager is None:
        _section(out, f"Dashboard as of {as_of}")
        out.write(f"nobody is employed on {as_of}: no dashboard to show\n")
    else:
        board = manager_dashboard(
            manager,
            as_of=as_of,
            cascade=cascade,
            organisation=org,
            log=log,
            outlooks=outlooks(forecasts, flags),
        )
        _dashboard_section(out, board, names.get(manager, manager))
    _forecast_section(out, cascade, forecasts, flags, BASE_LEVEL)
    return 0


def _store_url(args: argparse.Namespace) -> str:
    """--store, else --db, else $WORKPLAN_STORE, else the demo's own SQLite file."""
    if args.store is not None:
        return str(args.store)
    path = args.db if args.db is not None else None
    if path is None and (named := os.environ.get(STORE_ENV_VAR)):
        return named
    # --db names a file, always: made absolute, "./:memory:" (which a Path reads as
    # ":memory:") is that file and not SQLite's in-memory database
    return sqlite_url(path.absolute() if path is not None else DEMO_DB)


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the `workplan` command."""
    parser = argparse.ArgumentParser(prog="workplan", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="generate a synthetic organisation, store it and summarise it",
        description=(
            "Generate a synthetic organisation, cascade and check-ins, write them to a store, "
            "read them back and print a summary. The demo writes only to an empty store, or "
            "replaces a SQLite file that it wrote itself; it refuses any other file."
        ),
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same output)")
    demo.add_argument("--as-of", type=_date, default=DEMO_AS_OF, help="date to report as of")
    demo.add_argument(
        "--people",
        type=_at_least(MIN_SIZE),
        default=DEMO_PEOPLE,
        help=f"organisation size (at least {MIN_SIZE})",
    )
    demo.add_argument(
        "--nodes", type=_at_least(1), default=DEMO_NODES, help="cascade size (at least 1)"
    )
    where = demo.add_mutually_exclusive_group()
    where.add_argument(
        "--store",
        metavar="URL",
        help=(
            "store URL to write, e.g. memory:// or sqlite:///plan.db (default: "
            f"${STORE_ENV_VAR} when set, else sqlite:///{DEMO_DB})"
        ),
    )
    where.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="SQLite file to write, short for --store sqlite:///FILE (replaced on every run "
        "if the demo wrote it; any other file is refused)",
    )
    demo.set_defaults(handler=_demo)
    return parser


def _fail(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    parser.exit(2, f"{parser.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `workplan` command with `argv` (default: the process arguments).

    Returns 0 on success. Bad arguments and errors of the library exit with code 2 after
    printing ``workplan: error: …`` (raised as `SystemExit`, as argparse does).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
    except (WorkplanError, _RefusedError) as error:
        _fail(parser, str(error))
    except OSError as error:  # e.g. the --db file cannot be read
        _fail(parser, f"{type(error).__name__}: {error}")
    return result
