"""The SQLite store (`sqlite:///path.db`): the embedded default, on the standard library.

The file is opened in WAL mode with `synchronous=FULL` (a reported commit survives a crash or
power loss) and a busy timeout, so several processes may share one file: writers take the
write lock with ``BEGIN IMMEDIATE`` and check expectations under it; readers never block.

Tables (all names start with ``wp_``):

* ``wp_log`` — every version ever written, keyed by its sequence number (the change feed);
  each row points to the previous version of its key, so a key's history is a chain walked
  from its head (no second index to maintain on every write);
* ``wp_head`` — the latest version of every key (live or tombstone);
* ``wp_index`` — (collection, field, value, key) for the live records' indexed fields, with
  the sequence number of the live version, so a filtered scan goes straight to the log;
* ``wp_collections`` — the declared indexed fields; ``wp_meta`` — format, last sequence number
  and the declarations' generation.

Writes check a whole batch in a few passes in C and encode its records in one encoder call
(`workplan_core.storage.batch.check_batch`). A batch of new keys (every write a put expecting
no live record: a bulk load) reads no heads: its ``wp_head`` rows are plain inserts that the
primary key refuses for a key that has one, and then the batch is rolled back and written
the long way, which reads every head and lists every conflict. Bulk rows go in with
multi-row ``INSERT`` statements.

URL forms: ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (everything after
``sqlite:///`` is the path, percent-encoded: ``sqlite:///my%20plan.db`` is ``my plan.db``) and
``sqlite:///:memory:``; the query ``?timeout=5`` sets the busy timeout in seconds (default 30).
`parse_sqlite_url` reads a URL and `sqlite_url` writes the URL of any path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, unquote

from workplan_core._collector import collector_paused
from workplan_core.errors import ValidationError
from workplan_core.storage.batch import (
    CheckedBatch,
    Head,
    PreparedWrite,
    check_batch,
    check_declaration,
    commit_time,
    index_columns,
    next_versions,
)
from workplan_core.storage.encoding import (
    MAX_KEY_LENGTH,
    decode_each,
    decode_record,
    index_entries,
    require_keys,
    require_name,
    require_since,
    where_entries,
)
from workplan_core.storage.errors import (
    CorruptRecordError,
    StorageError,
    StoreClosedError,
    driver_errors,
)
from workplan_core.storage.protocol import ClosesOnExit
from workplan_core.storage.records import (
    Commit,
    IndexValue,
    StoredRecord,
    Write,
    _stored_record,
)

__all__ = ["SqliteStore", "SqliteUrl", "parse_sqlite_url", "sqlite_url"]

FORMAT = 1
_PAGE = 500
_CHUNK = 500
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
_MMAP_BYTES = 1 << 30
_CACHE_KIB = 64 * 1024
_MAX_SEQ = 2**63 - 1  # the largest SQLite integer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wp_meta (
    name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wp_collections (
    collection TEXT PRIMARY KEY, indexed TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wp_log (
    seq INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT,
    committed_at INTEGER NOT NULL,
    prev INTEGER);
CREATE TABLE IF NOT EXISTS wp_head (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    live INTEGER NOT NULL,
    PRIMARY KEY (collection, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wp_index (
    collection TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (collection, field, value, key)) WITHOUT ROWID;
INSERT OR IGNORE INTO wp_meta (name, value)
    VALUES ('format', 1), ('last_seq', 0), ('generation', 0);
"""

_ROW = "h.key, h.version, h.seq, l.body, l.committed_at"
_INSERT_LOG = (
    "INSERT INTO wp_log (seq, collection, key, version, body, committed_at, prev) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_HISTORY_SEQS = """
WITH RECURSIVE chain (seq) AS (
    SELECT seq FROM wp_head WHERE collection = ? AND key = ?
    UNION ALL
    SELECT l.prev FROM wp_log l JOIN chain c ON l.seq = c.seq WHERE l.prev IS NOT NULL)
SELECT seq FROM chain"""
_UPSERT_HEAD = (
    "INSERT INTO wp_head (collection, key, version, seq, live) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (collection, key) DO UPDATE SET "
    "version = excluded.version, seq = excluded.seq, live = excluded.live"
)
_INSERT_NEW_LOG = (
    "INSERT INTO wp_log (seq, collection, key, version, body, committed_at, prev) VALUES ",
    "(?, ?, ?, 1, ?, ?, NULL)",
)
_INSERT_NEW_HEAD = (
    "INSERT INTO wp_head (collection, key, version, seq, live) VALUES ",
    "(?, ?, 1, ?, 1)",
)
_INSERT_INDEX_ROWS = (
    "INSERT INTO wp_index (collection, field, value, key, seq) VALUES ",
    "(?, ?, ?, ?, ?)",
)
_INSERT_INDEX = "".join(_INSERT_INDEX_ROWS)
_ROWS_PER_INSERT = 50  # rows per INSERT statement in bulk writes
_DELETE_INDEX = "DELETE FROM wp_index WHERE collection = ? AND field = ? AND value = ? AND key = ?"


_INT = frozenset({int})


class _NotNewError(Exception):
    """A batch assumed to create new keys met a key that has a head (its insert failed)."""


def _index_rows(
    checked: CheckedBatch, seqs: range, indexed: Mapping[str, tuple[str, ...]]
) -> list[tuple[str, str, str, str, int]]:
    """The ``wp_index`` rows of a batch's live records: (collection, field, value, key, seq)."""
    rows: list[tuple[str, str, str, str, int]] = []
    for name, field, texts in index_columns(checked, indexed):
        found = zip(repeat(name), repeat(field), texts, checked.keys, seqs, strict=False)
        if None in texts:
            rows.extend(row for row in found if row[2] is not None)  # type: ignore[misc]
        else:
            rows.extend(found)  # type: ignore[arg-type]
    rows.sort()  # in index order: each leaf page of the index is written once per batch
    return rows


def _insert_rows(
    conn: sqlite3.Connection, statement: tuple[str, str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert rows in statements of `_ROWS_PER_INSERT` rows each.

    For narrow rows this halves the time of one statement per row: the work of stepping a
    statement is shared by its rows.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    head, values = statement
    full = len(rows) - len(rows) % _ROWS_PER_INSERT
    if full:
        many = head + ",".join([values] * _ROWS_PER_INSERT)
        flat = iter(list(chain.from_iterable(rows[:full])))
        conn.executemany(many, zip(*[flat] * (len(rows[0]) * _ROWS_PER_INSERT), strict=True))
    if full < len(rows):
        conn.executemany(head + values, rows[full:])


def _is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _BUSY_CODES


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _micros(moment: dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micros: object, collection: str, key: str) -> dt.datetime:
    if type(micros) is not int:
        raise CorruptRecordError(collection, key, None, "stored commit time is not an integer")
    return _moment_of(micros)


@functools.lru_cache(maxsize=64)
def _moment_of(micros: int) -> dt.datetime:
    """The UTC time of a commit (cached: every row of a batch shares its commit time)."""
    return _EPOCH + dt.timedelta(microseconds=micros)


class SqliteUrl(NamedTuple):
    """What a ``sqlite:///…`` URL names: see `parse_sqlite_url`."""

    path: str
    """The database file, percent-decoded, as given to `SqliteStore` (``":memory:"`` for the
    in-memory database)."""
    timeout: float
    """Seconds to wait for another process's write lock (default 30)."""


_DEFAULT_TIMEOUT = 30.0


_MOST_TIMEOUT = 2_147_483.647
"""The longest busy timeout, in seconds: SQLite counts milliseconds in a signed 32-bit
integer, and a longer wait overflows into none at all."""
_TIMEOUT_RULE = f"must be a finite number of seconds from 0 to {_MOST_TIMEOUT}"


def _timeout_fits(seconds: float) -> bool:
    """Whether SQLite can wait `seconds` (an int too large for a float cannot)."""
    try:
        value = float(seconds)
    except OverflowError:
        return False
    return math.isfinite(value) and 0 <= value <= _MOST_TIMEOUT


def _require_timeout(seconds: object, path: str) -> None:
    """Refuse at `path` a busy timeout that is not a number of seconds SQLite can wait."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValidationError.single(path, "must be a number of seconds")
    if not _timeout_fits(seconds):
        raise ValidationError.single(path, _TIMEOUT_RULE)


_MEMORY = ":memory:"
# Characters `sqlite_url` leaves as they are: '/' separates folders, and ':' keeps
# `sqlite:///:memory:` and drive letters readable. Everything else that is not a letter, a
# digit or one of "_.-~" is percent-encoded.
_SAFE = "/:"


def parse_sqlite_url(url: str) -> SqliteUrl:
    """The file and options that a ``sqlite:///…`` URL names.

    Everything after ``sqlite:///`` up to a ``?`` is the path, percent-decoded as UTF-8:
    ``sqlite:///plan.db`` is relative to the working directory, ``sqlite:////var/lib/plan.db``
    absolute, and ``sqlite:///my%20plan%20%231.db`` the file ``my plan #1.db``. A ``%`` that
    starts no escape (two hexadecimal digits) is itself, and other characters may be written
    as they are (``+`` is a plus, not a space). A path of ``:memory:`` (written so or
    encoded) is SQLite's in-memory database; write ``./:memory:`` for a file of that name.
    The query sets options: ``?timeout=5`` is the busy timeout in seconds.

    `sqlite_url` writes the URL of any path, so that
    ``parse_sqlite_url(sqlite_url(path)).path == str(path)``.

    Raises:
        ValidationError: at ``$.url`` when the URL has a host, names no file, has escapes
            that are not UTF-8 or a NUL character (``%00``) in its path; at
            ``$.url.<option>`` for an unknown or malformed option.
    """
    prefix = "sqlite:///"
    if not isinstance(url, str):
        raise ValidationError.single("$.url", f"must be a string, got {type(url).__name__}")
    if not url.lower().startswith(prefix):
        raise ValidationError.single(
            "$.url",
            "SQLite URLs have no host: use sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db",
        )
    rest, _, query = url[len(prefix) :].partition("?")
    try:
        path = unquote(rest, errors="strict")
    except UnicodeDecodeError:
        raise ValidationError.single(
            "$.url",
            f"the escapes in the path {rest!r} are not UTF-8: percent-encode the path's "
            "UTF-8 bytes (sqlite_url(path) writes the URL of a path), and write a '%' "
            "that is part of the file's name as %25",
        ) from None
    if not path:
        raise ValidationError.single("$.url", "names no database file (sqlite:///path.db)")
    if "\x00" in path:
        raise ValidationError.single(
            "$.url", "the path must not contain a NUL character (%00): no file has one"
        )
    timeout = _DEFAULT_TIMEOUT
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if name != "timeout":
            raise ValidationError.single(
                f"$.url.{name or '(no name)'}",
                "unknown option (known: timeout); a '?' that is part of the file's name "
                "is written %3F",
            )
        if len(values) > 1:
            raise ValidationError.single("$.url.timeout", "is given more than once")
        try:
            timeout = float(values[0])
        except ValueError:
            raise ValidationError.single("$.url.timeout", "must be a number of seconds") from None
        if not _timeout_fits(timeout):
            raise ValidationError.single("$.url.timeout", _TIMEOUT_RULE)
    return SqliteUrl(path, timeout)


def sqlite_url(path: str | os.PathLike[str], *, timeout: float | None = None) -> str:
    """The ``sqlite:///…`` URL that names `path`: the URL form of `SqliteStore(path)`.

    The path is percent-encoded as UTF-8, so any file name survives (spaces, ``%``, ``#``,
    ``?``, any Unicode text): ``sqlite_url("my plan #1.db")`` is
    ``"sqlite:///my%20plan%20%231.db"``, and an absolute path gives four slashes
    (``sqlite:////var/lib/plan.db``). ``":memory:"`` gives ``"sqlite:///:memory:"``, the
    in-memory database, as `SqliteStore(":memory:")` does.

    Args:
        path: the database file, relative to the working directory or absolute.
        timeout: seconds to wait for another process's write lock, added as ``?timeout=``;
            `None` leaves the default (30).

    Raises:
        ValidationError: at ``$.path`` when `path` is empty, contains a NUL character or is
            not Unicode text (a file name that could not be decoded); at ``$.timeout`` when
            `timeout` is negative or not finite.
    """
    text = os.fspath(path)
    if not isinstance(text, str) or not text or "\x00" in text:
        raise ValidationError.single(
            "$.path", "must be a non-empty file path without NUL characters"
        )
    try:
        url = f"sqlite:///{quote(text, safe=_SAFE)}"
    except UnicodeEncodeError:
        raise ValidationError.single(
            "$.path",
            f"{text!r} is not Unicode text (a file name that could not be decoded); open it "
            "with SqliteStore(path) instead",
        ) from None
    if timeout is None:
        return url
    _require_timeout(timeout, "$.timeout")
    return f"{url}?timeout={quote(repr(timeout))}"  # quoted: a query reads '+' as a space


class SqliteStore(ClosesOnExit):
    """A store in one SQLite file, shared safely by several processes.

    One instance belongs to the thread that opened it. Costs: a write of b records is
    O(b log n); `get` O(log n); a scan O(log n) per record returned, in pages of 500.

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        timeout: seconds to wait for another process's write lock before
            [StoreBusyError][workplan_core.storage.errors.StoreBusyError].

    Raises:
        StorageError: the file cannot be opened or is not a workplan store.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = os.fspath(path)
        if not self.path or "\x00" in self.path:
            raise ValidationError.single("$.path", "must name a file: not empty, without NUL")
        _require_timeout(timeout, "$.timeout")
        # A name starting "file:" would be read as an SQLite URI (another file, or memory).
        opened = f"./{self.path}" if self.path.startswith("file:") else self.path
        self._indexed: dict[str, tuple[str, ...]] = {}
        self._generation = -1
        with self._errors():
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                opened, timeout=timeout, isolation_level=None, cached_statements=64
            )
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> SqliteStore:
        """Open the store named by a ``sqlite:///…`` URL (see the module's docs for forms)."""
        path, timeout = parse_sqlite_url(url)
        return cls(path, timeout=timeout)

    def _setup(self) -> None:
        conn = self._connection()
        with self._errors():
            conn.execute("PRAGMA synchronous=FULL")
            # Reads of large stores touch pages all over the file: map it into memory and keep
            # a bigger page cache than the 2 MiB default.
            conn.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
            conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            # Look first, reading only: an existing store opens without the write lock, so
            # neither another process's long write nor a read-only file stops it.
            found = self._format(conn)
            if found is None:
                conn.execute("PRAGMA journal_mode=WAL").fetchall()
                with self._transaction():
                    for statement in _SCHEMA.split(";"):  # executescript() would commit
                        if statement.strip():
                            conn.execute(statement)
                    found = self._format(conn)
        if found != FORMAT:
            raise StorageError(
                f"sqlite: {self.path!r} holds store format {found!r}; "
                f"this library reads format {FORMAT}"
            )

    @staticmethod
    def _format(conn: sqlite3.Connection) -> object:
        """The store format the file holds, or `None` when some table is missing."""
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                "('wp_meta', 'wp_collections', 'wp_log', 'wp_head', 'wp_index')"
            )
        }
        if len(tables) < 5:
            return None
        row = conn.execute("SELECT value FROM wp_meta WHERE name = 'format'").fetchone()
        return None if row is None else row[0]

    # ------------------------------------------------------------------ plumbing

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return driver_errors("sqlite", sqlite3.Error, _is_busy)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreClosedError(f"sqlite: the store {self.path!r} is closed")
        return self._conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the database's write lock; rolled back on any error."""
        conn = self._connection()
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")
        try:
            with self._errors():
                yield conn
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with self._errors():
                conn.close()

    # ------------------------------------------------------------------ declarations

    def _declarations(self) -> dict[str, tuple[str, ...]]:
        """The indexed fields of every collection, reloaded when another writer changed them."""
        conn = self._connection()
        row = conn.execute("SELECT value FROM wp_meta WHERE name = 'generation'").fetchone()
        if row[0] != self._generation:
            rows = conn.execute("SELECT collection, indexed FROM wp_collections").fetchall()
            self._indexed = {name: tuple(json.loads(fields)) for name, fields in rows}
            self._generation = row[0]
        return self._indexed

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        """Set the indexed fields of `collection`; O(records in it) when the set changes."""
        name, fields = check_declaration(collection, indexed)
        with self._transaction() as conn:
            current = self._declarations().get(name, ())
            if current == fields:
                return
            for field in set(current) - set(fields):
                conn.execute(
                    "DELETE FROM wp_index WHERE collection = ? AND field = ?", (name, field)
                )
            added = sorted(set(fields) - set(current))
            if added:
                self._backfill(conn, name, added)
            if fields:
                conn.execute(
                    "INSERT INTO wp_collections (collection, indexed) VALUES (?, ?) "
                    "ON CONFLICT (collection) DO UPDATE SET indexed = excluded.indexed",
                    (name, json.dumps(fields)),
                )
            else:
                conn.execute("DELETE FROM wp_collections WHERE collection = ?", (name,))
            conn.execute("UPDATE wp_meta SET value = value + 1 WHERE name = 'generation'")

    def _backfill(self, conn: sqlite3.Connection, collection: str, fields: list[str]) -> None:
        rows = conn.execute(
            "SELECT h.key, h.version, h.seq, l.body FROM wp_head h JOIN wp_log l ON l.seq = h.seq "
            "WHERE h.collection = ? AND h.live = 1",
            (collection,),
        ).fetchall()
        entries: list[tuple[str, str, str, str, int]] = []
        for key, version, seq, body in rows:
            record = decode_record(body, collection, key, version)
            entries.extend(
                (collection, field, text, key, seq) for field, text in index_entries(record, fields)
            )
        conn.executemany(_INSERT_INDEX, entries)

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        """The fields `collection` declared as indexed, sorted."""
        require_name(collection, "$.collection")
        with self._errors():
            return self._declarations().get(collection, ())

    # ------------------------------------------------------------------ writes

    def write(self, writes: Iterable[Write]) -> Commit:
        """Write a batch atomically under the database's write lock; O(b log n).

        A batch of new keys (every write a put expecting no live record) is first tried
        without reading heads: its head rows are plain inserts, and the primary key of
        ``wp_head`` refuses any key that has one. Then, and for every other batch, the heads
        are read and checked, so a conflict lists every conflicting key and nothing is written.
        """
        with collector_paused():  # a batch's rows make no reference cycles
            return self._write_batch(writes)

    def _write_batch(self, writes: Iterable[Write]) -> Commit:
        checked = check_batch(writes)
        now = commit_time()
        if not checked.keys:
            self._connection()
            return Commit((), (), now)
        if checked.all_new:
            try:
                with self._transaction() as conn:
                    return self._write(conn, checked, now, assume_new=True)
            except _NotNewError:
                pass  # rolled back: some key has a head; check every expectation
        with self._transaction() as conn:
            return self._write(conn, checked, now, assume_new=False)

    def _write(
        self, conn: sqlite3.Connection, checked: CheckedBatch, now: dt.datetime, *, assume_new: bool
    ) -> Commit:
        (last_seq,) = conn.execute("SELECT value FROM wp_meta WHERE name = 'last_seq'").fetchone()
        count = len(checked.keys)
        seqs = range(last_seq + 1, last_seq + 1 + count)
        micros = _micros(now)
        indexed = self._declarations()
        collections, keys, texts = checked.collections, checked.keys, checked.texts
        assert texts is not None  # checked with encode=True
        if assume_new:
            try:
                _insert_rows(
                    conn, _INSERT_NEW_HEAD, list(zip(collections, keys, seqs, strict=True))
                )
            except sqlite3.IntegrityError as exc:
                raise _NotNewError from exc
            log_rows = zip(seqs, collections, keys, texts, repeat(micros), strict=False)
            _insert_rows(conn, _INSERT_NEW_LOG, list(log_rows))
            versions: list[int] = [1] * count
        else:
            batch = checked.prepared()
            heads, head_seqs = self._heads(conn, batch)
            versions = next_versions(batch, heads)
            stale = self._stale_index_entries(conn, batch, heads, head_seqs, indexed)
            prevs = [head_seqs.get(pair) for pair in zip(collections, keys, strict=True)]
            conn.executemany(
                _INSERT_LOG,
                zip(seqs, collections, keys, versions, texts, repeat(micros), prevs, strict=False),
            )
            lives = [text is not None for text in texts]
            conn.executemany(
                _UPSERT_HEAD, zip(collections, keys, versions, seqs, lives, strict=True)
            )
            if stale:
                conn.executemany(_DELETE_INDEX, stale)
        _insert_rows(conn, _INSERT_INDEX_ROWS, _index_rows(checked, seqs, indexed))
        conn.execute("UPDATE wp_meta SET value = ? WHERE name = 'last_seq'", (seqs[-1],))
        return Commit(tuple(versions), tuple(seqs), now)

    @staticmethod
    def _heads(
        conn: sqlite3.Connection, batch: list[PreparedWrite]
    ) -> tuple[dict[tuple[str, str], Head], dict[tuple[str, str], int]]:
        by_collection: dict[str, list[str]] = {}
        for write in batch:
            by_collection.setdefault(write.collection, []).append(write.key)
        heads: dict[tuple[str, str], Head] = {}
        seqs: dict[tuple[str, str], int] = {}
        for collection, keys in by_collection.items():
            for chunk in _chunks(keys):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    "SELECT key, version, live, seq FROM wp_head "
                    f"WHERE collection = ? AND key IN ({marks})",
                    (collection, *chunk),
                )
                for key, version, live, seq in rows:
                    heads[(collection, key)] = Head(version, bool(live))
                    seqs[(collection, key)] = seq
        return heads, seqs

    @staticmethod
    def _stale_index_entries(
        conn: sqlite3.Connection,
        batch: list[PreparedWrite],
        heads: Mapping[tuple[str, str], Head],
        head_seqs: Mapping[tuple[str, str], int],
        indexed: Mapping[str, tuple[str, ...]],
    ) -> list[tuple[str, str, str, str]]:
        """The index rows of the live versions this batch replaces or deletes."""
        replaced = [
            head_seqs[(w.collection, w.key)]
            for w in batch
            if indexed.get(w.collection)
            and (head := heads.get((w.collection, w.key)))
            and head.live
        ]
        stale: list[tuple[str, str, str, str]] = []
        for chunk in _chunks(replaced):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT collection, key, version, body FROM wp_log WHERE seq IN ({marks})", chunk
            ).fetchall()
            for collection, key, version, body in rows:
                fields = indexed[collection]
                try:
                    record = decode_record(body, collection, key, version)
                except CorruptRecordError:
                    # The old body cannot tell its index rows: drop them by key instead, so a
                    # corrupt record can be repaired by overwriting it.
                    for field in fields:
                        conn.execute(
                            "DELETE FROM wp_index WHERE collection = ? AND field = ? AND key = ?",
                            (collection, field, key),
                        )
                    continue
                stale.extend(
                    (collection, field, text, key) for field, text in index_entries(record, fields)
                )
        return stale

    # ------------------------------------------------------------------ reads

    @staticmethod
    def _stored(collection: str, row: Sequence[Any]) -> StoredRecord:
        key, version, seq, body, committed_at = row
        record = None if body is None else decode_record(body, collection, key, version)
        return _stored_record(
            collection, key, version, seq, record, _moment(committed_at, collection, key)
        )

    @classmethod
    def _page(cls, collection: str, rows: list[Any]) -> Iterable[StoredRecord]:
        """The versions of a page of (key, version, seq, body, committed_at) rows."""
        if not rows:
            return []
        keys, versions, seqs, bodies, times = zip(*rows, strict=True)
        records = decode_each(bodies)
        if records is None or not _INT.issuperset(map(type, times)):
            return (cls._stored(collection, row) for row in rows)  # names a broken row
        moments = map(_moment_of, times)
        return list(map(_stored_record, repeat(collection), keys, versions, seqs, records, moments))

    def get(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of `key`, or `None`; O(log n)."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        with self._errors():
            row = (
                self._connection()
                .execute(
                    f"SELECT {_ROW} FROM wp_head h JOIN wp_log l ON l.seq = h.seq "
                    "WHERE h.collection = ? AND h.key = ? AND h.live = 1",
                    (collection, key),
                )
                .fetchone()
            )
        return None if row is None else self._stored(collection, row)

    def last_seq(self) -> int:
        """The sequence number of the last committed write (0 before the first); O(1)."""
        with self._errors():
            row = (
                self._connection()
                .execute("SELECT value FROM wp_meta WHERE name = 'last_seq'")
                .fetchone()
            )
        return int(row[0])

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The live versions of `keys` that exist; O(k log n) in chunks of 500 keys."""
        require_name(collection, "$.collection")
        wanted = require_keys(keys)
        found: dict[str, StoredRecord] = {}
        conn = self._connection()
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            with self._errors():
                rows = conn.execute(
                    f"SELECT {_ROW} FROM wp_head h JOIN wp_log l ON l.seq = h.seq "
                    f"WHERE h.collection = ? AND h.live = 1 AND h.key IN ({marks})",
                    (collection, *chunk),
                ).fetchall()
            for row in rows:
                found[row[0]] = self._stored(collection, row)
        return {key: found[key] for key in wanted if key in found}

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        """Stream live records in key order; pages of 500 rows, O(log n) per record."""
        require_name(collection, "$.collection")
        with self._errors():
            indexed = self._declarations().get(collection, ())
        pairs = where_entries(collection, where, indexed)
        return self._pages(collection, *self._scan_query(collection, pairs))

    @staticmethod
    def _scan_query(collection: str, pairs: list[tuple[str, str]]) -> tuple[str, list[Any]]:
        if not pairs:
            sql = (
                f"SELECT {_ROW} FROM wp_head h JOIN wp_log l ON l.seq = h.seq "
                "WHERE h.collection = ? AND h.live = 1 AND h.key > ? ORDER BY h.key LIMIT ?"
            )
            return sql, [collection]
        joins = "".join(
            f" JOIN wp_index i{n} ON i{n}.collection = i0.collection AND i{n}.key = i0.key"
            f" AND i{n}.field = ? AND i{n}.value = ?"
            for n in range(1, len(pairs))
        )
        sql = (
            "SELECT i0.key, l.version, l.seq, l.body, l.committed_at"
            f" FROM wp_index i0{joins} JOIN wp_log l ON l.seq = i0.seq"
            " WHERE i0.collection = ? AND i0.field = ? AND i0.value = ? AND i0.key > ?"
            " ORDER BY i0.key LIMIT ?"
        )
        params: list[Any] = [value for pair in pairs[1:] for value in pair]
        return sql, [*params, collection, *pairs[0]]

    def _pages(self, collection: str, sql: str, params: list[Any]) -> Iterator[StoredRecord]:
        after = ""
        while True:
            with self._errors():
                rows = self._connection().execute(sql, (*params, after, _PAGE)).fetchall()
            for stored in self._page(collection, rows):
                if self._conn is None:
                    self._connection()  # raises StoreClosedError
                yield stored
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        """Stream every version of `key`, oldest first, in pages of 500."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        self._connection()
        return self._history(collection, key)

    def _history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        with self._errors():
            rows = self._connection().execute(_HISTORY_SEQS, (collection, key)).fetchall()
        seqs = sorted(seq for (seq,) in rows)
        for chunk in _chunks(seqs, _PAGE):
            marks = ",".join("?" * len(chunk))
            with self._errors():
                page = (
                    self._connection()
                    .execute(
                        "SELECT key, version, seq, body, committed_at FROM wp_log "
                        f"WHERE seq IN ({marks}) ORDER BY seq",
                        chunk,
                    )
                    .fetchall()
                )
            for row in page:
                self._connection()
                yield self._stored(collection, row)

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        """Stream committed writes after sequence number `since`, in pages of 500."""
        require_since(since)
        self._connection()
        # SQLite integers are 64-bit: no sequence number exceeds the largest one, so a later
        # position is the same as it (and could not be bound).
        return self._changes(min(since, _MAX_SEQ))

    def _changes(self, since: int) -> Iterator[StoredRecord]:
        while True:
            with self._errors():
                rows = (
                    self._connection()
                    .execute(
                        "SELECT collection, key, version, seq, body, committed_at FROM wp_log "
                        "WHERE seq > ? ORDER BY seq LIMIT ?",
                        (since, _PAGE),
                    )
                    .fetchall()
                )
            for collection, *row in rows:
                self._connection()
                yield self._stored(collection, row)
            if len(rows) < _PAGE:
                return
            since = rows[-1][3]
