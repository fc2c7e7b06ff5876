"""One shipping section at work: its collectors, bookkeeping and target;
what is due, gathering it into packages under the lock, and queueing a
ship job per package.

Scheduled gathering takes each finished period (``period``, once it ended
``settle`` seconds ago) from where each collector's bookkeeping stands,
skipping intervals already gathered and waiting to be shipped. A window
asked for (``loglines ship --since``) is gathered whatever was shipped:
its packages replace those of the same name at the target.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import fields
from pathlib import Path

from ..errors import ConfigError, PluginError
from ..usage.plugin import load_module, plugin_path
from . import builtin, periods
from .book import Book, Locked
from .gather import Gathering, record_of, run_plan
from .registry import Registry
from .targets import Target


def load_registry(config, section):
    where = f"{config.path}: [{section.name}] collectors"
    registry = Registry()
    for spec in section.options.collectors:
        if spec == "builtin":
            registry.add_module(builtin, "built-in collectors")
            continue
        path = plugin_path(config, spec, where)
        if not path.is_file():
            raise PluginError(f"{where}: {spec!r} is neither 'builtin' nor a file ({path})")
        module = load_module(path, where)
        before = len(registry.by_key)
        registry.add_module(module, f"{where}: {path}")
        if len(registry.by_key) == before:
            raise PluginError(f"{where}: {path} registers no collector (@register)")
    if registry.config is None:
        raise PluginError(f"{where}: no config collector (list 'builtin', or register one "
                          "with config=True)")
    return registry


def _sushi_settings(config, section):
    """The sushi_ settings of ``api_section``, or of the only api section."""
    from ..api.sushi.settings import Settings

    apis = [n for n, p in config.programs.items() if p.kind == "api"]
    name = section.options.api_section
    if name is not None and name not in apis:
        raise ConfigError(f"{config.path}: [{section.name}] api_section: no section of kind "
                          f"api named {name!r} (api sections: {', '.join(apis) or 'none'})")
    name = name or (apis[0] if len(apis) == 1 else None)
    return Settings.from_options(config.program(name).options) if name else Settings()


def public_settings(options):
    """The section's options without a secret, as JSON takes them."""
    return {f.name: list(v) if isinstance(v := getattr(options, f.name), tuple) else v
            for f in fields(options) if f.repr}


class Shipping:
    def __init__(self, config, section, queues):
        self.config, self.section, self.queues = config, section, queues
        self.o = section.options
        self.registry = load_registry(config, section)
        self.book = Book(queues.client, config.queues.prefix, section.name)
        self.target = Target(self.o, config.instance_dir, self.book)
        self.folder = config.resolve(self.o.work_dir) / section.name
        self.outbox = self.folder / "outbox"
        self._engine = None
        self.gathering = Gathering(0, 0, section.name, config, public_settings(self.o),
                                   _sushi_settings(config, section), queues, self.engine)

    def engine(self):
        if self._engine is None:
            from ..store.engine import open_engine

            self._engine = open_engine(self.config.store.url)
        return self._engine

    def close(self):
        if self._engine is not None:
            self._engine.dispose()

    def collectors(self, groups=None):
        chosen = groups or self.o.groups
        return [c for c in self.registry.data() if c.group in chosen]

    # -- what to gather

    def default_start(self, now):
        """Where a collector with no record begins: ``start``, or the last
        period that has ended and settled."""
        if self.o.start:
            return periods.parse(self.o.start, "start")
        kind = self.o.period
        current = periods.start_of(kind, int(now - self.o.settle))
        return periods.start_of(kind, current - 1)

    def due(self, now=None, groups=None):
        """[(period, plan)] of the finished periods not yet gathered, oldest first."""
        now = time.time() if now is None else now
        last, default = self.book.last(), self.default_start(now)
        collectors = self.collectors(groups)
        starts = {c: last.get(c.file_name, default) for c in collectors}
        if not starts:
            return []
        out = []
        for since, until in periods.finished(self.o.period, min(starts.values()), now,
                                             self.o.settle):
            plan = {}
            for c in collectors:
                if starts[c] >= until:
                    continue
                busy = self.book.busy(c.file_name)
                intervals = [iv for iv in self._intervals(c, max(since, starts[c]), until)
                             if f"{c.file_name}|{iv[0]}|{iv[1]}" not in busy]
                if intervals:
                    plan[c] = intervals
            if plan:
                out.append(((since, until), plan))
        return out

    def window(self, since, until, groups=None):
        """[(period, plan)] of a window asked for, cut into the section's
        periods as scheduled gathering cuts them, so that a period shipped
        again is made of the same packages as the first time."""
        out, start = [], since
        while start < until:
            end = min(periods.following(self.o.period, start), until)
            out.append(((start, end), {c: self._intervals(c, start, end)
                                       for c in self.collectors(groups)}))
            start = end
        return out

    @staticmethod
    def _intervals(c, since, until):
        return list(c.slicing(since, until)) if c.slicing else [(since, until)]

    # -- gathering

    def gather(self, runs, queue, log):
        """Gather each (period, plan) of ``runs()`` under the lock, record the
        packages and queue their ship jobs; the results. Locked when another
        gatherer runs. ``runs`` is called under the lock: what is due is
        decided by the one gatherer, never by two from the same records."""
        token = self.book.lock()
        try:
            self.tidy()
            self.enqueue_unqueued(queue)
            results = []
            for period, plan in runs():
                result = run_plan(plan, self.gathering, self.registry.config, period,
                                  self.outbox, self.o.max_package_bytes,
                                  tick=lambda: self._keep(token))
                starts = {}
                for c, intervals in plan.items():
                    starts[c.file_name] = min(s for s, _ in intervals)
                self.book.record([(p.name, record_of(p), p.entries) for p in result.packages],
                                 starts)
                self.enqueue_unqueued(queue)
                _tell_failed(result, log)
                log.info("gathered %s to %s: %d packages", periods.text(period[0]),
                         periods.text(period[1]), len(result.packages))
                results.append(result)
            return results
        finally:
            self.book.unlock(token)

    def _keep(self, token):
        """Renew the lock between collections; a gatherer whose lock ran out
        (a collection longer than its hold) stops rather than gather beside
        another one."""
        if not self.book.extend(token):
            raise Locked("the gatherer's lock ran out during a collection; stopped before "
                         "recording anything, to be gathered again at the next look")

    def tidy(self):
        """Under the lock: remove what a stopped gatherer or shipper left in
        the outbox (a half-made work folder, the file of a package shipped
        just before the shipper stopped)."""
        if not self.outbox.is_dir():
            return
        waiting = {r["file"] for r in self.book.waiting().values()}
        for path in self.outbox.iterdir():
            if path.name.startswith(".work-"):
                shutil.rmtree(path, ignore_errors=True)
            elif path.is_file() and path.name not in waiting:
                path.unlink(missing_ok=True)

    def enqueue_unqueued(self, queue):
        """Queue a ship job for each recorded package that may have none (a
        gatherer stopped between recording and queueing); a job queued twice
        ships once, the second finding its package shipped."""
        names = self.book.unqueued()
        if names:
            result = queue.push([json.dumps({"package": n}) for n in names], past_cap=True)
            if result.accepted:
                self.book.mark_queued(names)

    def dry_run(self, runs, folder: Path):
        """Gather into ``folder`` only: nothing is recorded or queued."""
        return [run_plan(plan, self.gathering, self.registry.config, period, folder,
                         self.o.max_package_bytes) for period, plan in runs]


def _tell_failed(result, log):
    for s in result.statuses:
        if s.status == "failed":
            waiting = sum(1 for w in result.statuses
                          if w.collector is s.collector and w.status == "waiting")
            log.warning("%s %s to %s failed: %s%s", s.collector.file_name,
                        periods.text(s.since), periods.text(s.until), s.reason,
                        f"; its {waiting} later intervals wait for it" if waiting else "")
