"""A queue item, ``{"service": ..., "logline": ...}``, to the plugin's dict.

The line is parsed with the ``log_format`` of the worker's section when
``parse_message`` is given the configuration view and the section's name,
as a plugin's ``parseline(jmsg, c, worker_section)`` is. A 2010-style
``parseline(jmsg)`` knows neither, so its lines are parsed as ``combined``;
each dict records the format it was parsed with, and the evaluation parses
a line again when that was not the section's. Bad input never raises: the
dict says ``rejected`` and why.
"""

from .. import message
from ..errors import MalformedMessage
from .errors import UnparseableLine
from .logformat import compile_format
from .logline import parse
from .settings import log_format_for

COMBINED = compile_format("combined")  # what a line is parsed as when no section is told


def _reject(pl, kind, detail):
    pl["rejected"] = detail
    pl["rejected_kind"] = kind
    return pl


def parse_message(jmsg, c=None, worker_section=None):
    """The fields of the message's log line, with ``service`` and ``logline``;
    parsed with the log_format of ``worker_section`` of ``c`` when given."""
    try:
        msg = message.decode(jmsg)
    except MalformedMessage as err:
        return _reject({}, err.kind, str(err))
    service = msg.get("service")
    fmt = COMBINED if c is None else log_format_for(c, worker_section)
    return parse_fields(service if isinstance(service, str) else None, msg["logline"], fmt)


def clean_text(text):
    """``text`` that can be encoded as UTF-8: a lone surrogate (an undecodable
    byte kept by the tailer, or a JSON escape) would make sending fail later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def parse_fields(service, line, fmt=None):
    """The fields of one log line; ``rejected`` and ``rejected_kind`` if it has none."""
    fmt = fmt or COMBINED
    line = clean_text(line)
    service = clean_text(service) if service is not None else None
    pl = {"service": service, "logline": line, "log_format": fmt.spec}
    try:
        fields = parse(fmt, line)
    except UnparseableLine as err:
        return _reject(pl, err.kind, err.detail)
    fields.update(pl)  # a site's regex cannot shadow these three
    return fields
