"""Collectors: functions registered with ``@register``, and the registry
of those a shipping section uses.

A collector gets a ``Gathering`` (the period and what to read from) and
returns, for ``format="json"``, something ``json.dumps`` takes; for
``format="csv"`` (or ``"tsv"``, tab-separated), an iterable of rows whose
first row is the header, or a ``Table`` when the header is several rows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import PluginError

FORMATS = ("json", "csv", "tsv")
ATTRIBUTE = "__loglines_collector__"


@dataclass(frozen=True)
class Collector:
    key: str  # the file's name in a package, without its extension
    version: str
    format: str
    description: str
    fn: Callable = field(repr=False, compare=False)
    config: bool = False  # the one collector describing the instance
    slicing: Callable | None = field(default=None, repr=False, compare=False)
    group: str = "default"
    # Rows are cut into parts of at most this many bytes (at most the
    # package cap); None: the package cap.
    part_bytes: int | None = None

    @property
    def file_name(self):
        return f"{self.key}.{self.format}"

    @property
    def tabular(self):
        return self.format in ("csv", "tsv")


@dataclass(frozen=True)
class Table:
    """Rows under a header of one row or more (a COUNTER TSV has a dozen);
    every part of a split file starts with the whole header."""

    header: list
    rows: Iterable


def register(key, version, format="json", description="", config=False, slicing=None,
             group="default", part_bytes=None):
    """Mark a function as a collector; the module is read by ``Registry.add_module``."""
    if format not in FORMATS:
        raise ValueError(f"collector {key!r}: format must be one of {', '.join(FORMATS)}")
    if config and format != "json":
        raise ValueError(f"collector {key!r}: the config collector is JSON")
    if not key or "/" in key or key.startswith("."):
        raise ValueError(f"collector key {key!r}: a plain file name is expected")

    def mark(fn):
        setattr(fn, ATTRIBUTE, Collector(key, str(version), format, description, fn, config,
                                         slicing, group, part_bytes))
        return fn

    return mark


def collectors_of(module):
    """The collectors a module registers, in the order they are defined."""
    found = [getattr(fn, ATTRIBUTE) for _, fn in vars(module).items()
             if inspect.isfunction(fn) and hasattr(fn, ATTRIBUTE)]
    return sorted(found, key=lambda c: c.fn.__code__.co_firstlineno)


class Registry:
    """The collectors of one shipping section: one config collector, keys unique."""

    def __init__(self, collectors=()):
        self.by_key: dict[str, Collector] = {}  # by file name: a key may have a JSON and a TSV
        for c in collectors:
            self.add(c)

    def add(self, collector, where="a collector"):
        if collector.file_name in self.by_key:
            raise PluginError(f"{where}: a collector of {collector.file_name!r} is registered "
                              "twice")
        if collector.config and self.config is not None:
            raise PluginError(f"{where}: {collector.key!r} is a second config collector "
                              f"({self.config.key!r} is one already)")
        self.by_key[collector.file_name] = collector

    def add_module(self, module, where=None):
        for c in collectors_of(module):
            self.add(c, where or module.__name__)

    @property
    def config(self):
        return next((c for c in self.by_key.values() if c.config), None)

    def data(self, groups=None):
        """The data collectors (all but the config one), of ``groups`` if given."""
        return [c for c in self.by_key.values()
                if not c.config and (not groups or c.group in groups)]

    def groups(self):
        return sorted({c.group for c in self.data()})
