"""One access-log line to a dict of named fields, or UnparseableLine(reason).

The line is matched with the compiled format (logformat.py); quoted fields
are unescaped (Apache writes ``\\"`` and ``\\\\``, nginx ``\\x22``) so that a
user agent is the header as the client sent it; the request line is split
into method, target and protocol; the time is converted to UTC. A line that
does not match says where and why, so the count of rejections can be read.
"""

import re

from .errors import UnparseableLine
from .logformat import LogFormat, compile_format
from .timestamps import to_utc

__all__ = ["LogFormat", "UnparseableLine", "compile_format", "parse", "unescape"]

_ESCAPE = re.compile(rb'\\(x[0-9A-Fa-f]{2}|.)', re.S)
_SIMPLE_ESCAPES = {b'"': b'"', b"\\": b"\\", b"n": b"\n", b"t": b"\t", b"r": b"\r",
                   b"v": b"\v", b"f": b"\f", b"b": b"\b"}
_METHOD = re.compile(r"[A-Z][A-Z_-]{0,19}")


def _unescape_one(match):
    code = match.group(1)
    if code[:1] == b"x" and len(code) == 3:
        return bytes([int(code[1:], 16)])
    return _SIMPLE_ESCAPES.get(code, b"\\" + code)


def unescape(text):
    """A quoted log field as the client sent it (bytes re-decoded as UTF-8,
    since nginx escapes every byte of a non-ASCII character)."""
    if "\\" not in text:
        return text
    raw = _ESCAPE.sub(_unescape_one, text.encode("utf-8"))
    return raw.decode("utf-8", "replace")


def split_request(request):
    """``GET /a b HTTP/1.1`` -> (method, target, protocol); ("", "", "") if not a request."""
    parts = request.split(" ")
    if len(parts) >= 3 and parts[-1].startswith("HTTP/"):
        method, target, protocol = parts[0], " ".join(parts[1:-1]), parts[-1]
    elif len(parts) == 2:  # HTTP/0.9
        (method, target), protocol = parts, ""
    else:
        return "", "", ""
    if not _METHOD.fullmatch(method):
        return "", "", ""
    return method, target, protocol


def _explain(fmt, line):
    """(kind, detail): why ``line`` does not match ``fmt``, the first piece
    that fails and where; only called for the rare line that fails."""
    if not line.strip():
        return "empty_line", "the line is empty"
    reached, previous = 0, None
    for piece, prefix in zip(fmt.pieces, fmt.prefixes(), strict=True):
        match = prefix.match(line)
        if match is None:
            break
        reached, previous = match.end(), piece
    else:
        return "format_mismatch", "extra text at the end of the line"
    rest = line[reached:]
    closing = (piece.literal or "").startswith('"')
    if closing and previous and not re.search(r'(?<!\\)"', rest):
        return "truncated_line", f"no closing quote after {previous.label}"
    if not rest:
        return "truncated_line", f"the line ends before {piece.label}"
    if rest[0] == "[" and "]" not in rest:
        return "truncated_line", f"no closing bracket in {piece.label}"
    return "format_mismatch", f"{piece.label} does not match at column {reached + 1}: " \
        f"{rest[:24]!r}"


def _request_fields(fields):
    request = fields.get("request")
    if request is not None:
        fields["method"], fields["target"], fields["protocol"] = split_request(request)
    else:
        query = fields.get("query") or ""
        fields.setdefault("method", "")
        fields["target"] = (fields.get("path") or "") + query
        fields.setdefault("protocol", "")


def parse(fmt, line):
    """The fields of ``line``; raises UnparseableLine with a reason."""
    line = line.rstrip("\r\n")
    match = fmt.regex.match(line)
    if match is None:
        raise UnparseableLine(*_explain(fmt, line))
    fields = match.groupdict()
    if "\\" in line:
        fields = {k: unescape(v) for k, v in fields.items() if v is not None}
    elif None in fields.values():  # a format's optional field the line has not
        fields = {k: v for k, v in fields.items() if v is not None}
    _request_fields(fields)
    try:
        fields["status"] = int(fields["status"])
    except ValueError:
        raise UnparseableLine("bad_status", f"not a status: {fields['status'][:24]!r}") from None
    try:
        fields["utc"] = to_utc(fields["time"])
    except ValueError as err:
        raise UnparseableLine("bad_timestamp", str(err)) from None
    return fields
