"""Redis restarted under a blocked consumer (AOF on): it reconnects, and
nothing Redis acknowledged is lost."""

import signal
import threading

import pytest

from loglines.queue import QueuePolicy, QueueStore, reconnect
from tests.support.redis_server import RedisServer
from tests.support.waiting import wait_for


class Consumer(threading.Thread):
    def __init__(self, queue):
        super().__init__(daemon=True)
        self.queue = queue
        self.got = []
        self.halt = threading.Event()

    def run(self):
        call = reconnect.call
        try:
            while not self.halt.is_set():
                items = call(self.queue.fetch, "c2", 10, should_stop=self.halt.is_set).items
                for item in items:
                    self.got.append(item.payload)
                    call(self.queue.ack, "c2", [item.id], should_stop=self.halt.is_set)
                if not items:
                    call(self.queue.wait, 0.5, should_stop=self.halt.is_set)
        except reconnect.Stopped:
            pass


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_blocked_consumer_survives_a_redis_restart(tmp_path, sig):
    server = RedisServer(tmp_path).start()
    client = server.client(socket_timeout=3)
    store = QueueStore(client, "restart", lambda name: QueuePolicy())
    q = store.queue("work")
    consumer = Consumer(q)
    try:
        q.push([b"a", b"b", b"c"])
        a, b = q.fetch("c1", 2).items
        assert q.ack("c1", [a.id]) == 1
        consumer.start()
        assert wait_for(lambda: consumer.got == [b"c"])
        wait_for(lambda: False, timeout=0.3)  # let it block in wait()
        server.restart(sig)
        reconnect.call(q.push, [b"d"])
        assert wait_for(lambda: consumer.got == [b"c", b"d"], timeout=30)
        assert consumer.is_alive()
        stats = q.stats()
        assert stats.inflight_by_consumer == {"c1": 1}  # b, still held
        assert (stats.ready, stats.delayed, stats.dead) == (0, 0, 0)  # a stays acked
        assert q.ack("c1", [b.id]) == 1
    finally:
        consumer.halt.set()
        consumer.join(timeout=10)
        server.stop()


def test_calls_during_an_outage_raise_queue_unavailable(tmp_path):
    from loglines.errors import QueueUnavailable

    server = RedisServer(tmp_path).start()
    store = QueueStore(server.client(socket_timeout=2), "down", lambda name: QueuePolicy())
    server.kill()
    with pytest.raises(QueueUnavailable):
        store.queue("work").push([b"x"])
    stops = iter([False, False, True])
    with pytest.raises(reconnect.Stopped):
        reconnect.call(store.queue("work").push, [b"x"], should_stop=lambda: next(stops),
                       sleep=lambda s: None)


def test_no_consumer_is_presumed_dead_just_after_redis_restarted(tmp_path):
    """Heartbeats are as old as the outage; recovery waits until consumers
    had the chance to beat again."""
    import time

    server = RedisServer(tmp_path).start()
    store = QueueStore(server.client(), "uptime", lambda name: QueuePolicy(), consumer_timeout=3)
    try:
        q = store.queue("work")
        q.push([b"held"])
        store.heartbeat("alive:1:x", {})
        q.fetch("alive:1:x", 1)
        time.sleep(3.5)  # the consumer's last beat is now older than the timeout
        server.restart(signal.SIGKILL)
        assert store.redis_uptime() < 3
        assert reconnect.call(store.recover).requeued == 0
        store.heartbeat("alive:1:x", {})  # it beats again once Redis is back
        time.sleep(3.1)
        store.heartbeat("alive:1:x", {})
        assert store.recover().requeued == 0  # alive, so it keeps its item
        assert q.stats().inflight_by_consumer == {"alive:1:x": 1}
        assert store.recover(now_ms=store.now_ms() + 10_000).requeued == 1  # a test's clock
    finally:
        server.stop()
