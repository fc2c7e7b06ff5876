"""Cutting a syslog TCP stream into messages (RFC 6587), with bounded memory.

Both framings of RFC 6587 are accepted and told apart per message, as the
RFC suggests: a frame starting with a digit is octet-counted (``LEN SP
MSG``), anything else is a line ended by LF (non-transparent framing). A
frame whose digits are not followed by a space is read as a line, so a
sender that is neither resynchronises at the next newline.

A message longer than ``max_size`` is not buffered: once it passes the
limit its bytes are dropped as they arrive, only a short prefix is kept,
and it is handed out as ``too_long`` when it ends. So a connection holds at
most ``max_size`` bytes however long a line grows. ``Decoder`` does no I/O.
"""

from __future__ import annotations

from typing import NamedTuple

#: Bytes of a rejected message kept for the dead-letter record.
PREFIX_BYTES = 256
# Ten digits are more than any sane length; longer digit runs are not a count.
MAX_DIGITS = 10
OK, TOO_LONG, INCOMPLETE = "ok", "too_long", "incomplete"


class Frame(NamedTuple):
    """One message: ``kind`` ok (``data`` is all of it), too_long or
    incomplete (``data`` is a prefix); ``size`` is its length in bytes."""

    kind: str
    data: bytes
    size: int


def datagram(data, max_size):
    """The frame of one UDP datagram (RFC 5426: one message each)."""
    data = data.rstrip(b"\r\n\x00")
    if len(data) > max_size:
        return Frame(TOO_LONG, data[:PREFIX_BYTES], len(data))
    return Frame(OK, data, len(data))


class Decoder:
    def __init__(self, max_size):
        self.max_size = max_size
        self.buf = bytearray()  # the frame so far (a prefix only once too long)
        self.need = 0  # octet counting: bytes of the message still to come
        self.size = 0  # bytes of the current too-long message seen so far
        self.state = self._start
        self.out = []

    @property
    def buffered(self):
        return len(self.buf)

    def feed(self, data):
        """The frames that ``data`` completes."""
        pos, end = 0, len(data)
        while pos < end:
            pos = self.state(data, pos)
        out, self.out = self.out, []
        return out

    def close(self, eof=True):
        """The frame left when the stream ends: a last line without its LF is
        a message when the sender closed (``eof``); anything else is cut."""
        if self.state == self._line and self.buf and eof:
            frame = Frame(OK, bytes(self.buf), len(self.buf))
        elif self.state in (self._skip_body, self._skip_line):
            frame = Frame(TOO_LONG, bytes(self.buf), self.size)
        elif self.buf:
            frame = Frame(INCOMPLETE, bytes(self.buf[:PREFIX_BYTES]), len(self.buf))
        else:
            frame = None
        self._reset()
        return frame

    def _reset(self):
        self.buf = bytearray()
        self.need = self.size = 0
        self.state = self._start

    def _emit(self, kind, data, size):
        self.out.append(Frame(kind, bytes(data), size))
        self._reset()

    def _start(self, data, pos):
        byte = data[pos]
        if byte in b"\r\n\x00 ":
            return pos + 1  # between frames (a newline after a counted frame)
        self.state = self._count if 0x31 <= byte <= 0x39 else self._line
        return pos

    def _count(self, data, pos):
        """The digits of an octet count and the space after them."""
        while pos < len(data) and 0x30 <= data[pos] <= 0x39 and len(self.buf) < MAX_DIGITS:
            self.buf.append(data[pos])
            pos += 1
        if pos == len(data):
            return pos
        if data[pos] != 0x20:
            self.state = self._line  # not a count after all: the digits start a line
            return pos
        self.need = int(self.buf)
        self.buf.clear()
        if self.need > self.max_size:
            self.size, self.state = self.need, self._skip_body
        else:
            self.state = self._body
        return pos + 1

    def _body(self, data, pos):
        take = data[pos:pos + self.need - len(self.buf)]
        self.buf += take
        if len(self.buf) == self.need:
            self._emit(OK, self.buf, self.need)
        return pos + len(take)

    def _skip_body(self, data, pos):
        take = min(self.need, len(data) - pos)
        self._keep_prefix(data, pos, pos + take)
        self.need -= take
        if not self.need:
            self._emit(TOO_LONG, self.buf, self.size)
        return pos + take

    def _line(self, data, pos):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl
        if len(self.buf) + end - pos > self.max_size:
            self.size = len(self.buf)
            del self.buf[PREFIX_BYTES:]
            self.state = self._skip_line
            return self._skip_line(data, pos)
        self.buf += data[pos:end]
        if nl < 0:
            return end
        if self.buf.endswith(b"\r"):
            del self.buf[-1]
        self._emit(OK, self.buf, len(self.buf))
        return nl + 1

    def _skip_line(self, data, pos):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl
        self._keep_prefix(data, pos, end)
        self.size += end - pos
        if nl < 0:
            return end
        self._emit(TOO_LONG, self.buf, self.size)
        return nl + 1

    def _keep_prefix(self, data, start, end):
        room = PREFIX_BYTES - len(self.buf)
        if room > 0:
            self.buf += data[start:min(end, start + room)]
