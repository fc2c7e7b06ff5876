"""The filter language of ``query=``: comparisons over a record's fields,
never SQL text.

Chronologer hands ``query`` to the database as part of the WHERE clause,
so every reader who may use it can read (and, on some setups, change)
the whole database. Here it is parsed into a tree and built with
SQLAlchemy Core, every value a bound parameter:

    data.status = 206 and meta.lineno > 20
    meta.threadName != "MainThread" or not (name = "app.db")

A field is ``data.<key>[.<key>...]`` (the ``extra`` fields), ``meta.<key>``
(the LogRecord's own) or one of the columns ``name``, ``message`` and
``level``. The operators are ``=`` (also ``==``), ``!=``, ``<``, ``<=``,
``>``, ``>=``; values are numbers, strings in double or single quotes
(backslash escapes the quote and itself), ``true``, ``false`` and
``null``; ``and`` binds tighter than ``or``; ``not`` and parentheses.

Comparisons are typed: a number matches a number only, a string a string
only, so ``data.status = 206`` does not match ``"206"``. A field a record
does not have matches no comparison but ``= null``, and then ``not (...)``
matches it. A syntax error is a QuerySyntaxError with the 1-based column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import LoglinesError

MAX_LENGTH = 4000  # characters of one query
MAX_DEPTH = 32  # nested parentheses and nots
MAX_COMPARISONS = 100

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|=|<|>)
  | (?P<paren>[()])
  | (?P<field>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
""", re.VERBOSE)
_WORDS = {"and", "or", "not", "true", "false", "null"}
COLUMNS = {"name": str, "message": str, "level": int}
OPERATORS = {"=": "=", "==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class QuerySyntaxError(LoglinesError, ValueError):
    """``query`` is not in the filter language; ``column`` is where (1-based)."""

    def __init__(self, text, column):
        self.column = column
        super().__init__(f"query: {text} at column {column}")
        self.reason = text


@dataclass(frozen=True)
class Comparison:
    field: tuple  # ("data", "status"), ("meta", "lineno") or ("name",)
    op: str
    value: object  # int, float, str, bool or None


@dataclass(frozen=True)
class Not:
    term: object


@dataclass(frozen=True)
class Both:  # and
    terms: tuple


@dataclass(frozen=True)
class Either:  # or
    terms: tuple


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokens(text):
    out, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise QuerySyntaxError(f"unexpected {text[at]!r}", at + 1)
        kind = match.lastgroup
        if kind != "space":
            word = match.group()
            if kind == "field" and word.lower() in _WORDS:
                kind = word.lower()
            out.append(_Token(kind, word, at + 1))
        at = match.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


def _string(text):
    return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)


class _Parser:
    def __init__(self, text):
        self.tokens = _tokens(text)
        self.at = 0
        self.comparisons = 0

    def peek(self):
        return self.tokens[self.at]

    def take(self, kind, what):
        token = self.peek()
        if token.kind != kind:
            found = "the end of the query" if token.kind == "end" else repr(token.text)
            raise QuerySyntaxError(f"expected {what}, found {found}", token.column)
        self.at += 1
        return token

    def parse(self):
        tree = self.either(0)
        self.take("end", "'and', 'or' or the end of the query")
        return tree

    def either(self, depth):
        terms = [self.both(depth)]
        while self.peek().kind == "or":
            self.at += 1
            terms.append(self.both(depth))
        return terms[0] if len(terms) == 1 else Either(tuple(terms))

    def both(self, depth):
        terms = [self.unary(depth)]
        while self.peek().kind == "and":
            self.at += 1
            terms.append(self.unary(depth))
        return terms[0] if len(terms) == 1 else Both(tuple(terms))

    def unary(self, depth):
        token = self.peek()
        if depth >= MAX_DEPTH and token.kind in ("not", "paren"):
            raise QuerySyntaxError(f"nested more than {MAX_DEPTH} deep", token.column)
        if token.kind == "not":
            self.at += 1
            return Not(self.unary(depth + 1))
        if token.kind == "paren" and token.text == "(":
            self.at += 1
            inner = self.either(depth + 1)
            closing = self.peek()
            if not (closing.kind == "paren" and closing.text == ")"):
                self.take(")", "')'")
            self.at += 1
            return inner
        return self.comparison()

    def comparison(self):
        token = self.take("field", "a field (data.…, meta.…, name, message or level)")
        field = tuple(token.text.split("."))
        if field[0] in ("data", "meta"):
            if len(field) < 2:
                raise QuerySyntaxError(f"{field[0]} needs a key ({field[0]}.<key>)",
                                       token.column)
        elif len(field) != 1 or field[0] not in COLUMNS:
            raise QuerySyntaxError(f"unknown field {token.text!r} (data.…, meta.…, name, "
                                   "message or level)", token.column)
        op = OPERATORS[self.take("op", "a comparison (=, !=, <, <=, >, >=)").text]
        value = self.value()
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise QuerySyntaxError(f"more than {MAX_COMPARISONS} comparisons", token.column)
        if value is None and op not in ("=", "!="):
            raise QuerySyntaxError("null can only be compared with = or !=", token.column)
        if isinstance(value, bool) and op not in ("=", "!="):
            raise QuerySyntaxError("true and false can only be compared with = or !=",
                                   token.column)
        if len(field) == 1 and not _fits(COLUMNS[field[0]], value):
            wanted = "a number" if COLUMNS[field[0]] is int else "a string"
            raise QuerySyntaxError(f"{field[0]} is compared with {wanted}", token.column)
        return Comparison(field, op, value)

    def value(self):
        token = self.peek()
        self.at += 1
        if token.kind == "number":
            number = float(token.text)
            return int(token.text) if re.fullmatch(r"-?[0-9]+", token.text) else number
        if token.kind == "string":
            return _string(token.text)
        if token.kind in ("true", "false"):
            return token.kind == "true"
        if token.kind == "null":
            return None
        self.at -= 1
        found = "the end of the query" if token.kind == "end" else repr(token.text)
        raise QuerySyntaxError(f"expected a value (a number, a string, true, false or null), "
                               f"found {found}", token.column)


def _fits(kind, value):
    if kind is int:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def parse(text):
    """The tree of ``text``, or QuerySyntaxError saying what and where."""
    if len(text) > MAX_LENGTH:
        raise QuerySyntaxError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    if not text.strip():
        raise QuerySyntaxError("empty", 1)
    return _Parser(text).parse()
