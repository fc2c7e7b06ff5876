"""Gathering: the collectors of a plan run for their intervals, their
parts placed into packages, the packages written to a folder.

A plan is {collector: [intervals]}, in the registry's order. When one of a
collector's intervals fails, its later intervals wait (they are gathered
with it next time), so its period never advances past a gap; the other
collectors go on.
"""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LoglinesError
from . import packing, tarball
from .parts import Collected, collect


class GatherError(LoglinesError):
    """A gathering that can make no package (the config collector failed)."""


@dataclass
class Gathering:
    """What a collector is given: its interval (seconds since the epoch,
    ``until`` excluded) and what it may read."""

    since: int
    until: int
    section: str = ""
    config: object = None  # the instance's Config
    public_settings: dict = field(default_factory=dict)  # the section's, without secrets
    sushi: object = None  # loglines.api.sushi.Settings for the COUNTER reports
    queues: object = None  # the QueueStore
    engine_factory: object = None  # () -> the store's Engine

    @contextmanager
    def connect(self):
        """A connection to the store, for reading."""
        if self.engine_factory is None:
            raise LoglinesError("no store to read: this gathering was given none")
        with self.engine_factory().connect() as conn:
            yield conn

    def at(self, since, until):
        return Gathering(since, until, self.section, self.config, self.public_settings,
                         self.sushi, self.queues, self.engine_factory)


@dataclass
class Status:
    """A line of collection_status.csv."""

    collector: object
    since: int
    until: int
    status: str  # ok, failed, waiting
    reason: str | None = None
    seconds: float = 0.0


@dataclass
class Package:
    name: str
    path: Path
    group: str
    manifest: dict
    entries: tuple  # the intervals it holds parts of, for the bookkeeping


@dataclass
class Result:
    packages: list = field(default_factory=list)
    statuses: list = field(default_factory=list)

    @property
    def failed(self):
        return [s for s in self.statuses if s.status != "ok"]


def run_plan(plan, gathering, config_collector, period, out_dir, max_bytes,
             clock=time.monotonic, tick=lambda: None):
    """Gather ``plan`` for ``period`` (since, until) into packages in ``out_dir``.
    ``tick()`` is called between collections (the lock is renewed there)."""
    if config_collector is None:
        raise GatherError("no config collector is registered: every package carries one")
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / f".work-{period[0]}-{time.time_ns()}"
    work.mkdir()
    try:
        config = collect(config_collector, gathering.at(*period), work, max_bytes, False, clock)
        if not config.ok:
            raise GatherError(f"the config collector {config_collector.key!r} failed: "
                              f"{config.reason}")
        collected, statuses = _collect_all(plan, gathering, work, max_bytes, clock, tick)
        config_bytes = config.parts[0].path.read_bytes()
        status_bytes = tarball.status_csv(statuses)
        packages = []
        for group in sorted({c.collector.group for c in collected}):
            parts = [p for c in collected if c.collector.group == group for p in c.parts]
            packages += _write_group(group, parts, period, out_dir, max_bytes, config_bytes,
                                     status_bytes)
        return Result(packages, statuses)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _collect_all(plan, gathering, work, max_bytes, clock, tick):
    collected, statuses = [], []
    for collector, intervals in plan.items():
        blocked = None
        for since, until in intervals:
            if blocked is not None:
                statuses.append(Status(collector, since, until, "waiting",
                                       f"an earlier interval failed ({blocked})"))
                continue
            c: Collected = collect(collector, gathering.at(since, until), work, max_bytes,
                                   collector.slicing is not None, clock)
            tick()
            statuses.append(Status(collector, since, until, "ok" if c.ok else "failed",
                                   c.reason, c.seconds))
            if c.ok:
                collected.append(c)
            else:
                blocked = f"{since}-{until}"
    return collected, statuses


def _write_group(group, parts, period, out_dir, max_bytes, config_bytes, status_bytes):
    out = []
    for index, planned in enumerate(packing.place(parts, max_bytes), 1):
        name = packing.name(group, period[0], period[1], index, planned.parts)
        meta = tarball.manifest(name, group, period[0], period[1], planned.parts)
        path = out_dir / f"{name}.tar.gz"
        tarball.write(path, meta, planned.parts, config_bytes, status_bytes, period[1])
        entries = tuple(sorted({packing.entry(p) for p in planned.parts}))
        out.append(Package(name, path, group, meta, entries))
    return out


def record_of(package: Package) -> dict:
    """What the bookkeeping keeps of a package until it is shipped."""
    m = package.manifest
    return {"group": package.group, "since": m["since"], "until": m["until"],
            "entries": list(package.entries), "content_sha256": m["content_sha256"],
            "file": package.path.name, "created": int(time.time()),
            "files": [f["file"] for f in m["files"]]}
