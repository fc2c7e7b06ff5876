"""A log record as loglines keeps it, from the fields a logging record has.

``{"id", "t_ms", "name", "level", "message", "logrec": {"data", "meta"}}``:
``meta`` holds the LogRecord's own attributes (where it was logged, by
which thread and process), ``data`` every other field, which is what the
application passed as ``extra``. ``id`` is a hash of the rest, so the same
record posted twice (an HTTPHandler retrying, a client sending a bulk body
again) has the same id and is stored once.

Form-encoded fields (what HTTPHandler sends) are all text; the numbers
logging itself puts there (``lineno``, ``process``, ...) are read back as
numbers, and so are ``extra`` values that are written as a whole number,
a decimal number, ``True``, ``False`` or ``None``, so that ``data.status =
206`` finds a record logged with ``extra={"status": 206}``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re

from ..errors import BadItem, LoglinesError

#: The attributes every LogRecord has, and the two a Formatter adds.
LOGRECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName"}
# Kept as the record's own columns, not again in meta.
COLUMN_FIELDS = frozenset({"name", "msg", "args", "levelname", "levelno", "created",
                           "message"})
_NUMERIC_META = {"lineno": int, "thread": int, "process": int, "msecs": float,
                 "relativeCreated": float}
_INT = re.compile(r"-?[0-9]{1,18}\Z")
_FLOAT = re.compile(r"-?[0-9]{1,18}\.[0-9]{1,18}(e[-+]?[0-9]{1,3})?\Z", re.IGNORECASE)
_WORDS = {"True": True, "False": False, "None": None}
MAX_DEPTH = 16  # levels of nesting an extra value may have
_KEY = re.compile(r"[0-9a-f]{32}\Z")


class BadRecord(LoglinesError, ValueError):
    """The fields are not a log record loglines can keep; the text says why."""


class BadRecordItem(BadItem):
    """A records queue item that is not a record: dead-lettered."""


def level_number(fields):
    """The record's level: ``levelno``, else the number of ``levelname``."""
    value = fields.get("levelno")
    if isinstance(value, str) and _INT.match(value.strip()):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000:
        return value
    named = logging.getLevelName(str(fields.get("levelname", "")).upper())
    return named if isinstance(named, int) else logging.NOTSET


def _created_ms(fields, received):
    value = fields.get("created")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return round(received * 1000)
    if not math.isfinite(seconds) or not 0 <= seconds < 253402300800:  # year 9999
        return round(received * 1000)
    return round(seconds * 1000)


def _text_value(text):
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return _WORDS.get(text, text)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(value, depth=1):
    """``value`` with what no store can hold replaced by U+FFFD (NUL, which
    PostgreSQL's text refuses; lone surrogates, which are not UTF-8) and
    NaN and infinities refused (not JSON); BadRecord when nested deeper
    than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise BadRecord(f"an extra field is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise BadRecord("NaN and infinities are not JSON numbers")
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


def _meta_value(key, value, from_text):
    if not from_text:
        return value
    if key in _NUMERIC_META:
        try:
            return _NUMERIC_META[key](value)
        except ValueError:
            return value
    return _WORDS.get(value, value)


def build(fields, message, received, from_text=False):
    """The record of a logging record's ``fields`` (a dict) whose formatted
    message is ``message``; ``received`` (seconds) stands in for a missing
    ``created``. ``from_text``: every value is text (a form body)."""
    meta, data = {}, {}
    for key, value in fields.items():
        if key in COLUMN_FIELDS:
            continue
        if key in LOGRECORD_FIELDS:
            meta[key] = _meta_value(key, value, from_text)
        else:
            data[key] = _text_value(value) if from_text and isinstance(value, str) else value
    record = {"t_ms": _created_ms(fields, received), "name": _clean(str(fields.get("name") or "")),
              "level": level_number(fields), "message": _clean(message),
              "logrec": {"data": _clean(data), "meta": _clean(meta)}}
    return {"id": record_id(record), **record}


def record_id(record):
    """32 hex digits of a hash of the record without its id."""
    text = json.dumps({k: v for k, v in record.items() if k != "id"}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def encode(record):
    """A record as the text of a records queue item."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str,
                      allow_nan=False)


_TYPES = {"id": str, "t_ms": int, "name": str, "level": int, "message": str, "logrec": dict}


def decode(payload):
    """The record of a records queue item, or BadRecordItem saying why not."""
    try:
        record = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise BadRecordItem(f"not a log record (not JSON: {err})"[:300]) from None
    if not isinstance(record, dict):
        raise BadRecordItem("not a log record (not an object)")
    for key, kind in _TYPES.items():
        if not isinstance(record.get(key), kind) or isinstance(record.get(key), bool):
            raise BadRecordItem(f"not a log record ({key!r} missing or not {kind.__name__})")
    if not _KEY.match(record["id"]):
        raise BadRecordItem("not a log record ('id' is not 32 hex digits)")
    logrec = record["logrec"]
    if not (isinstance(logrec.get("data"), dict) and isinstance(logrec.get("meta"), dict)):
        raise BadRecordItem("not a log record ('logrec' needs 'data' and 'meta' objects)")
    return record
