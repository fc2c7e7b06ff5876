"""The three bodies ``POST /api/v1/record`` takes, read into records.

Form-encoded (what ``logging.handlers.HTTPHandler`` sends: one record),
JSON (one record as an object, or an array of them) and NDJSON (one
object per line). A bulk body (an array, NDJSON) is read record by
record: one that cannot be read is answered on its own, with its place,
and does not spoil the others.
"""

import json

from . import records

FORM, JSON, NDJSON = "form", "json", "ndjson"
_KINDS = {"application/json": JSON, "application/x-ndjson": NDJSON,
          "application/ndjson": NDJSON, "application/jsonl": NDJSON,
          "application/x-www-form-urlencoded": FORM}
MAX_RECORDS = 10_000  # records in one bulk body


def kind(content_type):
    """FORM, JSON or NDJSON for a Content-Type header; any other type is
    read as a form, as every record was before JSON was taken."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return _KINDS.get(media, FORM)


def _json(text, where):
    try:
        return json.loads(text)
    except RecursionError:
        raise records.MalformedRecord(f"{where}nested too deeply") from None
    except ValueError as err:
        raise records.MalformedRecord(f"{where}not JSON ({err})") from None


def read(body, body_kind, max_width):
    """(bulk, entries): ``bulk`` tells whether the body held a list of
    records; each entry a Record or the MalformedRecord of its place.
    MalformedRecord for a body that is not of its kind at all."""
    if body_kind == FORM:
        return False, [records.parse(body, max_width)]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise records.MalformedRecord(f"the body is not UTF-8 ({err.reason})") from None
    if body_kind == JSON:
        value = _json(text, "the body is ")
        if isinstance(value, dict):
            return False, [records.from_json(value, max_width)]
        if not isinstance(value, list):
            raise records.MalformedRecord("the body is neither a record (a JSON object) "
                                          "nor an array of them")
        values = [(f"record {n}: ", v) for n, v in enumerate(value, 1)]
    else:
        values = [(f"line {n}: ", line) for n, line in enumerate(text.split("\n"), 1)
                  if line.strip()]
    if len(values) > MAX_RECORDS:
        raise records.MalformedRecord(f"{len(values)} records in one body, over "
                                      f"{MAX_RECORDS}; send them in smaller bodies")
    return True, [_entry(where, value, body_kind, max_width) for where, value in values]


def _entry(where, value, body_kind, max_width):
    try:
        if body_kind == NDJSON:
            value = _json(value, "")
        return records.from_json(value, max_width)
    except records.MalformedRecord as err:
        return records.MalformedRecord(f"{where}{err}")
