"""The forms and bounds of the query parameters, and how an answer says
that a value missed one (FastAPI's own words name a regular expression)."""

from __future__ import annotations

MAX_PAGE = 1_000_000_000  # page * per_page stays far inside a BIGINT offset
MAX_PER_PAGE = 10_000  # read.rows' own bound
MAX_LIMIT = 1_000  # read.top's own bound
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DAY_OR_MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$"
# A key is text from a log line; PostgreSQL cannot hold NUL in text, so
# no key has one and a parameter with one is malformed, not a 500.
NO_NUL = r"^[^\x00]*$"

FORMS = {MONTH: "YYYY-MM", DAY_OR_MONTH: "YYYY-MM or YYYY-MM-DD",
         NO_NUL: "text without NUL characters"}
SHOWN = 40  # characters of a value an error repeats


def explain(name: str, error: dict) -> str:
    """One line for the first of FastAPI's validation errors of ``name``."""
    value = error.get("input")
    shown = f", not {_short(value)!r}" if isinstance(value, str) else ""
    pattern = (error.get("ctx") or {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern in FORMS:
        return f"{name} must be {FORMS[pattern]}{shown}"
    message = str(error.get("msg", "invalid value"))
    return f"{name}: {message[:1].lower()}{message[1:]}{shown}"


def _short(value: str) -> str:
    return value if len(value) <= SHOWN else value[:SHOWN] + "..."
