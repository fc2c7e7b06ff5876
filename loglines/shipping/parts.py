"""Running one collector for one interval, its output written to part
files: a JSON document whole, rows of CSV or TSV cut into parts of at most
the part size, each part starting with the header.

A collector that raises, or whose output cannot fit (a JSON document or a
single row larger than a package may be), is a failed collection with the
reason; the gathering goes on with the others.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ..errors import LoglinesError
from .registry import Collector, Table


@dataclass(frozen=True)
class Part:
    collector: Collector
    since: int
    until: int
    index: int  # 1-based, of ``count`` parts of this collection
    count: int
    path: Path
    rows: int
    size: int  # bytes, uncompressed
    sha256: str
    sliced: bool  # the collector has a slicing function

    @property
    def key(self):
        """The file's name in a package: its collector's key and format."""
        return self.collector.file_name


@dataclass
class Collected:
    collector: Collector
    since: int
    until: int
    parts: list = field(default_factory=list)
    reason: str | None = None  # why it failed; None when it worked
    seconds: float = 0.0

    @property
    def ok(self):
        return self.reason is None


BLOCK = 500  # rows encoded at once


class TooBig(LoglinesError):
    """Output that no package can hold."""


def collect(collector, gathering, folder, max_bytes, sliced, clock=time.monotonic):
    """Run ``collector`` for ``gathering``'s interval; its parts in ``folder``."""
    began = clock()
    out = Collected(collector, gathering.since, gathering.until)
    stem = folder / f"{collector.key}.{gathering.since}-{gathering.until}"
    try:
        result = collector.fn(gathering)
        if collector.tabular:
            limit = min(collector.part_bytes or max_bytes, max_bytes)
            written = _write_table(result, stem, collector.format, limit)
        else:
            written = [_write_json(result, stem, max_bytes)]
    except TooBig as err:
        out.reason = str(err)
    except Exception as err:  # a collector's failure is its own: the others go on
        out.reason = f"{type(err).__name__}: {err}".strip()
    else:
        n = len(written)
        out.parts = [Part(collector, gathering.since, gathering.until, i, n, path, rows, size,
                          digest, sliced)
                     for i, (path, rows, size, digest) in enumerate(written, 1)]
    out.seconds = clock() - began
    return out


def _json_rows(value):
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict) and isinstance(value.get("Report_Items"), list):
        return len(value["Report_Items"])
    return 1


def _write_json(value, stem, max_bytes):
    data = (json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()
    if len(data) > max_bytes:
        raise TooBig(f"the JSON document is {len(data)} bytes, more than a package may hold "
                     f"({max_bytes}); a JSON collector cannot be split: slice it")
    path = stem.with_suffix(".json")
    path.write_bytes(data)
    return path, _json_rows(value), len(data), hashlib.sha256(data).hexdigest()


class _Encoder:
    """Rows to bytes, one row at a time, as the csv module writes them."""

    def __init__(self, fmt):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter="\t" if fmt == "tsv" else ",",
                                 lineterminator="\n")

    def __call__(self, row):
        return self.many([row])

    def many(self, rows):
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerows(rows)
        return self.buffer.getvalue().encode()


def _write_table(result, stem, fmt, limit):
    if isinstance(result, Table):
        header, rows = list(result.header), iter(result.rows)
    else:
        rows = iter(result)
        header = [next(rows, [])]
    encode = _Encoder(fmt)
    head = b"".join(encode(r) for r in header)
    writer = _PartWriter(stem, fmt, head, limit)
    try:
        # Rows are encoded a block at a time; a block that would cross the
        # part's end is taken row by row, so the cut falls between two rows.
        while block := list(islice(rows, BLOCK)):
            data = encode.many(block)
            if writer.fits(len(data)):
                writer.add(data, len(block))
            else:
                for row in block:
                    writer.add(encode(row))
    finally:
        writer.close()
    return writer.done


class _PartWriter:
    def __init__(self, stem, fmt, head, limit):
        if len(head) >= limit:
            raise TooBig(f"the header alone is {len(head)} bytes, as much as a part may hold "
                         f"({limit})")
        self.stem, self.fmt, self.head, self.limit = stem, fmt, head, limit
        self.done, self.file = [], None
        self._open()

    def _open(self):
        self.path = Path(f"{self.stem}.{len(self.done) + 1}.{self.fmt}")
        self.file = open(self.path, "wb")  # noqa: SIM115 -- closed in _finish
        self.hash = hashlib.sha256(self.head)
        self.file.write(self.head)
        self.size, self.rows = len(self.head), 0

    def fits(self, size):
        return self.size + size <= self.limit

    def add(self, data, rows=1):
        if not self.fits(len(data)):
            if self.rows == 0:
                raise TooBig(f"a row of {len(data)} bytes does not fit in a part of "
                             f"{self.limit} bytes with its header")
            self._finish()
            self._open()
        self.file.write(data)
        self.hash.update(data)
        self.size += len(data)
        self.rows += rows

    def _finish(self):
        self.file.close()
        self.file = None
        self.done.append((self.path, self.rows, self.size, self.hash.hexdigest()))

    def close(self):
        if self.file is not None:
            self._finish()
