"""``loglines stats backfill``: archived access logs into the statistics
only (nothing is queued or sent to a tracker).

The archives are read as ``loglines replay`` reads them (formats, the
time window, a resumable journal per file), each line is evaluated by the
pirus2 section's plugin and its record stored as the stats worker stores
it, one transaction per batch. A line already stored (read live, or by a
backfill before) has the same key and counts nothing, so running it twice,
or over a stretch the queue already brought, changes no figure.
"""

from __future__ import annotations

from collections import Counter

from .. import message
from ..errors import BadItem, RetryItem
from ..store.engine import writing
from ..usage.item import evaluate
from ..usage.record import stats_record
from .ingest import Ingest


class StoreSink:
    """A replay sink that evaluates lines and stores their records."""

    def __init__(self, engine, statistics, plugin, view, section, name):
        self.name = name  # in the journals' names: another sink, another journal
        self.engine, self.plugin, self.view, self.section = engine, plugin, view, section
        self.ingest = Ingest(statistics)
        self.totals: Counter = Counter()

    def send(self, service, lines, rejects):
        self.totals["rejected"] += len(rejects)
        records = []
        for text in message.encode_lines(service, lines):
            try:
                result = evaluate(self.plugin, self.view, self.section, text.encode("utf-8"))
            except (BadItem, RetryItem):
                self.totals["unreadable"] += 1
                continue
            if result.rejected:
                self.totals["unreadable"] += 1
                continue
            records.append(stats_record(result.fields, result.parsed, result.params))
        if records:
            with writing(self.engine) as conn:
                applied = self.ingest.apply(conn, records)
            self.totals["stored"] += applied.lines
            self.totals["already"] += applied.repeats
            self.totals["events"] += applied.events
        return True
