"""Many rows at once, at the speed of the database driver.

SQLAlchemy's executemany processes every parameter of every row in
Python; for the stats worker's tens of thousands of rows a second that
took as long as the database. The statements here are still built with
SQLAlchemy Core, in the connection's dialect, compiled once, and their
rows handed to the driver as they are (plain ints, text and bytes, which
need no processing)."""

from __future__ import annotations

import functools
import operator

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

CHUNK = 500  # values per IN (...): well within every database's limit
# Any constant: the stats writers of one store take turns on it.
WRITER_LOCK = 0x6C6C7374  # "llst"


def _insert(dialect, table, names):
    """INSERT of the columns ``names``, each from the parameter of its name."""
    if dialect.name == "postgresql":
        statement = postgresql.insert(table)
    elif dialect.name == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise ValueError(f"the store does not support {dialect.name}")
    return statement.values({name: bindparam(name) for name in names})


@functools.lru_cache(maxsize=64)
def _compiled(dialect, build):
    """(SQL text, parameter names in order or None for named) of a statement."""
    compiled = build(dialect).compile(dialect=dialect)
    return str(compiled), (tuple(compiled.positiontup) if compiled.positional else None)


def _run(conn, key, build, rows, names=None):
    """Run the statement ``build(dialect, names)`` for every row; ``names``
    are the columns the rows give: those of the first row (dicts), or as
    given when the rows are tuples in that order. The rows it changed."""
    if not rows:
        return 0
    tuples = not isinstance(rows[0], dict)
    names = tuple(names) if tuples else tuple(rows[0])
    sql, order = _compiled(conn.dialect, _Builder((*key, names), lambda d: build(d, names)))
    if tuples:
        params = rows if order == names else _reordered(rows, names, order)
    elif order is None:
        params = rows
    elif len(order) == 1:
        params = [(row[order[0]],) for row in rows]
    else:
        params = list(map(operator.itemgetter(*order), rows))
    return conn.exec_driver_sql(sql, params).rowcount


def _reordered(rows, names, order):
    """Tuples in ``names`` order as the statement wants them: dicts for a
    driver taking named parameters (``order`` None), else tuples in ``order``."""
    if order is None:
        return [dict(zip(names, row, strict=True)) for row in rows]
    pick = operator.itemgetter(*(names.index(name) for name in order))
    return [pick(row) for row in rows] if len(order) > 1 else [(pick(row),) for row in rows]


class _Builder:
    """A statement factory that caches by name (lambdas would not)."""

    def __init__(self, key, build):
        self.key, self.build = key, build

    def __call__(self, dialect):
        return self.build(dialect)

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, _Builder) and other.key == self.key


def insert_values(conn, table, names, rows):
    """INSERT every row, a tuple of the columns ``names`` in that order."""
    _run(conn, ("insert", table.name), lambda d, n: _insert(d, table, n), rows, names)


def add_to(conn, table, rows, add, replace=()):
    """Insert ``rows``, or where the primary key is there, add their columns
    ``add`` to the stored values (and overwrite ``replace``)."""
    def build(dialect, names):
        statement = _insert(dialect, table, names)
        keys = [c.name for c in table.primary_key.columns]
        sets = {name: table.c[name] + statement.excluded[name] for name in add}
        sets.update({name: statement.excluded[name] for name in replace})
        return statement.on_conflict_do_update(index_elements=keys, set_=sets)
    _run(conn, ("add_to", table.name, tuple(add), tuple(replace)), build, rows)


def insert_missing(conn, table, rows, names=None):
    """INSERT the rows whose primary key or unique column is not there yet
    (dicts, or tuples of the columns ``names``); how many were."""
    return _run(conn, ("insert_missing", table.name),
                lambda d, n: _insert(d, table, n).on_conflict_do_nothing(), rows, names)


def chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def rows_in(conn, name, build, values, **extra):
    """The rows of ``build(placeholders)``, a SELECT with the placeholders
    in an IN (...), for every chunk of ``values``; ``extra`` binds the
    statement's other parameters. Compiled once per chunk length, values
    handed to the driver as they are (bytes and ints need no processing)."""
    out = []
    for chunk in chunks(values):
        make = functools.partial(_placeholders, build, len(chunk))
        sql, order = _compiled(conn.dialect, _Builder((name, len(chunk)), make))
        params = {f"v{i}": v for i, v in enumerate(chunk)} | extra
        if order is not None:
            params = tuple(params[p] for p in order)
        out += conn.exec_driver_sql(sql, params).all()
    return out


def _placeholders(build, n, dialect):
    return build([bindparam(f"v{i}") for i in range(n)])


def existing(conn, column, values):
    """The ``values`` that ``column`` holds already."""
    return {row[0] for row in rows_in(conn, ("existing", column.table.name, column.name),
                                      lambda v: select(column).where(column.in_(v)), values)}


def lock_for_writing(conn):
    """Make this transaction (one of ``engine.writing``) the store's only
    writer until it ends, before it reads what it will write from (two
    stats writers settling the same double clicks at once would each miss
    the other's hits). On PostgreSQL an advisory lock; SQLite's BEGIN
    IMMEDIATE took its write lock already."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
