"""A latency histogram kept in Redis, so every process adds to one.

Observations are bucketed in memory and added with one HINCRBY per touched
bucket at the next counters flush. Buckets are stored non-cumulative (each
observation goes to the first bucket it fits); the collector cumulates.
"""

import math

# Seconds; a tracker round trip for one request, from LAN to slow.
BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
INF = "+Inf"


def bucket_label(value):
    for bound in BOUNDS:
        if value <= bound:
            return repr(bound)
    return INF


class Pending:
    """Observations not yet in Redis."""

    def __init__(self):
        self.buckets = {}
        self.sum_us = 0
        self.count = 0

    def observe(self, seconds):
        label = bucket_label(seconds)
        self.buckets[label] = self.buckets.get(label, 0) + 1
        self.sum_us += int(seconds * 1e6)
        self.count += 1

    def add_to(self, pipe, key):
        for label, n in self.buckets.items():
            pipe.hincrby(key, label, n)
        pipe.hincrby(key, "sum_us", self.sum_us)
        pipe.hincrby(key, "count", self.count)


def read(client, keyspace, section, name):
    """(cumulative [(le, count)], sum in seconds, count), or None if never observed."""
    raw = {k.decode(): int(v) for k, v in client.hgetall(keyspace.hist(section, name)).items()}
    if not raw:
        return None
    cumulative, running = [], 0
    for bound in (*BOUNDS, math.inf):
        running += raw.get(INF if bound == math.inf else repr(bound), 0)
        cumulative.append((INF if bound == math.inf else repr(bound), running))
    return cumulative, raw.get("sum_us", 0) / 1e6, raw.get("count", running)
