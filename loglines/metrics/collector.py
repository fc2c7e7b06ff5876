"""A Prometheus collector that reads Redis at scrape time.

Workers do nothing per scrape: everything exposed is what they already
keep in Redis. One scrape is a handful of round trips, whatever the volume.
"""

import logging
import math

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from ..errors import QueueUnavailable
from . import histogram
from .live import live_report

log = logging.getLogger("loglines.metrics")
LATENCY = "delivery_seconds"  # the histogram pirus2 observes, per request


class RedisCollector:
    def __init__(self, store, sections, queue_names=()):
        """``sections``: {name: kind} of the worker programs; ``queue_names``:
        the queues the configuration names, shown even before their first push."""
        self.store = store
        self.sections = dict(sections)
        self.queue_names = set(queue_names)

    def collect(self):
        up = GaugeMetricFamily("loglines_redis_up", "1 when Redis answered this scrape")
        try:
            families = list(self._families())
        except QueueUnavailable as err:
            log.warning("scrape without Redis: %s", err)
            families = []
        up.add_metric([], 1 if families else 0)
        yield up
        yield from families

    def _families(self):
        names = sorted(set(self.store.known_queues()) | self.queue_names)
        yield self._depths(names)
        live = live_report(self.store, self.sections, names)
        age = GaugeMetricFamily("loglines_queue_oldest_age_seconds",
                                "age of the oldest ready item (0 when empty)", labels=["queue"])
        for name, seconds in live["oldest_age_s"].items():
            age.add_metric([name], seconds or 0.0)
        yield age
        lag = GaugeMetricFamily("loglines_tailer_lag_bytes",
                                "bytes of a tailed file not yet checkpointed",
                                labels=["section", "file"])
        for f in live["files"]:
            lag.add_metric([f["section"], f["path"]], f["lag_bytes"])
        yield lag
        yield from self._counts()
        yield self._consumers()

    def _depths(self, names):
        depth = GaugeMetricFamily("loglines_queue_depth", "items per queue and state",
                                  labels=["queue", "state"])
        for name in names:
            s = self.store.queue(name).stats()
            for state, n in (("ready", s.ready), ("inflight", s.inflight),
                             ("delayed", s.delayed), ("dead", s.dead)):
                depth.add_metric([name, state], n)
        return depth

    def _counts(self):
        counts = CounterMetricFamily("loglines_count", "what the workers counted, all hosts",
                                     labels=["section", "name"])
        latency = HistogramMetricFamily("loglines_delivery_seconds",
                                        "tracker round trip per request (per bulk for Matomo)",
                                        labels=["section"])
        for section in self.sections:
            for name, n in self.store.counts(section).items():
                counts.add_metric([section, name], n)
            found = histogram.read(self.store.client, self.store.keyspace, section, LATENCY)
            if found:
                buckets, total, _ = found
                latency.add_metric([section], [(le, n) for le, n in buckets],
                                   sum_value=total if math.isfinite(total) else 0.0)
        yield counts
        yield latency

    def _consumers(self):
        live = GaugeMetricFamily("loglines_consumers", "live worker processes (heartbeating)",
                                 labels=["section"])
        per = {}
        for c in self.store.consumers():
            if c.alive:
                section = c.info.get("section", "?")
                per[section] = per.get(section, 0) + 1
        for section, n in sorted(per.items()):
            live.add_metric([section], n)
        return live
