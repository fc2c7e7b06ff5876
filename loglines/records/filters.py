"""The filters every record request takes, as SQLAlchemy Core conditions.

``after`` and ``before`` (ISO 8601; a time without an offset is UTC),
``level`` (at least: a number or a name such as WARNING), ``name``
(comma-separated logger prefixes: ``app`` is ``app`` and ``app.*``) and
``query`` (the filter language of ``query.py``), and ``q``: words the
message must all hold (full-text search: SQLite's FTS5, PostgreSQL's text
search with the 'simple' configuration, so no language's stemming). Every
value reaches the database as a bound parameter; ``q`` is reduced to its
words first, each quoted, so FTS5's own query syntax is never reached.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.types import Numeric

from ..errors import LoglinesError
from ..store.schema import records
from . import query as language

MAX_NAMES = 50
MAX_WORDS = 20
_WORD = re.compile(r"\w+")
_FTS = table("records_fts", column("rowid"))
_SIMPLE = literal_column("'simple'")  # the configuration the index was made with


class BadFilter(LoglinesError, ValueError):
    """A filter's value cannot be read; ``param`` names it."""

    def __init__(self, param, text):
        self.param = param
        super().__init__(f"{param}: {text}")


def instant_ms(text, param):
    """Milliseconds since the epoch of an ISO 8601 time (UTC without offset)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadFilter(param, f"{text!r} is not an ISO 8601 time "
                               "(e.g. 2025-12-01T10:00:00+00:00)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return round(when.timestamp() * 1000)


def level_of(text, param="level"):
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    named = logging.getLevelName(text.upper())
    if not isinstance(named, int):
        raise BadFilter(param, f"{text!r} is not a level (a number, or DEBUG, INFO, WARNING, "
                               "ERROR, CRITICAL)")
    return named


@dataclass(frozen=True)
class Filters:
    after: int | None = None  # ms, inclusive
    before: int | None = None  # ms, exclusive
    level: int | None = None
    names: tuple = ()
    query: object = None  # a parsed tree of query.py
    words: tuple = ()  # of q

    @classmethod
    def read(cls, after=None, before=None, level=None, name=None, query=None, q=None):
        """From a request's texts; BadFilter or QuerySyntaxError."""
        names = tuple(n.strip() for n in (name or "").split(",") if n.strip())
        if len(names) > MAX_NAMES:
            raise BadFilter("name", f"more than {MAX_NAMES} logger names")
        words = tuple(_WORD.findall(q or ""))
        if q is not None and not words:
            raise BadFilter("q", "no word to search for")
        if len(words) > MAX_WORDS:
            raise BadFilter("q", f"more than {MAX_WORDS} words")
        return cls(after=instant_ms(after, "after") if after else None,
                   before=instant_ms(before, "before") if before else None,
                   level=level_of(level) if level else None, names=names,
                   query=language.parse(query) if query is not None else None, words=words)

    def conditions(self, dialect):
        found = []
        if self.after is not None:
            found.append(records.c.t_ms >= self.after)
        if self.before is not None:
            found.append(records.c.t_ms < self.before)
        if self.level is not None:
            found.append(records.c.level >= self.level)
        if self.names:
            found.append(or_(*(_logger(n) for n in self.names)))
        if self.query is not None:
            found.append(build(self.query, dialect))
        if self.words:
            found.append(_full_text(self.words, dialect))
        return found


def _full_text(words, dialect):
    if dialect == "postgresql":
        wanted = func.plainto_tsquery(_SIMPLE, bindparam("q_words", " ".join(words)))
        return func.to_tsvector(_SIMPLE, records.c.message).op("@@")(wanted)
    # Each word a quoted FTS5 string: AND of them, with no operator of FTS5's.
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    rows = select(_FTS.c.rowid).where(literal_column("records_fts").op("MATCH")(
        bindparam("q_words", match)))
    return records.c.seq.in_(rows)


def _like_escaped(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _logger(name):
    return or_(records.c.name == name,
               records.c.name.like(_like_escaped(name) + ".%", escape="\\"))


def build(tree, dialect):
    """The condition of a query tree for ``dialect`` (its name)."""
    if isinstance(tree, language.Either):
        return or_(*(build(t, dialect) for t in tree.terms))
    if isinstance(tree, language.Both):
        return and_(*(build(t, dialect) for t in tree.terms))
    if isinstance(tree, language.Not):
        return not_(build(tree.term, dialect))
    # Never NULL, so that not (...) of a field a record lacks is true.
    return func.coalesce(_comparison(tree, dialect), false())


def _compare(left, op, right):
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
            ">": left > right, ">=": left >= right}[op]


def _comparison(c, dialect):
    if len(c.field) == 1:
        return _compare(records.c[c.field[0]], c.op, literal(c.value))
    json = _PostgresJson(c.field) if dialect == "postgresql" else _SqliteJson(c.field)
    if c.value is None:
        missing = or_(json.kind().is_(None), json.kind() == json.NULL)
        return missing if c.op == "=" else not_(missing)
    if isinstance(c.value, bool):
        # Typed as the others: != true is a boolean that is false.
        return json.boolean(c.value if c.op == "=" else not c.value)
    if isinstance(c.value, str):
        return and_(json.kind() == json.STRING, _compare(json.text(), c.op, literal(c.value)))
    return _compare(json.number(), c.op, literal(c.value))


class _SqliteJson:
    """SQLite's JSON1: json_type names the kind, json_extract gives the value."""

    NULL, STRING = "null", "text"

    def __init__(self, field):
        self.path = "$" + "".join(f'."{key}"' for key in field)

    def kind(self):
        return func.json_type(records.c.logrec, self.path)

    def text(self):
        return func.json_extract(records.c.logrec, self.path)

    def number(self):
        return case((self.kind().in_(["integer", "real"]), self.text()), else_=None)

    def boolean(self, value):
        return self.kind() == ("true" if value else "false")


class _PostgresJson:
    """PostgreSQL's jsonb; the value is cast only where it is a number,
    inside a CASE, since AND does not promise to test the kind first."""

    NULL, STRING = "null", "string"

    def __init__(self, field):
        self.keys = [literal(key) for key in field]

    def kind(self):
        return func.jsonb_typeof(func.jsonb_extract_path(records.c.logrec, *self.keys))

    def text(self):
        return func.jsonb_extract_path_text(records.c.logrec, *self.keys)

    def number(self):
        return case((self.kind() == "number", cast(self.text(), Numeric)), else_=None)

    def boolean(self, value):
        return and_(self.kind() == "boolean", self.text() == ("true" if value else "false"))
