"""The producer path every input shares: a batch is pushed whole, waited
with at a full queue (one line when the cap is reached, one when there is
room again), past the cap only for a stopping producer that asks, and
carried through a Redis outage."""

import logging
import threading

import pytest

from loglines.queue import QueuePolicy, QueueStore
from loglines.runtime.producer import CapWatch, Producer, wait_for_room
from loglines.runtime.stop import StopFlag
from tests.support.queues import drain
from tests.support.redis_server import RedisServer


class Said:
    """A logger that keeps what it was told."""

    def __init__(self):
        self.lines = []

    def warning(self, fmt, *args):
        self.lines.append(("warning", fmt % args))

    def info(self, fmt, *args):
        self.lines.append(("info", fmt % args))


@pytest.fixture
def capped(redis_client, prefix):
    store = QueueStore(redis_client, prefix, lambda name: QueuePolicy(cap=3))
    return store.queue("lines")


def test_a_full_queue_is_waited_on_and_the_batch_pushed_whole_once_it_has_room(capped):
    capped.push([b"a", b"b", b"c"])
    said, stop = Said(), StopFlag()
    producer = Producer(capped, stop, said, paused="pausing", resumed="reading on",
                        full_wait=0.05)
    drained = threading.Timer(0.5, lambda: drain(capped, decode=False))
    drained.start()
    try:
        assert producer.push([b"d", b"e"], {"file": "7"})
    finally:
        drained.join()
    assert drain(capped, decode=False) == [b"d", b"e"]
    assert capped.client.hget(capped.keyspace.positions, "file") == b"7"
    assert [level for level, _ in said.lines] == ["warning", "info"]
    assert said.lines[0][1] == "lines is at its cap (3 items): pausing"
    assert said.lines[1][1].startswith("lines has room again (waited ")
    assert said.lines[1][1].endswith("; reading on")


def test_a_stop_while_the_queue_is_full_pushes_nothing(capped):
    capped.push([b"a", b"b", b"c"])
    stop = StopFlag()
    threading.Timer(0.2, stop.set).start()
    producer = Producer(capped, stop, Said(), full_wait=0.05)
    assert producer.push([b"d"], {"file": "9"}) is False
    assert capped.stats().ready == 3
    assert capped.client.hget(capped.keyspace.positions, "file") is None


def test_a_stopping_producer_may_push_what_it_holds_past_the_cap(capped):
    capped.push([b"a", b"b", b"c"])
    stop = StopFlag()
    stop.set()
    assert Producer(capped, stop, Said()).push([b"d", b"e"], past_cap_at_stop=True)
    assert capped.stats().ready == 5


def test_a_push_during_a_redis_outage_goes_through_once_redis_is_back(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    try:
        client = server.client(socket_timeout=2.0)
        queue = QueueStore(client, "outage", lambda name: QueuePolicy()).queue("lines")
        server.stop()
        restarted = threading.Timer(1.0, server.start)
        restarted.start()
        said = Said()
        assert Producer(queue, StopFlag(), said).push([b"held"])
        restarted.join()
        assert drain(queue, decode=False) == [b"held"]
        assert said.lines[0][0] == "warning" and "retrying until it is back" in said.lines[0][1]
        assert said.lines[-1][0] == "info" and said.lines[-1][1].startswith("Redis is back")
    finally:
        server.stop()


def test_has_room_follows_the_cap_as_push_does(capped, redis_client, prefix):
    assert capped.has_room()
    capped.push([b"a", b"b"])
    assert capped.has_room()
    capped.push([b"c"])
    assert not capped.has_room()
    assert not capped.push([b"d"]).accepted
    uncapped = QueueStore(redis_client, prefix, lambda name: QueuePolicy(cap=0)).queue("x")
    uncapped.push([b"a"] * 10)
    assert uncapped.has_room()


class Ctx:
    """What wait_for_room needs of a worker's context."""

    def __init__(self):
        self.stop = StopFlag()

    def call(self, fn, *args):
        return fn(*args)


def test_a_consumer_forwarding_into_a_full_queue_waits_and_says_so_once(capped, caplog):
    capped.push([b"a", b"b", b"c"])
    ctx, watch = Ctx(), CapWatch(logging.getLogger("t"), "waiting for room", "fetching again")
    with caplog.at_level(logging.INFO, logger="t"):
        assert not wait_for_room(ctx, [capped], watch, wait=0.01)
        assert not wait_for_room(ctx, [capped], watch, wait=0.01)
        drain(capped, decode=False)
        assert wait_for_room(ctx, [capped], watch, wait=0.01)
        assert wait_for_room(ctx, [capped], watch, wait=0.01)
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
