"""Reading records back: the count, the timeline, a page, one record, and
the records stored since a point (what a tail follows).

Pages are newest first, ordered by (t_ms, seq). A page by offsets
(``left``, ``right``) costs the offset in rows skipped, so a deep page is
slow; the keyset ``cursor`` a page answers with names its last record,
and the next page starts below it through the (t_ms, seq) index at the
same cost however deep it is.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_, select

from ..store.schema import records
from .filters import BadFilter

MAX_PAGE = 1000  # records in one page
MAX_GROUPS = 2000  # groups of a timeline: its headers must stay under 64 KiB
BUCKET_MS = 900_000  # every zone's offset from UTC is a whole number of quarter hours
_LISTED = (records.c.seq, records.c.id, records.c.t_ms, records.c.name, records.c.level,
           records.c.message)


def _where(statement, filters, dialect):
    conditions = filters.conditions(dialect)
    return statement.where(*conditions) if conditions else statement


def count(conn, filters):
    statement = _where(select(func.count()).select_from(records), filters, conn.dialect.name)
    return conn.scalar(statement)


def zone(name):
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        raise BadFilter("timezone", f"{name!r} is not an IANA time zone "
                                    "(e.g. Europe/London)") from None


def _start(moment, group):
    if group == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return datetime(moment.year, moment.month, moment.day, tzinfo=moment.tzinfo)


def timeline(conn, filters, group, tz):
    """[(group start, count)] of the groups with records, oldest first:
    days or hours of the zone ``tz``, so a day that crosses a change of
    daylight saving time has its 23 or 25 hours. Counted in quarter
    hours by the database; grouped here, where the zone's rules are."""
    bucket = (records.c.t_ms // BUCKET_MS).label("bucket")
    statement = _where(select(bucket, func.count()).select_from(records), filters,
                       conn.dialect.name).group_by(bucket)
    groups = {}
    for quarter, n in conn.execute(statement):
        moment = datetime.fromtimestamp(quarter * BUCKET_MS / 1000, timezone.utc).astimezone(tz)
        start = _start(moment, group)
        key = start.timestamp()
        old = groups.get(key, (start, 0))
        groups[key] = (old[0], old[1] + n)
        if len(groups) > MAX_GROUPS:
            raise BadFilter("group", f"the timeline has more than {MAX_GROUPS} groups; narrow "
                                     "it with after and before, or group by day")
    return [groups[k] for k in sorted(groups)]


def iso(t_ms):
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=t_ms)) \
        .isoformat(timespec="milliseconds")


def listed(row):
    return {"id": row.id, "ts": iso(row.t_ms), "name": row.name, "level": row.level,
            "message": row.message}


def page(conn, filters, left, right):
    """The records ``left`` to ``right`` (exclusive), newest first."""
    statement = _where(select(*_LISTED), filters, conn.dialect.name) \
        .order_by(records.c.t_ms.desc(), records.c.seq.desc()).offset(left).limit(right - left)
    return list(conn.execute(statement))


def below(conn, filters, cursor, limit):
    """Up to ``limit`` records after (older than) ``cursor``, newest first."""
    statement = _where(select(*_LISTED), filters, conn.dialect.name)
    if cursor is not None:
        t_ms, seq = cursor
        statement = statement.where(or_(records.c.t_ms < t_ms,
                                        and_(records.c.t_ms == t_ms, records.c.seq < seq)))
    statement = statement.order_by(records.c.t_ms.desc(), records.c.seq.desc()).limit(limit)
    return list(conn.execute(statement))


def cursor_after(row):
    """The cursor of the page after ``row`` (a page's last row)."""
    return base64.urlsafe_b64encode(f"{row.t_ms}.{row.seq}".encode()).decode().rstrip("=")


def read_cursor(text):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        t_ms, seq = raw.split(".")
        return int(t_ms), int(seq)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadFilter("cursor", "not a cursor this API gave (X-Record-Next)") from None


def one(conn, filters, record_id):
    """The record ``record_id`` with its logrec, if it passes the filters."""
    statement = _where(select(*_LISTED, records.c.logrec), filters, conn.dialect.name) \
        .where(records.c.id == record_id)
    row = conn.execute(statement).first()
    return None if row is None else {**listed(row), "logrec": row.logrec}


@dataclass(frozen=True)
class Stored:
    """A record as a tail shows it."""

    seq: int
    t_ms: int
    name: str
    level: int
    message: str


def since(conn, filters, seq, limit=MAX_PAGE):
    """The records stored after ``seq`` (None: the last ``limit``), oldest first."""
    statement = _where(select(records.c.seq, records.c.t_ms, records.c.name, records.c.level,
                              records.c.message), filters, conn.dialect.name)
    if seq is None:
        rows = conn.execute(statement.order_by(records.c.seq.desc()).limit(limit)).all()
        rows.reverse()
    else:
        rows = conn.execute(statement.where(records.c.seq > seq)
                            .order_by(records.c.seq).limit(limit)).all()
    return [Stored(*row) for row in rows]


def last_seq(conn):
    return conn.scalar(select(func.max(records.c.seq)))
