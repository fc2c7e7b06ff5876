"""Counters kept in memory while Redis is down, and flushed once it is back."""

import pytest

from loglines.metrics import histogram
from loglines.queue import QueuePolicy, QueueStore
from loglines.runtime.counters import Counters
from tests.support.redis_server import RedisServer


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, to stop and start again (AOF on)."""
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def test_counts_survive_a_redis_outage_and_are_flushed_once_it_is_back(own_redis):
    store = QueueStore(own_redis.client(socket_timeout=2), "counters", lambda n: QueuePolicy())
    counters = Counters(store, "worker_test")

    def latency_count():
        found = histogram.read(store.client, store.keyspace, "worker_test", "latency")
        return found and found[2]

    counters.add("delivered", 3)
    counters.observe("latency", 0.02)
    counters.flush()
    assert store.counts("worker_test") == {"delivered": 3}
    own_redis.stop()
    counters.add("delivered", 2)
    counters.add("refused")
    counters.observe("latency", 0.2)
    counters.flush()  # Redis down: nothing raised, everything kept
    counters.flush()
    own_redis.start()
    assert store.counts("worker_test") == {"delivered": 3}  # the first flush, kept by the AOF
    counters.flush()
    assert store.counts("worker_test") == {"delivered": 5, "refused": 1}
    assert latency_count() == 2
    counters.flush()  # nothing pending now: nothing added twice
    assert store.counts("worker_test") == {"delivered": 5, "refused": 1}
    assert latency_count() == 2
