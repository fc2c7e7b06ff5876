"""The queue message: ``{"service": ..., "logline": ..., ...}`` as JSON text.

The 2010 format, which plugins parse, with more keys beside the two it
names (where the line came from, when it was received). Every input builds
its messages here and every consumer reads them here, so a line pushed by
the tailer, a replay, syslog, HTTP or the logging handler is the same text:
UTF-8 JSON, non-ASCII kept as it is, ``", "`` and ``": "`` as separators.
A message travels byte for byte unchanged from queue to queue.
"""

from itertools import accumulate

import simplejson
from simplejson.encoder import encode_basestring as _string  # a JSON string, ensure_ascii=False

from . import json_codec
from .errors import MalformedMessage

# Control bytes, which JSON escapes in ways a bytes replace cannot cheaply
# do, "\r" among them: rare in access logs, so a block holding one is
# encoded line by line.
_CONTROL = bytes(b for b in range(32) if b != 0x0A)


def encode(service, logline, **extra):
    """One message, as text; ``extra`` keys follow the two of 2010."""
    return simplejson.dumps({"service": service, "logline": logline, **extra},
                            ensure_ascii=False, separators=(", ", ": "))


def encode_lines(service, lines):
    """The messages of tailed lines (``.text``, ``.path``, ``.offset``), as text.

    The same text as ``encode(service, text, source=path, offset=offset)``,
    formatted directly: this is once per line read.
    """
    head = f'{{"service": {_string(service)}, "logline": '
    return [f'{head}{_string(line.text)}, "source": {_string(line.path)}, '
            f'"offset": {line.offset}}}' for line in lines]


def encode_block(service, block):
    """The messages of a block of tailed lines, as UTF-8.

    ``block`` has ``raws`` (the lines' bytes, without newlines), ``path``,
    ``offset`` (of its first line) and ``lines()``. The same messages as
    ``encode_lines`` at a fraction of the cost per line: escaping ``"`` and
    ``\\`` and splitting are bytes operations over the whole block, and
    each line's message is one formatting of its escaped bytes and offset.
    """
    raws = block.raws
    data = b"\n".join(raws)
    if len(data.translate(None, _CONTROL)) != len(data) or not _is_utf8(data):
        return encode_lines(service, block.lines())
    head = f'{{"service": {_string(service)}, "logline": "'.encode()
    tail = f'", "source": {_string(block.path)}, "offset": '.encode()
    escaped = data.replace(b"\\", b"\\\\").replace(b'"', b'\\"').split(b"\n")
    # One offset more than lines: where the block ends.
    offsets = accumulate(map(len, raws), lambda offset, n: offset + n + 1, initial=block.offset)
    return [b"%b%b%b%d}" % (head, line, tail, offset)
            for line, offset in zip(escaped, offsets, strict=False)]


def _is_utf8(data):
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def encode_rejects(service, rejects):
    """(message, error) of lines the tailer rejected (``.prefix``, ``.path``,
    ``.offset``, ``.reason``, ``.size``), for the dead-letter store."""
    return [(encode(service, r.prefix, source=r.path, offset=r.offset),
             f"{r.reason}: {r.size} bytes at offset {r.offset} of {r.path}")
            for r in rejects]


class MessageText(str):
    """The JSON text of a message, carrying the dict it decodes to.

    A worker checks an item by decoding it, then hands the text to the
    plugin's ``parseline(jmsg)``, which decodes it again: handing it this
    instead, ``decode`` finds the dict already made. It is still a ``str``,
    as the 2010 contract says.
    """

    fields: dict


def read(payload):
    """A queue item's payload (bytes) as a ``MessageText``.

    Raises MalformedMessage (permanent: the item can never be read) when it
    is not UTF-8, not JSON, or not an object with a ``logline`` text.
    """
    try:
        text = MessageText(payload.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise MalformedMessage(f"payload is not UTF-8: {err}", "not_utf8") from None
    # The bytes: orjson takes no str subclass (it would fall back every time).
    text.fields = _fields(payload)
    return text


def decode(text):
    """The dict of a message's text; the caller must not modify it.

    Raises MalformedMessage when ``text`` is not a message.
    """
    if type(text) is MessageText:
        if hasattr(text, "fields"):
            return text.fields
        text = str(text)
    return _fields(text)


def _fields(data):
    try:
        fields = json_codec.loads(data)
    except (TypeError, ValueError, RecursionError) as err:
        raise MalformedMessage(f"payload is not JSON: {err}"[:300], "not_json") from None
    if not isinstance(fields, dict) or not isinstance(fields.get("logline"), str):
        raise MalformedMessage("payload is not a loglines message (a JSON object with a "
                               "'logline' text)", "not_a_message")
    return fields
