"""A queue item, ``{"service": ..., "logline": ...}``, to the plugin's dict.

``parseline(jmsg)`` is given no configuration, so it parses with the format
of the worker's section as last seen by ``settings_for`` (``combined``
until then); each dict records the format it was parsed with, and the
evaluation parses again in the rare case that it was not the section's.
Bad input never raises: the dict says ``rejected`` and why.
"""

from .. import message
from ..errors import MalformedMessage
from .errors import UnparseableLine
from .logformat import compile_format
from .logline import parse

_current = []


def use_format(fmt):
    """The format parse_message uses from now on (the worker's section's)."""
    _current[:] = [fmt]


def current_format():
    if not _current:
        _current.append(compile_format("combined"))
    return _current[0]


def _reject(pl, kind, detail):
    pl["rejected"] = detail
    pl["rejected_kind"] = kind
    return pl


def parse_message(jmsg, fmt=None):
    """The fields of the message's log line, with ``service`` and ``logline``."""
    try:
        msg = message.decode(jmsg)
    except MalformedMessage as err:
        return _reject({}, err.kind, str(err))
    service = msg.get("service")
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
    fmt = fmt or current_format()
    line = clean_text(line)
    service = clean_text(service) if service is not None else None
    pl = {"service": service, "logline": line, "log_format": fmt.spec}
    try:
        fields = parse(fmt, line)
    except UnparseableLine as err:
        return _reject(pl, err.kind, err.detail)
    fields.update(pl)  # a site's regex cannot shadow these three
    return fields
