"""HTTP/1.1 on the wire for the sending loop: a request as bytes, and an
answer read from bytes as they arrive (``AnswerReader``).

Small and strict rather than lenient: a tracker answers with a status, a
few headers and an empty body or a pixel, so anything unusual (a bare LF,
a folded header, two different lengths, a head over 64 KiB) is a
``MalformedAnswer``, which the client reports as a temporary failure with
the connection dropped, instead of guessing where the next answer starts.
The body is kept up to ``MAX_BODY_BYTES`` + 1 bytes (more says it was cut,
and the connection is not reused), so a broken proxy cannot eat memory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from loglines.errors import LoglinesError

# A tracker answers with an empty body or a pixel; a longer body is read no
# further and its connection dropped.
MAX_BODY_BYTES = 64 * 1024
MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100

_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: [\t !-~\x80-\xff]*)?")
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TOKEN_TEXT = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?")
# Printable ASCII without the space: what a request target may hold once
# its query is percent-encoded (urls.encode_query).
_TARGET = re.compile(r"[!-~]+")
_HEADER_VALUE = re.compile(r"[\t -~]*")


class MalformedAnswer(LoglinesError, ValueError):
    """The bytes that came back are not an HTTP/1.1 answer this client reads
    (temporary: the tracker, or what stands before it, may be mended)."""

    temporary = True


class Answer(NamedTuple):
    status: int
    body: bytes
    location: str | None


def request_line(method: str, target: str) -> bytes:
    """``METHOD target HTTP/1.1``; a target that could split the line is refused."""
    if not _TARGET.fullmatch(target):
        raise ValueError("a request target must be printable ASCII without spaces")
    return f"{method} {target} HTTP/1.1\r\n".encode("ascii")


def host_header(origin: str) -> str:
    """The Host of ``scheme://host[:port]`` as the URL has it; a name outside
    ASCII in its IDNA form, as the address lookup sees it."""
    host = origin.partition("://")[2]
    if not host.isascii() and not host.startswith("["):
        name, colon, port = host.partition(":")
        host = name.encode("idna").decode("ascii") + colon + port
    return host


def header_block(host: str, headers: Mapping[str, str]) -> bytes:
    """The header lines after a request line, the blank line included.

    Names must be tokens and values printable ASCII (or tab), so nothing
    from the configuration can end a header and start another.
    """
    lines = [f"Host: {host}", "Accept-Encoding: identity"]
    for name, value in {**headers}.items():
        if not _TOKEN_TEXT.fullmatch(name) or not _HEADER_VALUE.fullmatch(value):
            raise ValueError(f"header {name!r} is not a token with a printable ASCII value")
        lines.append(f"{name}: {value}")
    # Host too: a name outside ASCII must come punycoded (UnicodeEncodeError otherwise).
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


_HEAD, _LENGTH, _CHUNK_LINE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _UNTIL_CLOSE, _DONE = range(8)


class AnswerReader:
    """One answer, fed as it arrives: ``feed`` is True once it is complete.

    Then ``answer()`` gives it, and ``reusable`` says whether the connection
    may carry the next request (kept alive, read to its exact end, nothing
    more sent after it).
    """

    __slots__ = ("_body", "_buf", "_kept", "_left", "_mode", "location", "reusable", "status")

    def __init__(self):
        self._buf = b""
        self._mode = _HEAD
        self._left = 0
        self._body: list[bytes] = []
        self._kept = 0
        self.status: int | None = None
        self.location: str | None = None
        self.reusable = True

    @property
    def has_head(self) -> bool:
        return self.status is not None

    def answer(self) -> Answer:
        return Answer(self.status, b"".join(self._body)[: MAX_BODY_BYTES + 1], self.location)

    def feed(self, data: bytes) -> bool:
        buf = self._buf + data if self._buf else data
        self._buf = b""
        while True:
            mode = self._mode
            if mode == _DONE:
                if buf:
                    self.reusable = False  # bytes nobody asked for: not the next answer
                return True
            if mode == _LENGTH:
                take = buf[: self._left]
                self._keep(take)
                self._left -= len(take)
                buf = buf[len(take):]
                if self._left == 0:
                    self._mode = _DONE
                elif self._mode != _DONE:
                    return False
            elif mode == _UNTIL_CLOSE:
                self._keep(buf)
                return self._mode == _DONE
            else:
                buf = self._read_head(buf) if mode == _HEAD else self._read_chunked(buf)
                if buf is None:
                    return False

    def eof(self) -> bool:
        """The tracker closed the connection; True if that completed the answer
        (a body read up to the close, or at least its status)."""
        self.reusable = False
        if self._mode == _DONE:
            return True
        if self.status is None:
            if self._buf:
                raise MalformedAnswer("the tracker closed the connection within an answer's head")
            raise ConnectionResetError("the tracker closed the connection without an answer")
        # The status is known, which is what counts; the body only makes an error text.
        self._mode = _DONE
        return True

    def _keep(self, data: bytes) -> None:
        if data:
            self._body.append(data)
            self._kept += len(data)
            if self._kept > MAX_BODY_BYTES:
                self.reusable = False
                self._mode = _DONE

    def _read_head(self, buf: bytes) -> bytes | None:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD_BYTES:
                raise MalformedAnswer(f"an answer's head is over {MAX_HEAD_BYTES} bytes")
            if b"\n\n" in buf:
                raise MalformedAnswer("an answer's head ends its lines with a bare LF")
            return self._wait(buf)
        if end > MAX_HEAD_BYTES:
            raise MalformedAnswer(f"an answer's head is over {MAX_HEAD_BYTES} bytes")
        head = buf[:end]
        if head.count(b"\n") != head.count(b"\r\n"):
            raise MalformedAnswer("an answer's head ends its lines with a bare LF")
        lines = head.split(b"\r\n")
        rest = buf[end + 4:]
        status_line = _STATUS_LINE.fullmatch(lines[0])
        if status_line is None:
            raise MalformedAnswer(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        status = int(status_line[2])
        headers = _headers(lines[1:])
        if 100 <= status < 200:
            if status == 101:
                raise MalformedAnswer("the tracker switched protocols, which was not asked")
            return rest  # an interim answer (100 Continue): the real one follows
        self.status = status
        location = headers.get(b"location")
        self.location = location.decode("latin-1") if location is not None else None
        connection = headers.get(b"connection", b"").lower()
        tokens = {token.strip() for token in connection.split(b",")}
        if b"close" in tokens or (status_line[1] == b"0" and b"keep-alive" not in tokens):
            self.reusable = False
        self._body_mode(status, headers)
        return rest

    def _body_mode(self, status: int, headers: dict[bytes, bytes]) -> None:
        coding = headers.get(b"transfer-encoding")
        length = headers.get(b"content-length")
        if status in (204, 304):
            self._mode = _DONE
        elif coding is not None:
            if coding.lower().rsplit(b",", 1)[-1].strip() == b"chunked":
                self._mode = _CHUNK_LINE
                if length is not None:
                    self.reusable = False  # both: the length is ignored, and not trusted after
            else:
                self._mode, self.reusable = _UNTIL_CLOSE, False
        elif length is not None:
            if not length.isdigit() or len(length) > 18:
                raise MalformedAnswer(f"Content-Length is not a length: {length[:40]!r}")
            self._left = int(length)
            self._mode = _LENGTH if self._left else _DONE
        else:
            self._mode, self.reusable = _UNTIL_CLOSE, False

    def _read_chunked(self, buf: bytes) -> bytes | None:
        """One step of a chunked body; None when more bytes are needed."""
        if self._mode == _CHUNK_DATA:
            take = buf[: self._left]
            self._keep(take)
            self._left -= len(take)
            if self._mode == _DONE:
                return buf
            if self._left:
                return None
            self._mode = _CHUNK_END
            return buf[len(take):]
        end = buf.find(b"\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD_BYTES:
                raise MalformedAnswer("a chunk's size line or trailer is too long")
            return self._wait(buf)
        self._chunk_line(buf[:end])
        return buf[end + 2:]

    def _chunk_line(self, line: bytes) -> None:
        """A line of a chunked body: a size, the end of a chunk's data, or a trailer."""
        if self._mode == _CHUNK_END:
            if line:
                raise MalformedAnswer("a chunk is longer than its size says")
            self._mode = _CHUNK_LINE
        elif self._mode == _CHUNK_LINE:
            size = _CHUNK_SIZE.fullmatch(line)
            if size is None:
                raise MalformedAnswer(f"not a chunk size: {line[:40]!r}")
            self._left = int(size[1], 16)
            self._mode = _CHUNK_DATA if self._left else _TRAILER
        elif not line:  # the blank line after the trailers ends the body
            self._mode = _DONE
        elif line[:1] in (b" ", b"\t") or b":" not in line:
            raise MalformedAnswer(f"not a trailer field: {line[:40]!r}")

    def _wait(self, buf: bytes) -> None:
        self._buf = buf
        return None


def _headers(lines: list[bytes]) -> dict[bytes, bytes]:
    """The header fields by lower-case name; a repeated length must agree."""
    if len(lines) > MAX_HEADERS:
        raise MalformedAnswer(f"an answer with more than {MAX_HEADERS} header fields")
    fields: dict[bytes, bytes] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise MalformedAnswer(f"not a header field: {line[:40]!r}")
        name, value = name.lower(), value.strip(b" \t")
        if name in fields:
            if name == b"content-length" and fields[name] != value:
                raise MalformedAnswer("two different Content-Length fields")
            if name in (b"transfer-encoding", b"connection"):
                value = fields[name] + b", " + value
        fields[name] = value
    return fields
