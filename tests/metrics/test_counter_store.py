"""What the counters write, key by key, on a real Redis: ``loglines status``
and the Prometheus collector read exactly these."""

import time

from loglines.metrics import rates
from loglines.metrics.counter_store import CounterStore
from loglines.metrics.histogram import Pending
from loglines.runtime.counters import Counters


def hash_of(client, key):
    return {k.decode(): int(v) for k, v in client.hgetall(key).items()}


def test_counts_go_to_the_totals_and_the_current_rate_bucket(store):
    CounterStore(store.client, store.keyspace).add_counts("worker_pirus2", {"delivered": 3})
    CounterStore(store.client, store.keyspace).add_counts("worker_pirus2", {"delivered": 2})
    p = store.keyspace.prefix
    assert hash_of(store.client, f"{{{p}}}:counts:worker_pirus2") == {"delivered": 5}
    bucket = f"{{{p}}}:rate:worker_pirus2:{rates.bucket_of(time.time())}"
    assert hash_of(store.client, bucket) == {"delivered": 5}
    assert 0 < store.client.ttl(bucket) <= rates.TTL_SECONDS
    assert store.counts("worker_pirus2") == {"delivered": 5}


def test_observations_go_to_one_hash_per_histogram(store):
    pending = Pending()
    for seconds in (0.003, 0.2, 100.0):
        pending.observe(seconds)
    CounterStore(store.client, store.keyspace).add_observations(
        "worker_pirus2", {"delivery_seconds": pending})
    key = f"{{{store.keyspace.prefix}}}:hist:worker_pirus2:delivery_seconds"
    assert hash_of(store.client, key) == {"0.005": 1, "0.25": 1, "+Inf": 1,
                                          "sum_us": 100_203_000, "count": 3}


def test_a_worker_s_counters_flush_through_it(store):
    counters = Counters(store, "logger_watch")
    counters.add("lines", 7)
    counters.observe("push_seconds", 0.01)
    counters.flush()
    assert store.counts("logger_watch") == {"lines": 7}
    key = store.keyspace.hist("logger_watch", "push_seconds")
    assert hash_of(store.client, key)["count"] == 1
