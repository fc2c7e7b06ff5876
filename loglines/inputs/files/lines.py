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
"""

from __future__ import annotations

import sys
from typing import NamedTuple

#: Bytes of a rejected line kept for the dead-letter record.
REJECT_PREFIX_BYTES = 256

LINE_TOO_LONG = "line_too_long"
#: A file ended (rotated away or truncated) on a line without its newline.
INCOMPLETE_LINE = "incomplete_line"


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
    """An over-long line whose bytes are being dropped until its newline."""

    def __init__(self, offset: int, prefix: bytes, size: int):
        self.offset = offset
        self.prefix = prefix
        self.size = size


class LineSplitter:
    """Lines of one file, from bytes fed in file order.

    ``end`` is the file offset of the next byte to feed; ``consumed`` the
    offset just after the last item handed out by ``pop``, the only offset
    that may be checkpointed.
    """

    def __init__(self, path: str, offset: int, max_line_size: int):
        self.path = path
        self.max_line_size = max_line_size
        self.consumed = offset
        self.end = offset
        self._buf = bytearray()
        self._pos = 0  # index in _buf of the first byte not handed out
        self._skip: _Skip | None = None
        self._ready: Rejected | None = None  # an over-long line now complete

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
            skip.size += len(data)
            self.end += len(data)
            return b""
        skip.size += newline + 1
        self.end += newline + 1
        self._ready = Rejected(
            LINE_TOO_LONG, self.path, skip.offset, skip.size, _decode(skip.prefix)
        )
        self._skip = None
        return data[newline + 1 :]

    def pop(self) -> Line | Rejected | None:
        """The next complete item, or None until more bytes are fed."""
        if self._ready is not None:
            item, self._ready = self._ready, None
            self.consumed = item.offset + item.size
            return item
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
        if self._ready is not None:
            item = self.pop()
            items.append(item)
            max_lines -= 1
            max_bytes -= item.size
        if self._skip is not None or max_lines <= 0 or max_bytes <= 0:
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
                prefix = _decode(raw[:REJECT_PREFIX_BYTES])
                items.append(Rejected(LINE_TOO_LONG, self.path, offset, size, prefix))
                block_offset = offset + size
            offset += size
        if block:
            items.append(Block(self.path, block_offset, block, offset - block_offset))
        return items

    def has_item(self) -> bool:
        """Whether ``pop`` would return an item without more bytes."""
        return self._ready is not None or (
            self._skip is None and self._buf.find(b"\n", self._pos) >= 0
        )

    def _cut(self, newline: int) -> Line | Rejected:
        start = self._pos
        offset = self.consumed
        raw = self._buf[start:newline]
        self._pos = newline + 1
        self.consumed = offset + len(raw) + 1
        if len(raw) > self.max_line_size:
            prefix = _decode(raw[:REJECT_PREFIX_BYTES])
            return Rejected(LINE_TOO_LONG, self.path, offset, len(raw) + 1, prefix)
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        return Line(_decode(raw), self.path, offset, self.consumed - offset)

    def _start_skip(self) -> None:
        rest = self._buf[self._pos :]
        self._skip = _Skip(self.consumed, bytes(rest[:REJECT_PREFIX_BYTES]), len(rest))
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
