"""Where each part goes: packages of one group, each holding at most
``max_bytes`` of data (the config, manifest and status files are not
counted) and never two files of one collector.

JSON parts are placed first, then the parts of unsliced CSV, then those
of sliced CSV; each part goes into the first open package with room, or
a new one. A package that takes a part of a sliced collector is closed
after it: a slice is shipped in a package of its own making, so that a
slice's fate (shipped, failed) is its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .periods import utc


@dataclass
class Planned:
    parts: list = field(default_factory=list)
    size: int = 0
    closed: bool = False

    def takes(self, part, max_bytes):
        return (not self.closed and self.size + part.size <= max_bytes
                and all(p.key != part.key for p in self.parts))


def _order(parts):
    def rank(p):
        if not p.collector.tabular:
            return 0
        return 2 if p.sliced else 1
    return sorted(parts, key=rank)  # stable: the collectors' order within a rank


def place(parts, max_bytes) -> list[Planned]:
    packages: list[Planned] = []
    for part in _order(parts):
        target = next((p for p in packages if p.takes(part, max_bytes)), None)
        if target is None:
            target = Planned()
            packages.append(target)
        target.parts.append(part)
        target.size += part.size
        if part.sliced:
            target.closed = True
    return packages


def entry(part):
    """What a part stands for in the bookkeeping: its collector and interval."""
    return f"{part.key}|{part.since}|{part.until}"


def name(group, since, until, index, parts):
    """The package's name, also its report id at the target: the same
    collections of the same period give the same name, so shipping them
    again replaces the earlier package there; other contents another."""
    contents = "\n".join(sorted(f"{entry(p)}|{p.index}" for p in parts))
    digest = hashlib.sha256(contents.encode()).hexdigest()[:10]
    return (f"loglines-{group}-{utc(since):%Y%m%d}-{utc(until):%Y%m%d}-{index:03d}-{digest}")
