r"""The PostgreSQL store (`postgresql://…`): for services that outgrow one machine's file.

Needs the optional extra: ``pip install 'workplan_core[postgres]'`` (psycopg 3). The SQL keeps
to what PostgreSQL-compatible distributed engines also accept: no advisory locks, no
extensions, no table locks. Writers serialise on one counter row (``UPDATE … RETURNING``), so
sequence numbers follow commit order and the change feed never skips a late commit.

Bodies are stored in a ``json`` column: it keeps the exact text written and can be queried
with the JSON operators (and cast to ``jsonb``). ``jsonb`` was not used for the body because
it rewrites numbers (``1e16`` reads back as the integer ``10000000000000000``, ``-0.0`` as
``0``) and refuses ``\u0000``, which would break "stored verbatim". Declared indexed fields
live in ``wp_index`` (a B-tree on the field's number, value and key, holding the live
version's sequence number, so a filtered scan reads the log directly; ``wp_collections``
numbers each collection's indexed fields, which keeps the index rows narrow). Writes use
``COPY``; scans, history and the change feed stream through server-side cursors, and the
bodies of each page of rows are decoded in one call. Each ``wp_log`` row points to the
previous version of its key (``prev``), so a key's history is a chain walked from its head
with a recursive query, and writes maintain no second index on the log. Commit times are
integers, microseconds since the Unix epoch in UTC, as in SQLite (``COPY`` reads an integer
several times faster than a ``timestamptz``).

A batch of new keys (every write a put expecting no live record: a bulk load) reads no
heads: the primary key of ``wp_head`` refuses a key that has one, and then the batch is
rolled back and written the long way, which reads every head and lists every conflict. Rows
sit in a table in the order they were copied, so a batch's ``wp_index`` rows are copied
sorted by value, and a bulk load's ``wp_log`` rows in the order of the collection's first
indexed field (their sequence numbers do not change): a scan filtered on that field then
reads a few pages per batch instead of a page per record.

URL: any libpq URL, plus the optional query parameter ``schema`` (default ``public``), which
names the schema holding the ``wp_*`` tables (created if missing), e.g.
``postgresql://app@db.internal:5432/plans?schema=workplan``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from workplan_core._collector import collector_paused
from workplan_core.errors import ValidationError
from workplan_core.storage.batch import (
    CheckedBatch,
    Head,
    PreparedWrite,
    batch_index_entries,
    check_batch,
    check_declaration,
    commit_time,
    index_columns,
    next_versions,
)
from workplan_core.storage.encoding import (
    MAX_KEY_LENGTH,
    MAX_NAME_LENGTH,
    decode_record,
    decode_records,
    index_entries,
    require_keys,
    require_name,
    require_since,
    where_entries,
)
from workplan_core.storage.errors import (
    BackendNotFoundError,
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

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore"]

FORMAT = 2  # 2: commit times as integer microseconds (1: timestamptz)
_FETCH = 2000
_CHUNK = 5000
_COPY_CHUNK = 1 << 20  # characters per write to a COPY
_BUSY_STATES = frozenset({"40001", "40P01", "55P03", "57014"})
_SETUP_RETRIES = 5

_SCHEMA = [
    "CREATE SCHEMA IF NOT EXISTS {s}",
    "CREATE TABLE IF NOT EXISTS {s}.wp_meta (name text PRIMARY KEY, value bigint NOT NULL)",
    'CREATE TABLE IF NOT EXISTS {s}.wp_collections (collection text COLLATE "C" PRIMARY KEY, '
    "indexed text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.wp_log ("
    " seq bigint PRIMARY KEY,"
    ' collection text COLLATE "C" NOT NULL,'
    ' key text COLLATE "C" NOT NULL,'
    " version bigint NOT NULL,"
    " body json,"
    " committed_at bigint NOT NULL,"  # microseconds since 1970-01-01 UTC, as in SQLite
    " prev bigint)",
    "CREATE TABLE IF NOT EXISTS {s}.wp_head ("
    ' collection text COLLATE "C" NOT NULL,'
    ' key text COLLATE "C" NOT NULL,'
    " version bigint NOT NULL,"
    " seq bigint NOT NULL,"
    " live boolean NOT NULL,"
    " PRIMARY KEY (collection, key))",
    "CREATE TABLE IF NOT EXISTS {s}.wp_index ("
    " ix integer NOT NULL,"  # the number of a (collection, field): see wp_collections
    ' value text COLLATE "C" NOT NULL,'
    ' key text COLLATE "C" NOT NULL,'
    " seq bigint NOT NULL,"
    " PRIMARY KEY (ix, value, key))",
    f"INSERT INTO {{s}}.wp_meta (name, value) VALUES ('format', {FORMAT}), ('last_seq', 0), "
    "('generation', 0), ('field_ids', 0) ON CONFLICT (name) DO NOTHING",
]

_ROW = "h.key, h.version, h.seq, l.body, l.committed_at"

_SQL = {
    "format": "SELECT value FROM {s}.wp_meta WHERE name = 'format'",
    "generation": "SELECT value FROM {s}.wp_meta WHERE name = 'generation'",
    "bump_generation": "UPDATE {s}.wp_meta SET value = value + 1 WHERE name = 'generation'",
    "last_seq": "SELECT value FROM {s}.wp_meta WHERE name = 'last_seq'",
    "lock": "UPDATE {s}.wp_meta SET value = value + %s WHERE name = 'last_seq' RETURNING value",
    "declarations": "SELECT collection, indexed FROM {s}.wp_collections",
    "declaration": "SELECT indexed FROM {s}.wp_collections WHERE collection = %s",
    "upsert_declaration": "INSERT INTO {s}.wp_collections (collection, indexed) VALUES (%s, %s) "
    "ON CONFLICT (collection) DO UPDATE SET indexed = EXCLUDED.indexed",
    "delete_declaration": "DELETE FROM {s}.wp_collections WHERE collection = %s",
    "field_ids": "UPDATE {s}.wp_meta SET value = value + %s WHERE name = 'field_ids' "
    "RETURNING value",
    "drop_field": "DELETE FROM {s}.wp_index WHERE ix = %s",
    "drop_field_key": "DELETE FROM {s}.wp_index WHERE ix = %s AND key = %s",
    "live_bodies": "SELECT h.key, h.version, h.seq, l.body FROM {s}.wp_head h "
    "JOIN {s}.wp_log l ON l.seq = h.seq WHERE h.collection = %s AND h.live",
    "heads": "SELECT h.collection, h.key, h.version, h.live, h.seq FROM {s}.wp_head h "
    "JOIN unnest(%s::text[], %s::text[]) AS w (collection, key) "
    "ON h.collection = w.collection AND h.key = w.key",
    "bodies_by_seq": "SELECT collection, key, version, body FROM {s}.wp_log "
    "WHERE seq = ANY(%s::bigint[])",
    "copy_log": "COPY {s}.wp_log (seq, collection, key, version, body, committed_at, prev) "
    "FROM STDIN",
    "copy_heads": "COPY {s}.wp_head (collection, key, version, seq, live) FROM STDIN",
    "copy_new_log": "COPY {s}.wp_log (seq, collection, key, version, body, committed_at) "
    "FROM STDIN",
    "update_heads": "UPDATE {s}.wp_head h SET version = u.version, seq = u.seq, live = u.live "
    "FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::boolean[]) "
    "AS u (collection, key, version, seq, live) "
    "WHERE h.collection = u.collection AND h.key = u.key",
    "delete_index": "DELETE FROM {s}.wp_index WHERE (ix, value, key) IN "
    "(SELECT * FROM unnest(%s::integer[], %s::text[], %s::text[]))",
    "copy_index": "COPY {s}.wp_index (ix, value, key, seq) FROM STDIN",
    "get": f"SELECT {_ROW} FROM {{s}}.wp_head h JOIN {{s}}.wp_log l ON l.seq = h.seq "
    "WHERE h.collection = %s AND h.key = %s AND h.live",
    "get_many": f"SELECT {_ROW} FROM {{s}}.wp_head h JOIN {{s}}.wp_log l ON l.seq = h.seq "
    "WHERE h.collection = %s AND h.live AND h.key = ANY(%s::text[])",
    "scan": f"SELECT {_ROW} FROM {{s}}.wp_head h JOIN {{s}}.wp_log l ON l.seq = h.seq "
    "WHERE h.collection = %s AND h.live ORDER BY h.key",
    "history": "WITH RECURSIVE chain (seq) AS ("
    " SELECT seq FROM {s}.wp_head WHERE collection = %s AND key = %s"
    " UNION ALL"
    " SELECT l.prev FROM {s}.wp_log l JOIN chain c ON l.seq = c.seq WHERE l.prev IS NOT NULL)"
    " SELECT l.key, l.version, l.seq, l.body, l.committed_at"
    " FROM chain c JOIN {s}.wp_log l ON l.seq = c.seq ORDER BY l.seq",
    "changes": "SELECT collection, key, version, seq, body, committed_at FROM {s}.wp_log "
    "WHERE seq > %s ORDER BY seq",
}


def _psycopg() -> Any:
    """Import psycopg, or say which extra to install."""
    try:
        import psycopg
    except ImportError as exc:
        raise BackendNotFoundError(
            "the PostgreSQL store needs psycopg 3: pip install 'workplan_core[postgres]'"
        ) from exc
    return psycopg


def _is_busy(exc: BaseException) -> bool:
    return getattr(exc, "sqlstate", None) in _BUSY_STATES


def _split_url(url: str) -> tuple[str, str]:
    """Separate the store's own `schema` parameter from the libpq URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for name, value in query if name == "schema"]
    rest = [(name, value) for name, value in query if name != "schema"]
    schema = schemas[-1] if schemas else "public"
    message = None if schema.isascii() and schema.isidentifier() else "not an identifier"
    if message or len(schema) > MAX_NAME_LENGTH:
        raise ValidationError.single(
            "$.url.schema", "must be an identifier (letters, digits, _) of at most 64 characters"
        )
    return urlunsplit(parts._replace(query=urlencode(rest, quote_via=quote))), schema.lower()


def _field(text: str) -> str:
    """`text` as one field of a COPY text-format row (backslash, tab and line ends escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _escaped(column: list[str]) -> list[str]:
    """A column of text in COPY format: as it is, unless some value needs escaping."""
    joined = "".join(column)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return list(map(_field, column))
    return column


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(moment: dt.datetime) -> int:
    """A commit time as stored: microseconds since the Unix epoch (UTC)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@functools.lru_cache(maxsize=64)
def _moment(micros: int) -> dt.datetime:
    """The UTC time of a commit (cached: every row of a batch shares its commit time)."""
    return _EPOCH + dt.timedelta(microseconds=micros)


def _clustering(texts: list[str | None]) -> list[int]:
    """The positions of a batch's writes in the order of one indexed field's values.

    A bulk load stores its versions in this order (their sequence numbers do not change), so
    the versions that a scan filtered on that field returns sit together in ``wp_log`` too.
    """
    values = [t or "" for t in texts] if None in texts else texts
    return sorted(range(len(values)), key=values.__getitem__)  # type: ignore[arg-type]


class _NotNewError(Exception):
    """A batch assumed to create new keys met a key that has a head (its insert failed)."""


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class PostgresStore(ClosesOnExit):
    """A store in a PostgreSQL database (or an engine that speaks its protocol).

    One instance is not shared between threads. Costs: a write of b records is
    O(b log n) in a handful of round trips (`COPY` for the rows); `get` O(log n); scans
    stream 2,000 rows per round trip from a server-side cursor.

    Args:
        conninfo: a libpq connection string or URL (without the `schema` parameter).
        schema: the schema holding the store's tables; created if missing.

    Raises:
        BackendNotFoundError: psycopg is not installed.
        StorageError: the server cannot be reached or holds a store of another format.
    """

    def __init__(self, conninfo: str, *, schema: str = "public") -> None:
        self._pg = _psycopg()
        self.schema = schema
        self._conninfo = conninfo
        self._reader: psycopg.Connection[Any] | None = None
        self._streams = 0
        self._stream_ids = itertools.count(1)
        self._indexed: dict[str, tuple[str, ...]] = {}
        self._ids: dict[tuple[str, str], int] = {}  # (collection, field) -> its wp_index number
        self._generation = -1
        self._conn: psycopg.Connection[Any] | None = None
        self._conn = self._connect(autocommit=True)
        quoted = self._pg.sql.Identifier(schema).as_string(self._conn)
        self._q = {name: text.replace("{s}", quoted) for name, text in _SQL.items()}
        try:
            self._setup([statement.replace("{s}", quoted) for statement in _SCHEMA])
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> PostgresStore:
        """Open the store named by a ``postgresql://…[?schema=name]`` URL."""
        conninfo, schema = _split_url(url)
        return cls(conninfo, schema=schema)

    # ------------------------------------------------------------------ plumbing

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return driver_errors("postgresql", self._pg.Error, _is_busy)

    def _connect(self, *, autocommit: bool) -> psycopg.Connection[Any]:
        with self._errors():
            conn: psycopg.Connection[Any] = self._pg.connect(self._conninfo, autocommit=autocommit)
        # Bodies come back as the text stored, in the text and in the binary format (streams
        # use the binary one: numbers and times are cheaper to read).
        conn.adapters.register_loader("json", self._pg.types.string.TextLoader)
        conn.adapters.register_loader("json", self._pg.types.string.TextBinaryLoader)
        return conn

    def _connection(self) -> psycopg.Connection[Any]:
        """The main connection (writes, declarations, single reads); reopened when lost.

        A call that meets a lost connection (the server restarted, an administrator ended
        it, the network cut it) fails with `StorageError`, the driver's error as its cause:
        a write may or may not have committed then, and only the caller can retry it (the
        versions it expects make a retry safe: a batch that did commit conflicts). The next
        call opens a new connection (or, while the server cannot be reached, fails and
        tries again on the call after).
        """
        conn = self._conn
        if conn is None:
            raise StoreClosedError(f"postgresql: the store (schema {self.schema!r}) is closed")
        if conn.closed:
            fresh = self._connect(autocommit=True)  # if the server is still away, next time
            with contextlib.suppress(self._pg.Error):
                conn.close()
            self._conn = conn = fresh
        return conn

    def _setup(self, statements: list[str]) -> None:
        conn = self._connection()
        with self._errors():
            exists = conn.execute(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = 'wp_meta'",
                (self.schema,),
            ).fetchone()
        errors = self._pg.errors
        # Processes creating the schema or tables at once: ``IF NOT EXISTS`` does not stop a
        # concurrent creation, which fails on the catalog's unique indexes once the other one
        # commits; by then the object exists, so the next attempt finds it.
        races = (
            errors.UniqueViolation,
            errors.DuplicateObject,
            errors.DuplicateTable,
            errors.DuplicateSchema,
        )
        with self._errors():  # outside the retries: they see the driver's own errors
            for attempt in range(0 if exists else _SETUP_RETRIES):
                try:
                    with conn.transaction():
                        for statement in statements:
                            conn.execute(statement)
                    break
                except races as exc:
                    if attempt == _SETUP_RETRIES - 1:
                        raise StorageError(f"postgresql: cannot create the tables: {exc}") from exc
        with self._errors():
            found = conn.execute(self._q["format"]).fetchone()
        if found is None or found[0] != FORMAT:
            raise StorageError(
                f"postgresql: schema {self.schema!r} holds store format "
                f"{found and found[0]!r}; this library reads format {FORMAT}"
            )

    def close(self) -> None:
        """Close the connections; closing twice is harmless."""
        conns = [self._reader, self._conn]
        self._reader = self._conn = None
        for conn in conns:
            if conn is not None:
                with self._errors():
                    conn.close()

    # ------------------------------------------------------------------ declarations

    def _declarations(self, conn: psycopg.Connection[Any]) -> dict[str, tuple[str, ...]]:
        """The indexed fields of every collection (their numbers go to `self._ids`)."""
        row = conn.execute(self._q["generation"]).fetchone()
        if row is None or row[0] != self._generation:
            rows = conn.execute(self._q["declarations"]).fetchall()
            numbered = {name: json.loads(fields) for name, fields in rows}
            self._indexed = {name: tuple(sorted(ids)) for name, ids in numbered.items()}
            self._ids = {(name, f): ix for name, ids in numbered.items() for f, ix in ids.items()}
            self._generation = row[0] if row is not None else -1
        return self._indexed

    def declare(self, collection: str, indexed: Iterable[str] = ()) -> None:
        """Set the indexed fields of `collection`; O(records in it) when the set changes."""
        name, fields = check_declaration(collection, indexed)
        conn = self._connection()
        with self._errors(), conn.transaction():
            conn.execute(self._q["lock"], (0,))  # serialise with writers
            row = conn.execute(self._q["declaration"], (name,)).fetchone()
            current: dict[str, int] = json.loads(row[0]) if row is not None else {}
            if tuple(sorted(current)) == fields:
                return
            for field in set(current) - set(fields):
                conn.execute(self._q["drop_field"], (current.pop(field),))
            added = sorted(set(fields) - set(current))
            if added:
                (last,) = conn.execute(self._q["field_ids"], (len(added),)).fetchone() or (0,)
                fresh = dict(zip(added, range(last - len(added) + 1, last + 1), strict=True))
                self._backfill(conn, name, fresh)
                current.update(fresh)
            if fields:
                numbered = json.dumps(dict(sorted(current.items())))
                conn.execute(self._q["upsert_declaration"], (name, numbered))
            else:
                conn.execute(self._q["delete_declaration"], (name,))
            conn.execute(self._q["bump_generation"])

    def _backfill(
        self, conn: psycopg.Connection[Any], collection: str, fields: dict[str, int]
    ) -> None:
        """Index the live records of `collection` by `fields` (each with its number)."""
        names = sorted(fields)
        with conn.cursor(name=f"wp_backfill_{next(self._stream_ids)}") as cursor:
            cursor.execute(self._q["live_bodies"], (collection,))
            while rows := cursor.fetchmany(_FETCH):
                lines = [
                    f"{fields[field]}\t{_field(text)}\t{_field(key)}\t{seq}\n"
                    for key, version, seq, body in rows
                    for field, text in index_entries(
                        decode_record(body, collection, key, version), names
                    )
                ]
                lines.sort()  # see `_copy_rows`
                self._copy(conn, self._q["copy_index"], lines)

    def indexed_fields(self, collection: str) -> tuple[str, ...]:
        """The fields `collection` declared as indexed, sorted."""
        require_name(collection, "$.collection")
        conn = self._connection()
        with self._errors():
            return self._declarations(conn).get(collection, ())

    # ------------------------------------------------------------------ writes

    @staticmethod
    def _copy(conn: psycopg.Connection[Any], statement: str, lines: Iterable[str]) -> None:
        """Send rows already in COPY text format (see `_field`), in chunks of about 1 MB."""
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            chunk: list[str] = []
            size = 0
            for line in lines:
                chunk.append(line)
                size += len(line)
                if size >= 1_000_000:
                    copy.write("".join(chunk))
                    chunk, size = [], 0
            if chunk:
                copy.write("".join(chunk))

    def write(self, writes: Iterable[Write]) -> Commit:
        """Write a batch atomically; O(b log n) in a handful of round trips.

        Under the counter-row lock: read the heads of the written keys, check expectations,
        then `COPY` the new versions, the heads of new keys and the index entries, and update
        the heads of existing keys. A batch of new keys (every write a put expecting no live
        record) is first tried without reading heads: the primary key of ``wp_head`` refuses
        any key that has one, and the batch is then rolled back and written the long way, so
        a conflict still lists every conflicting key.
        """
        with collector_paused():  # a batch's rows make no reference cycles
            return self._write_batch(writes)

    def _write_batch(self, writes: Iterable[Write]) -> Commit:
        checked = check_batch(writes)
        now = commit_time()
        conn = self._connection()
        if not checked.keys:
            return Commit((), (), now)
        if checked.all_new:
            try:
                with self._errors(), conn.transaction():
                    return self._write_new(conn, checked, now)
            except _NotNewError:
                pass  # rolled back: some key has a head; check every expectation
        batch = checked.prepared()
        with self._errors(), conn.transaction():
            (last,) = conn.execute(self._q["lock"], (len(batch),)).fetchone() or (0,)
            first = last - len(batch) + 1
            heads, head_seqs = self._heads(conn, batch)
            versions = next_versions(batch, heads)
            indexed = self._declarations(conn)
            entries = batch_index_entries(batch, indexed)
            stale = self._stale_index_entries(conn, batch, heads, head_seqs, indexed)
            stamp = str(_micros(now))
            log_lines: list[str] = []
            new_heads: list[str] = []
            old_heads: list[tuple[str, str, int, int, bool]] = []
            index_lines: list[str] = []
            seq = first
            for write, version, pairs in zip(batch, versions, entries, strict=True):
                collection, key = _field(write.collection), _field(write.key)
                body = "\\N" if write.text is None else _field(write.text)
                prev = head_seqs.get((write.collection, write.key), "\\N")
                log_lines.append(
                    f"{seq}\t{collection}\t{key}\t{version}\t{body}\t{stamp}\t{prev}\n"
                )
                live = write.text is not None
                if (write.collection, write.key) in heads:
                    old_heads.append((write.collection, write.key, version, seq, live))
                else:
                    new_heads.append(f"{collection}\t{key}\t{version}\t{seq}\t{'tf'[not live]}\n")
                for field, text in pairs:
                    ix = self._ids[(write.collection, field)]
                    index_lines.append(f"{ix}\t{_field(text)}\t{key}\t{seq}\n")
                seq += 1
            self._copy(conn, self._q["copy_log"], log_lines)
            if new_heads:
                self._copy(conn, self._q["copy_heads"], new_heads)
            if old_heads:
                columns = [list(column) for column in zip(*old_heads, strict=True)]
                conn.execute(self._q["update_heads"], columns, binary=True)
            if stale:
                columns = [list(column) for column in zip(*stale, strict=True)]
                conn.execute(self._q["delete_index"], columns, binary=True)
            if index_lines:
                index_lines.sort()  # see `_copy_rows`
                self._copy(conn, self._q["copy_index"], index_lines)
        return Commit(tuple(versions), tuple(range(first, first + len(batch))), now)

    def _write_new(
        self, conn: psycopg.Connection[Any], checked: CheckedBatch, now: dt.datetime
    ) -> Commit:
        """Write a batch of new keys without reading heads (see `write`)."""
        count = len(checked.keys)
        (last,) = conn.execute(self._q["lock"], (count,)).fetchone() or (0,)
        seqs = range(last - count + 1, last + 1)
        numbers = list(map(str, seqs))
        collections = _escaped(checked.collections)
        keys = _escaped(checked.keys)
        ones = ["1"] * count
        try:
            heads = (collections, keys, ones, numbers, ["t"] * count)
            self._copy_rows(conn, self._q["copy_heads"], heads)
        except self._pg.errors.UniqueViolation as exc:
            raise _NotNewError from exc
        texts = _escaped(cast(list[str], checked.texts))
        stamp = itertools.repeat(str(_micros(now)), count)
        columns = list(index_columns(checked, self._declarations(conn)))
        self._copy_rows(
            conn,
            self._q["copy_new_log"],
            (numbers, collections, keys, ones, texts, stamp),
            order=_clustering(columns[0][2]) if columns else None,
        )
        for name, field, column in columns:
            present: Iterable[Sequence[str]] = (keys, numbers, column)  # type: ignore[assignment]
            if None in column:
                mask = [text is not None for text in column]
                present = [list(itertools.compress(c, mask)) for c in present]
            key_column, number_column, text_column = present
            self._copy_rows(
                conn,
                self._q["copy_index"],
                (
                    itertools.repeat(str(self._ids[(name, field)]), len(key_column)),
                    _escaped(cast(list[str], text_column)),
                    key_column,
                    number_column,
                ),
                in_order=True,
            )
        return Commit((1,) * count, tuple(seqs), now)

    @staticmethod
    def _copy_rows(
        conn: psycopg.Connection[Any],
        statement: str,
        columns: Sequence[Iterable[str]],
        *,
        in_order: bool = False,
        order: list[int] | None = None,
    ) -> None:
        """`COPY` rows given as columns of text already in COPY format (see `_escaped`).

        The order rows are sent in is the order they sit in the table. With `in_order`, they
        are sorted (for ``wp_index``: by collection, field, value and key), so the entries of
        one indexed value sit together and a filtered scan reads a few pages per batch rather
        than a page per record; `order` gives the positions of the rows to send instead.
        """
        rows = list(map("\t".join, zip(*columns, strict=True)))
        if not rows:
            return
        if in_order:
            rows.sort()
        elif order is not None and len(rows) > 1:
            rows = list(operator.itemgetter(*order)(rows))
        text = "\n".join(rows) + "\n"
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(text), _COPY_CHUNK):
                copy.write(text[start : start + _COPY_CHUNK])

    def _heads(
        self, conn: psycopg.Connection[Any], batch: list[PreparedWrite]
    ) -> tuple[dict[tuple[str, str], Head], dict[tuple[str, str], int]]:
        heads: dict[tuple[str, str], Head] = {}
        seqs: dict[tuple[str, str], int] = {}
        for chunk in _chunks(batch):
            rows = conn.execute(
                self._q["heads"],
                ([w.collection for w in chunk], [w.key for w in chunk]),
                binary=True,
            )
            for collection, key, version, live, seq in rows:
                heads[(collection, key)] = Head(version, live)
                seqs[(collection, key)] = seq
        return heads, seqs

    def _stale_index_entries(
        self,
        conn: psycopg.Connection[Any],
        batch: list[PreparedWrite],
        heads: Mapping[tuple[str, str], Head],
        head_seqs: Mapping[tuple[str, str], int],
        indexed: Mapping[str, tuple[str, ...]],
    ) -> list[tuple[int, str, str]]:
        """The index rows (number, value, key) of the live versions this batch replaces."""
        replaced = [
            head_seqs[(w.collection, w.key)]
            for w in batch
            if indexed.get(w.collection)
            and (head := heads.get((w.collection, w.key)))
            and head.live
        ]
        stale: list[tuple[int, str, str]] = []
        for chunk in _chunks(replaced):
            rows = conn.execute(self._q["bodies_by_seq"], (list(chunk),), binary=True).fetchall()
            for collection, key, version, body in rows:
                fields = indexed[collection]
                try:
                    record = decode_record(body, collection, key, version)
                except CorruptRecordError:
                    # Drop the rows by key instead, so overwriting repairs a corrupt record.
                    for field in fields:
                        ix = self._ids[(collection, field)]
                        conn.execute(self._q["drop_field_key"], (ix, key))
                    continue
                stale.extend(
                    (self._ids[(collection, field)], text, key)
                    for field, text in index_entries(record, fields)
                )
        return stale

    # ------------------------------------------------------------------ reads

    @staticmethod
    def _stored(collection: str, row: Sequence[Any]) -> StoredRecord:
        key, version, seq, body, committed_at = row
        record = None if body is None else decode_record(body, collection, key, version)
        return _stored_record(collection, key, version, seq, record, _moment(committed_at))

    def get(self, collection: str, key: str) -> StoredRecord | None:
        """The live version of `key`, or `None`; O(log n), one round trip."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        conn = self._connection()
        with self._errors():
            row = conn.execute(self._q["get"], (collection, key)).fetchone()
        return None if row is None else self._stored(collection, row)

    def last_seq(self) -> int:
        """The sequence number of the last committed write (0 before the first); one round trip."""
        conn = self._connection()
        with self._errors():
            row = conn.execute(self._q["last_seq"]).fetchone()
        if row is None:  # the schema's meta rows are written with it, in one transaction
            raise StorageError(f"postgresql: schema {self.schema!r} holds no last sequence number")
        return int(row[0])

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The live versions of `keys` that exist; one round trip per 5,000 keys."""
        require_name(collection, "$.collection")
        wanted = require_keys(keys)
        conn = self._connection()
        found: dict[str, StoredRecord] = {}
        for chunk in _chunks(wanted):
            with self._errors():
                rows = conn.execute(self._q["get_many"], (collection, list(chunk))).fetchall()
            for row in rows:
                found[row[0]] = self._stored(collection, row)
        return {key: found[key] for key in wanted if key in found}

    def scan(
        self, collection: str, where: Mapping[str, IndexValue] | None = None
    ) -> Iterator[StoredRecord]:
        """Stream live records in key order from a server-side cursor."""
        require_name(collection, "$.collection")
        conn = self._connection()
        with self._errors():
            indexed = self._declarations(conn).get(collection, ())
        pairs = where_entries(collection, where, indexed)
        if not pairs:
            return self._stream(self._q["scan"], [collection], collection)
        s = self._pg.sql.Identifier(self.schema).as_string(conn)
        joins = "".join(
            f" JOIN {s}.wp_index i{n} ON i{n}.ix = %s AND i{n}.value = %s AND i{n}.key = i0.key"
            for n in range(1, len(pairs))
        )
        query = (
            "SELECT i0.key, l.version, l.seq, l.body, l.committed_at"
            f" FROM {s}.wp_index i0{joins} JOIN {s}.wp_log l ON l.seq = i0.seq"
            " WHERE i0.ix = %s AND i0.value = %s ORDER BY i0.key"
        )
        numbered = [(self._ids[(collection, field)], text) for field, text in pairs]
        params = [value for pair in numbered[1:] for value in pair]
        return self._stream(query, [*params, *numbered[0]], collection)

    def history(self, collection: str, key: str) -> Iterator[StoredRecord]:
        """Stream every version of `key`, oldest first, from a server-side cursor."""
        require_name(collection, "$.collection")
        require_name(key, "$.key", MAX_KEY_LENGTH)
        self._connection()
        return self._stream(self._q["history"], [collection, key], collection)

    def changes(self, since: int = 0) -> Iterator[StoredRecord]:
        """Stream committed writes after sequence number `since` from a server-side cursor."""
        require_since(since)
        self._connection()
        return self._stream(self._q["changes"], [since], None)

    def _reader_connection(self) -> psycopg.Connection[Any]:
        """The read connection; opened anew when it was lost (killed, timed out, cut off)."""
        self._connection()
        lost = self._reader
        if lost is not None and lost.closed:
            # Every stream on it failed with it: they no longer count (see `_release`).
            self._reader, self._streams = None, 0
            with contextlib.suppress(self._pg.Error):
                lost.close()
        if self._reader is None:
            self._reader = self._connect(autocommit=False)
        return self._reader

    def _open_stream(self, query: str, params: list[Any]) -> tuple[psycopg.Connection[Any], Any]:
        """A server-side cursor running `query` on the read connection, and that connection.

        A read connection found lost when the query is sent is opened again once: nothing
        has been read from it yet, so the query runs as if it had never been lost.
        """
        retried = False
        while True:
            reader = self._reader_connection()
            self._streams += 1
            cursor = None
            try:
                with self._errors():
                    cursor = reader.cursor(name=f"wp_stream_{next(self._stream_ids)}", binary=True)
                    cursor.execute(query, params)
            except BaseException as exc:
                self._release(reader, cursor)
                if retried or not (isinstance(exc, StorageError) and reader.closed):
                    raise
                retried = True
            else:
                return reader, cursor

    def _stream(
        self, query: str, params: list[Any], collection: str | None
    ) -> Iterator[StoredRecord]:
        """The versions `query` selects, from a server-side cursor on the read connection.

        Rows are (key, version, seq, body, committed_at), preceded by the collection when
        `collection` is `None`. The bodies of a page are decoded in one call. The read
        connection holds one transaction while any stream is open, so the store's own writes
        (on the other connection) commit at once.
        """
        reader, cursor = self._open_stream(query, params)
        try:
            while True:
                self._connection()
                with self._errors():
                    rows = cursor.fetchmany(_FETCH)
                page: Iterable[StoredRecord] | None = self._page(collection, rows)
                if page is None:  # some body is not an object: decode one by one to name it
                    page = (
                        (self._stored(r[0], r[1:]) for r in rows)
                        if collection is None
                        else (self._stored(collection, r) for r in rows)
                    )
                for stored in page:
                    if self._conn is None:
                        self._connection()  # raises StoreClosedError
                    yield stored
                if len(rows) < _FETCH:
                    return
        finally:
            self._release(reader, cursor)

    @staticmethod
    def _page(collection: str | None, rows: list[Any]) -> list[StoredRecord] | None:
        """The versions of a page of rows, or `None` when some body is not an object."""
        if not rows:
            return []
        columns = list(zip(*rows, strict=True))
        names: Iterable[str] = (
            itertools.repeat(collection) if collection is not None else columns.pop(0)
        )
        keys, versions, seqs, bodies, times = columns
        records = decode_records(bodies)
        if records is None:
            return None
        moments = map(_moment, times)
        return list(map(_stored_record, names, keys, versions, seqs, records, moments))

    def _release(self, reader: psycopg.Connection[Any], cursor: Any) -> None:
        """End a stream: close its cursor, and the read transaction after the last stream.

        A stream on a read connection since replaced (it was lost) no longer counts.
        """
        current = reader is self._reader
        if current:
            self._streams -= 1
        with contextlib.suppress(self._pg.Error):
            if cursor is not None:
                cursor.close()
            if current and self._streams == 0 and not reader.closed:
                reader.rollback()
