"""Opening the store: one SQLAlchemy engine from the ``[store] url``.

Two databases are known: SQLite (a file in the instance, the default) and
PostgreSQL through psycopg 3. The URL is checked here, once, so that a
wrong one is a configuration error naming the key, and every message
shows it through ``describe``, which never includes a password.
"""

import contextlib
import logging
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from ..errors import ConfigError, StoreUnavailable

log = logging.getLogger(__name__)

SOURCE = "loglines.cfg"

# The drivers loglines installs; "postgresql://" means psycopg 3 here, not
# SQLAlchemy's own default (psycopg2, which is not a dependency).
DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
EXPECTED = "expected sqlite:///PATH or postgresql://USER@HOST/DATABASE"

BUSY_TIMEOUT_MS = 10_000  # how long an SQLite writer waits for another one
CONNECT_TIMEOUT = 10  # seconds for a PostgreSQL server to answer
WRITER_CACHE_KIB = 65536

#: Execution option asking for a transaction that will write (see ``writing``).
WRITE = "loglines_write"


def parse(url, source=SOURCE):
    """``url`` as a SQLAlchemy URL with loglines' driver chosen, or a
    ConfigError naming ``source``, ``[store]`` and ``url``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        # Not chained: the parser's own message repeats the URL, password and all.
        raise _bad(source, f"not a database URL ({EXPECTED})") from None
    driver = DRIVERS.get(parsed.drivername)
    if driver is None:
        raise _bad(source, f"unknown database {parsed.drivername!r} ({EXPECTED})")
    parsed = parsed.set(drivername=driver)
    if driver == "sqlite" and (parsed.host or parsed.username):
        raise _bad(source, "an SQLite URL names a file, not a host: sqlite:///PATH "
                   "(four slashes for an absolute path)")
    if driver != "sqlite" and not parsed.database:
        raise _bad(source, "no database name (postgresql://USER@HOST/DATABASE)")
    return parsed


def _bad(source, message):
    return ConfigError(f"{source}: [store] url: {message}")


def describe(url):
    """Where the store is, for messages and logs: the URL with any password
    (in the user part or the query) replaced by ``***``."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return "the store at the configured url"
    query = {k: "***" if k.lower() == "password" else v for k, v in parsed.query.items()}
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", "=***")  # as the user part shows it


def database_file(url):
    """The file of an SQLite URL, or None (PostgreSQL, an in-memory SQLite)."""
    url = url if isinstance(url, URL) else make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def open_engine(url, source=SOURCE):
    """An Engine for ``url`` (text or URL); nothing connects until it is used."""
    parsed = parse(url, source)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(parsed)
    return _postgresql(parsed)


def connect(engine):
    """``engine.connect()``, a database that cannot be reached raised as
    StoreUnavailable (its message says where, without the password)."""
    try:
        return engine.connect()
    except DBAPIError as err:
        raise StoreUnavailable(f"store {describe(engine.url)}: unreachable: "
                               f"{reason(err, engine.url)}") from err


@contextlib.contextmanager
def writing(engine):
    """A connection in a transaction that will write, committed when the
    block ends; on SQLite it takes the write lock at BEGIN (see ``_begin``)."""
    connection = connect(engine).execution_options(**{WRITE: True})
    with connection, connection.begin():
        yield connection


def reason(err, url):
    """The database's own words for ``err`` (a DBAPIError), one line, for
    messages: SQLAlchemy's text would add the statement and a link."""
    text = str(getattr(err, "orig", None) or err).strip()
    line = text.splitlines()[0] if text else type(err).__name__
    secrets = (url.password, url.query.get("password")) if isinstance(url, URL) else ()
    for secret in filter(None, secrets):
        line = line.replace(str(secret), "***")
    return line


def _sqlite(url):
    engine = create_engine(url)
    path = database_file(url)

    @event.listens_for(engine, "do_connect")
    def make_folder(dialect, record, cargs, cparams):
        # Here rather than at open: only connecting may create files, so
        # `loglines check` on a new instance leaves no empty folder behind.
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def settings(dbapi_connection, record):
        # sqlite3 would begin transactions only before INSERT/UPDATE/DELETE,
        # leaving DDL (a migration) outside any; "begin" below does it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(cursor, path)
        # NORMAL, with WAL: a commit survives a crash of the process, at most
        # the last ones are lost on a power cut, and the file is never corrupted.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    event.listen(engine, "begin", _begin)
    return engine


def _use_wal(cursor, path):
    """WAL: readers never block the writer, nor it them. The switch takes a
    lock that SQLite's busy timeout does not wait for, and two connections
    to a new file may both try, so the one refused waits and looks again."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
        try:
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
            continue
        if mode != "wal":  # a file system without the shared memory WAL needs
            log.warning("the SQLite store %s cannot use WAL; journal mode stays %s",
                        path, mode)
            return


def _begin(connection):
    # A deferred transaction that reads and then writes fails at once with
    # "database is locked" when another writer committed in between, busy
    # timeout or not; a writer that says so takes the lock first, waiting.
    immediate = connection.get_execution_options().get(WRITE)
    if immediate and not connection.info.get(WRITE):
        # A writer's pages: 64 MiB (2 MiB by default), since the hits' keys and
        # chains are random and each insert lands on another page of their
        # indexes. Writers only: every pooled reader would hold as much.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        connection.info[WRITE] = True
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgresql(url):
    query = url.query
    connect_args = {}
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    if "application_name" not in query:
        connect_args["application_name"] = "loglines"
    # pre_ping: a long-running worker's pooled connection may have been
    # closed by a server restart; it is tested before use and replaced.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
