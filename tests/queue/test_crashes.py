"""Consumers really killed with SIGKILL: what they held comes back."""

import signal
import subprocess
import sys
import time

from loglines.config.model import QueueSettings
from loglines.queue import Heartbeat, new_consumer_id
from tests.support.waiting import wait_for

ROOT = __file__.rsplit("/tests/", 1)[0]


def start_consumer(redis_server, prefix, queue, mode, count=10):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.consumer_proc", str(redis_server.port), prefix,
         queue, mode, str(count)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )




def test_killed_consumer_items_return_after_a_recovery_pass(redis_server, make_store, prefix):
    store = make_store(QueueSettings(prefix=prefix, consumer_timeout=2.0))
    q = store.queue("work")
    q.push([f"item-{i}".encode() for i in range(25)])
    proc = start_consumer(redis_server, prefix, "work", "hold", count=10)
    fields = proc.stdout.readline().split()
    assert fields[0] == "FETCHED"
    held = fields[2:]
    assert len(held) == 10 and q.stats().inflight == 10
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store.recover().requeued == 0  # not yet: its heartbeat is fresh
    report = store.recover(now_ms=store.now_ms() + 2500)
    assert report.requeued == 10 and fields[1] in report.forgotten
    stats = q.stats()
    assert (stats.ready, stats.inflight, stats.dead) == (25, 0, 0)
    items = q.fetch("c2", 100).items
    payloads = [i.payload for i in items]
    assert sorted(payloads) == sorted(f"item-{i}".encode() for i in range(25))  # none lost
    assert len(set(payloads)) == 25  # none duplicated
    assert {i.id: i.attempts for i in items if i.id in held} == dict.fromkeys(held, 2)


def test_recovery_runs_by_itself_in_a_live_process(redis_server, make_store, prefix):
    """Nobody restarts the dead consumer: another process's heartbeat thread
    runs the recovery pass on its own."""
    store = make_store(QueueSettings(prefix=prefix, consumer_timeout=2.0))
    q = store.queue("work")
    q.push([f"item-{i}".encode() for i in range(5)])
    proc = start_consumer(redis_server, prefix, "work", "hold", count=5)
    assert proc.stdout.readline().startswith("FETCHED")
    watcher = Heartbeat(store, new_consumer_id(), {"section": "watcher"}, interval=0.2,
                        recovery_interval=0.5)
    watcher.start()
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert wait_for(lambda: q.stats().ready == 5, timeout=30)
        assert q.stats().inflight == 0
    finally:
        watcher.stop()


def test_a_live_consumer_keeps_its_items(redis_server, make_store, prefix):
    store = make_store(QueueSettings(prefix=prefix, consumer_timeout=2.0))
    q = store.queue("work")
    q.push([b"x"])
    consumer = new_consumer_id()
    beat = Heartbeat(store, consumer, {}, interval=0.2, recovery_interval=3600)
    beat.start()
    try:
        q.fetch(consumer, 1)
        time.sleep(3.0)  # longer than the consumer timeout
        assert store.recover().requeued == 0
        assert q.stats().inflight_by_consumer == {consumer: 1}
    finally:
        beat.stop()
    assert consumer not in [c.id for c in store.consumers()]


def test_a_poison_item_that_kills_its_consumer_ends_dead(redis_server, make_store, prefix,
                                                          redis_client):
    """Like supervisord, restart the consumer each time it dies; after
    max_attempts deaths the poison item is dead-lettered and the rest flows."""
    store = make_store(QueueSettings(prefix=prefix, consumer_timeout=2.0), max_attempts=3)
    q = store.queue("work")
    q.push([b"before", b"poison", b"after-1", b"after-2"])
    deaths = 0
    for _ in range(10):
        proc = start_consumer(redis_server, prefix, "work", "poison")
        out, _ = proc.communicate(timeout=60)
        if proc.returncode == 0:
            assert "DONE" in out
            break
        assert proc.returncode == -signal.SIGKILL
        deaths += 1
        store.recover(now_ms=store.now_ms() + 2500)
    assert deaths == 3
    assert redis_client.smembers("{" + prefix + "}:processed") == {b"before", b"after-1",
                                                                   b"after-2"}
    dead = q.dead_items()
    assert [(d.payload, d.attempts) for d in dead] == [(b"poison", 3)]
    assert "died holding it" in dead[0].error


def test_ack_after_recovery_does_not_delete_the_requeued_copy(make_store, prefix):
    store = make_store(QueueSettings(prefix=prefix, consumer_timeout=2.0))
    q = store.queue("work")
    q.push([b"x"])
    item = q.fetch("presumed-dead", 1).items[0]
    store.recover(now_ms=store.now_ms() + 10_000)
    assert q.ack("presumed-dead", [item.id]) == 0
    assert q.stats().ready == 1
    again = q.fetch("c2", 1).items[0]
    assert again.id == item.id
    assert q.ack("presumed-dead", [item.id]) == 0
    assert q.stats().inflight_by_consumer == {"c2": 1}
    assert q.ack("c2", [item.id]) == 1


def test_recovery_is_won_by_one_process_per_interval(store):
    assert store.try_lock_recovery(5.0) is True
    assert store.try_lock_recovery(5.0) is False


def test_consumer_ids_are_fresh_per_start():
    import os
    import socket

    a, b = new_consumer_id(), new_consumer_id()
    assert a != b
    host, pid, token = a.rsplit(":", 2)
    assert host == socket.gethostname() and pid == str(os.getpid()) and len(token) == 8
