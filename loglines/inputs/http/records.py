"""What Python's ``logging.handlers.HTTPHandler`` sends, read safely.

HTTPHandler posts ``record.__dict__`` form-encoded, every value turned into
text with ``str()``: ``msg`` is the unformatted message and ``args`` the
repr of its arguments. The formatted message is ``msg % args``, with
``args`` read back by ``ast.literal_eval`` (never ``eval``: the body comes
from the network). A record another handler formatted already carries
``message``, which is then taken as it is.
"""

import ast
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from ...errors import LoglinesError

MAX_FIELDS = 200  # a LogRecord has about 25; more is not a record
# literal_eval's time and memory grow fast with its input (a 4 MB args took
# 9.7 s of CPU and 1.9 GB); a log call's arguments are a few hundred bytes.
MAX_LITERAL = 64 * 1024

# A %-conversion with its width and precision: "%(name)-*.*s", "%10d", "%%".
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[#0+ -]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]?")


class MalformedRecord(LoglinesError, ValueError):
    """The body is not a form-encoded log record; the text says why."""


@dataclass(frozen=True)
class Record:
    message: str
    logger: str
    level: str
    fields: dict = field(default_factory=dict, compare=False)  # every field, as sent


def parse(body, max_width):
    """The Record in a form-encoded ``body`` (bytes).

    ``max_width`` bounds the widths a format may ask for, so that a message
    like ``"%999999999s"`` cannot make the server allocate a gigabyte.
    """
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=True,
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as err:
        raise MalformedRecord(f"the body is not UTF-8 ({err.reason})") from None
    except ValueError as err:
        raise MalformedRecord(f"the body is not form-encoded data ({err})") from None
    fields = {k: v[-1] for k, v in fields.items()}
    if "msg" not in fields:
        raise MalformedRecord("no msg field: not a logging record")
    return Record(
        message=fields.get("message") or format_message(fields["msg"], fields.get("args"),
                                                        max_width),
        logger=fields.get("name", ""),
        level=fields.get("levelname", ""),
        fields=fields,
    )


def from_json(value, max_width):
    """The Record of one JSON object holding a LogRecord's fields (``msg``
    or ``message``; ``args`` a list or an object, if any)."""
    if not isinstance(value, dict):
        raise MalformedRecord("not a logging record (a JSON object)")
    msg, formatted = value.get("msg"), value.get("message")
    if not isinstance(formatted, str) and not isinstance(msg, str):
        raise MalformedRecord("no msg or message text: not a logging record")
    if (not isinstance(formatted, str) or not formatted) and isinstance(msg, str):
        args = value.get("args")
        formatted = format_args(msg, tuple(args) if isinstance(args, list) else args,
                                max_width)
    name, level = value.get("name", ""), value.get("levelname", "")
    return Record(message=formatted, logger=name if isinstance(name, str) else str(name),
                  level=level if isinstance(level, str) else str(level), fields=value)


def format_message(msg, args_text, max_width):
    """``msg % args`` as ``LogRecord.getMessage`` does, or ``msg`` when the
    arguments cannot be read back or do not fit the format."""
    return format_args(msg, literal(args_text), max_width)


def format_args(msg, args, max_width):
    """``msg % args``, or ``msg`` when they do not fit or ask too wide a field."""
    # getMessage formats only with non-empty args; a tuple or a mapping.
    if not args or not isinstance(args, (tuple, dict)) or not _widths_ok(msg, max_width):
        return msg
    try:
        return msg % args
    except (TypeError, ValueError, KeyError, OverflowError):
        return msg


def literal(text):
    """The Python literal ``text`` is the repr of, or None when it is not one
    (or is longer than MAX_LITERAL, which is not read at all)."""
    if not text or text == "None" or len(text) > MAX_LITERAL:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _widths_ok(msg, max_width):
    for width, precision in _CONVERSION.findall(msg):
        for value in (width, precision):
            if value == "*" or (value and int(value) > max_width):
                return False
    return True
