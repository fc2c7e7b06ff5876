"""Cutting a byte stream into lines, with bounded memory.

``LineSplitter`` is fed the bytes of one file in order and hands out
``Line`` and ``Rejected`` items, or, from ``take``, ``Block`` and ``Rejected``
items. It does no I/O, so it is tested on its own.

- Only lines ended by ``\\n`` are handed out; a trailing ``\\r`` is dropped.
- Text is decoded as UTF-8 with ``errors="replace"``: each invalid byte
  becomes U+FFFD and the line is kept, so bad bytes never stop the tailer.
- A line of more than ``max_line_size`` bytes (terminator excluded) is
  rejected with reason ``"line_too_long"``. Once the unfinished line passes
  the limit its bytes are dropped as they arrive, keeping only a short
  prefix, so memory stays near ``max_line_size`` plus one read chunk however
  long the line grows.
- A line written after such a line without a newline of its own between
  them (a writer that died mid-line, a blob dumped into the log) is glued
  to it. When ``line_start`` is given, the last ``max_line_size`` bytes of
  a rejected line are kept as well, and the line that begins at the first
  place where ``line_start`` matches in them is cut off and handed out: only
  the bytes before it are rejected.
"""

from __future__ import annotations

import re
import sys
from typing import NamedTuple

#: Bytes of a rejected line kept for the dead-letter record.
REJECT_PREFIX_BYTES = 256

LINE_TOO_LONG = "line_too_long"
#: A file ended (rotated away or truncated) on a line without its newline.
INCOMPLETE_LINE = "incomplete_line"

#: Where a record of the access-log formats loglines reads begins (Common,
#: Combined and the formats built on them): a client address that no digit,
#: dot or colon runs into, identity, user and the opening of the date. The
#: date's shape makes a false start inside a request or referrer unlikely.
DEFAULT_LINE_START = (
    r"(?<![0-9.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})"
    r" \S+ \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} "
)


def line_start_pattern(text: str | None) -> re.Pattern[bytes] | None:
    """A section's ``line_start``, compiled: None (not set) is the default,
    '' none."""
    text = DEFAULT_LINE_START if text is None else text
    return re.compile(text.encode("utf-8")) if text else None


class Line(NamedTuple):
    """One complete line of a followed file.

    ``path`` is the path followed, also for the last lines of a file that
    was renamed away by a rotation. ``offset`` is the byte offset of the
    line's first byte in the file it was read from; ``size`` is the number
    of bytes the line takes there, terminator included, so ``offset + size``
    is where the next line starts.
    """

    text: str
    path: str
    offset: int
    size: int


class Rejected(NamedTuple):
    """A line that was not handed out as a ``Line``, and why.

    ``size`` is the bytes it took in the file (newline included when it had
    one); ``prefix`` holds its first ``REJECT_PREFIX_BYTES`` bytes, decoded
    like a line.
    """

    reason: str
    path: str
    offset: int
    size: int
    prefix: str


class Block(NamedTuple):
    """Consecutive complete lines of one file, cut in one go.

    A ``Line`` per line costs more than the rest of the way to Redis, so
    the tailer hands out lines in blocks and the worker builds its messages
    from a whole block's bytes at once. ``raws`` holds each line's bytes
    without its ``\\n`` (a ``\\r`` before it is still there, ``lines`` drops
    it); none is over ``max_line_size``. ``offset`` is the first line's,
    ``size`` the bytes of file the block covers, terminators included.
    """

    path: str
    offset: int
    raws: list[bytes]
    size: int

    def lines(self) -> list[Line]:
        """The block as ``Line`` items, as ``pop`` would have handed them out."""
        lines = []
        offset = self.offset
        for raw in self.raws:
            size = len(raw) + 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            lines.append(Line(_decode(raw), self.path, offset, size))
            offset += size
        return lines


def _decode(raw: bytes | bytearray) -> str:
    return bytes(raw).decode("utf-8", errors="replace")


class _Skip:
    """An over-long line whose bytes are being dropped until its newline.

    ``tail`` keeps its last bytes (at most ``max_line_size``) when a
    ``line_start`` may find a line glued to its end.
    """

    def __init__(self, offset: int, prefix: bytes, size: int, tail: bytearray | None):
        self.offset = offset
        self.prefix = prefix
        self.size = size
        self.tail = tail

    def grow(self, data: bytes, keep: int) -> None:
        self.size += len(data)
        if self.tail is not None:
            self.tail += data[-keep:]
            del self.tail[:-keep]


class LineSplitter:
    """Lines of one file, from bytes fed in file order.

    ``end`` is the file offset of the next byte to feed; ``consumed`` the
    offset just after the last item handed out by ``pop``, the only offset
    that may be checkpointed.
    """

    def __init__(self, path: str, offset: int, max_line_size: int,
                 line_start: re.Pattern[bytes] | None = None):
        self.path = path
        self.max_line_size = max_line_size
        self.line_start = line_start
        self.consumed = offset
        self.end = offset
        self._buf = bytearray()
        self._pos = 0  # index in _buf of the first byte not handed out
        self._skip: _Skip | None = None
        # An over-long line now complete: its reject, and the line cut off
        # its end as a one-line block, if any.
        self._ready: list[Rejected | Block] = []

    @property
    def buffered(self) -> int:
        """Bytes held in memory."""
        return len(self._buf)

    def feed(self, data: bytes) -> None:
        """Add the next bytes of the file (read at offset ``end``)."""
        if self._skip is not None:
            data = self._skip_through(data)
        if self._pos:
            # Dropping what was handed out before growing keeps the buffer
            # within max_line_size plus one chunk.
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data
        self.end += len(data)

    def _skip_through(self, data: bytes) -> bytes:
        """Drop the over-long line's bytes; return what follows its newline."""
        skip = self._skip
        newline = data.find(b"\n")
        if newline < 0:
            skip.grow(data, self.max_line_size)
            self.end += len(data)
            return b""
        skip.grow(data[:newline], self.max_line_size)
        skip.size += 1
        self.end += newline + 1
        self._ready = self._long_line(skip.offset, skip.size, skip.prefix, skip.tail)
        self._skip = None
        return data[newline + 1 :]

    def _long_line(self, offset: int, size: int, prefix: bytes,
                   tail: bytes | bytearray | None) -> list[Rejected | Block]:
        """The reject of the over-long line at ``offset`` (``size`` bytes with
        its newline), and the line found glued to its ``tail`` if any."""
        found = self.line_start.search(tail) if tail and self.line_start else None
        if found is None:
            return [Rejected(LINE_TOO_LONG, self.path, offset, size, _decode(prefix))]
        raw = bytes(tail[found.start():])
        cut = size - len(raw) - 1
        return [Rejected(LINE_TOO_LONG, self.path, offset, cut, _decode(prefix)),
                Block(self.path, offset + cut, [raw], len(raw) + 1)]

    def pop(self) -> Line | Rejected | None:
        """The next complete item, or None until more bytes are fed."""
        if self._ready:
            item = self._ready.pop(0)
            self.consumed = item.offset + item.size
            return item.lines()[0] if isinstance(item, Block) else item
        if self._skip is not None:
            return None
        newline = self._buf.find(b"\n", self._pos)
        if newline < 0:
            if len(self._buf) - self._pos > self.max_line_size:
                self._start_skip()
            return None
        return self._cut(newline)

    def take(self, max_lines: int, max_bytes: int) -> list[Block | Rejected]:
        """The items as many ``pop`` calls would hand out, lines in blocks.

        Stops after ``max_lines`` items (a block counts its lines) or once
        they cover ``max_bytes``, as a caller of ``pop`` would.
        """
        items: list[Block | Rejected] = []
        while self._ready and max_lines > 0 and max_bytes > 0:
            item = self._ready.pop(0)
            self.consumed = item.offset + item.size
            items.append(item)
            max_lines -= 1
            max_bytes -= item.size
        if self._ready or self._skip is not None or max_lines <= 0 or max_bytes <= 0:
            return items
        buf, start = self._buf, self._pos
        last = buf.rfind(b"\n", start)
        if last >= 0:
            if last - start >= max_bytes:
                last = buf.find(b"\n", start + max_bytes - 1)
            raws = bytes(buf[start:last]).split(b"\n", max_lines)
            if len(raws) > max_lines:
                raws.pop()
            size = sum(map(len, raws)) + len(raws)
            if max(map(len, raws)) <= self.max_line_size:
                items.append(Block(self.path, self.consumed, raws, size))
            else:
                items += self._split_out_long(raws)
            self._pos = start + size
            self.consumed += size
            max_lines -= len(raws)
            max_bytes -= size
        if max_lines > 0 and max_bytes > 0 and len(buf) - self._pos > self.max_line_size:
            self._start_skip()  # as the next pop would, finding no newline
        return items

    def _split_out_long(self, raws: list[bytes]) -> list[Block | Rejected]:
        """Blocks of the lines of ``raws`` (from ``consumed``) between rejects."""
        items: list[Block | Rejected] = []
        offset = block_offset = self.consumed
        block: list[bytes] = []
        for raw in raws:
            size = len(raw) + 1
            if size <= self.max_line_size + 1:
                block.append(raw)
            else:
                if block:
                    items.append(Block(self.path, block_offset, block, offset - block_offset))
                    block = []
                reject, *glued = self._long_line(
                    offset, size, raw[:REJECT_PREFIX_BYTES], raw[-self.max_line_size:])
                items.append(reject)
                block_offset = offset + reject.size
                block = [glued[0].raws[0]] if glued else []
            offset += size
        if block:
            items.append(Block(self.path, block_offset, block, offset - block_offset))
        return items

    def has_item(self) -> bool:
        """Whether ``pop`` would return an item without more bytes."""
        return bool(self._ready) or (
            self._skip is None and self._buf.find(b"\n", self._pos) >= 0
        )

    def _cut(self, newline: int) -> Line | Rejected:
        start = self._pos
        offset = self.consumed
        raw = self._buf[start:newline]
        self._pos = newline + 1
        self.consumed = offset + len(raw) + 1
        if len(raw) > self.max_line_size:
            reject, *self._ready = self._long_line(
                offset, len(raw) + 1, raw[:REJECT_PREFIX_BYTES], raw[-self.max_line_size:])
            self.consumed = offset + reject.size
            return reject
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        return Line(_decode(raw), self.path, offset, self.consumed - offset)

    def _start_skip(self) -> None:
        rest = self._buf[self._pos :]
        tail = bytearray(rest[-self.max_line_size:]) if self.line_start else None
        self._skip = _Skip(self.consumed, bytes(rest[:REJECT_PREFIX_BYTES]), len(rest), tail)
        self._buf = bytearray()
        self._pos = 0

    def finish(self) -> list[Line | Rejected]:
        """Everything still held, the file being over (rotated or truncated).

        Complete lines come first; an unfinished line last, rejected.
        """
        items = []
        while (item := self.pop()) is not None:
            items.append(item)
        return items + self._unfinished()

    def finish_blocks(self) -> list[Block | Rejected]:
        """``finish``, lines in blocks."""
        return self.take(sys.maxsize, sys.maxsize) + self._unfinished()

    def _unfinished(self) -> list[Rejected]:
        items = []
        if self._skip is not None:
            skip, self._skip = self._skip, None
            prefix = _decode(skip.prefix)
            items.append(Rejected(LINE_TOO_LONG, self.path, skip.offset, skip.size, prefix))
        elif self._pos < len(self._buf):
            rest = self._buf[self._pos :]
            prefix = _decode(rest[:REJECT_PREFIX_BYTES])
            items.append(Rejected(INCOMPLETE_LINE, self.path, self.consumed, len(rest), prefix))
        self._buf = bytearray()
        self._pos = 0
        return items
