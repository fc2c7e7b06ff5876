"""A Redis that refuses writes (out of memory at maxmemory with noeviction,
or a failing disk: MISCONF) is a temporary condition like an outage:
producers pause and go on by themselves, consumers keep draining, a refused
heartbeat neither stops a worker nor gets anyone presumed dead, and
``loglines status`` works and says why. Against a Redis of the test's own,
whose maxmemory the test really lowers."""

import logging
import os
import threading

import pytest

from loglines.errors import QueueRefused
from loglines.queue import Heartbeat, QueuePolicy, QueueStore
from loglines.redis_connection import translated_errors
from loglines.runtime.producer import Producer
from loglines.runtime.stop import StopFlag
from tests.support.redis_server import RedisServer


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def store(own_redis):
    return QueueStore(own_redis.client(), "oom", lambda name: QueuePolicy(), consumer_timeout=3)


def out_of_memory(client):
    """maxmemory below what Redis uses now: every command that needs memory is
    refused. A margin below, not at: what Redis uses moves by a few kilobytes
    (client buffers), and at the limit a push could just fit."""
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", int(client.info("memory")["used_memory"]) - 50_000)


def test_a_push_is_refused_as_a_temporary_condition(store):
    queue = store.queue("lines")
    queue.push([b"x" * 1000] * 100)
    out_of_memory(store.client)
    with pytest.raises(QueueRefused) as refused:
        queue.push([b"one more"])
    assert "Redis refuses writes: out of memory" in str(refused.value)


def test_a_producer_waits_while_redis_is_out_of_memory_then_goes_on(store, caplog):
    queue = store.queue("lines")
    queue.push([b"x" * 1000] * 100)
    out_of_memory(store.client)
    threading.Timer(1.0, lambda: store.client.config_set("maxmemory", 0)).start()
    with caplog.at_level(logging.INFO):
        assert Producer(queue, StopFlag(), logging.getLogger("t")).push([b"held"])
    assert queue.stats().ready == 101
    said = [r.getMessage() for r in caplog.records]
    assert sum("Redis refuses writes" in m for m in said) == 1  # once, not per attempt
    assert any(m.startswith("Redis is back") for m in said)


def test_consumers_drain_and_are_not_presumed_dead_while_writes_are_refused(store):
    queue = store.queue("lines")
    queue.push([b"x" * 1000] * 100)
    out_of_memory(store.client)
    # A worker starting now: its first beat is refused, and it starts all the same.
    beat = Heartbeat(store, "c1", {}, interval=0.1, recovery_interval=0.1)
    beat.start()
    try:
        fetched = queue.fetch("c1", 100).items
        assert len(fetched) == 100  # draining works under OOM ...
        assert queue.ack("c1", [i.id for i in fetched]) == 100  # ... and frees memory
        assert beat.recovery_pass() is None  # beats were refused: nobody is presumed dead
    finally:
        beat.stop()
    assert queue.stats().ready == 0


def test_status_says_why_writes_are_refused(store):
    assert store.write_problem() is None
    store.queue("lines").push([b"x" * 1000] * 100)
    out_of_memory(store.client)
    problem = store.write_problem()
    assert problem.startswith("Redis refuses writes: it uses") and "noeviction" in problem
    store.client.config_set("maxmemory", 0)
    assert store.write_problem() is None


def test_a_disk_error_reply_is_a_refusal_too(store):
    """MISCONF, as Redis answers a write while it cannot write its AOF or RDB
    (here a real reply of the server, made by a script)."""
    script = store.client.register_script(
        "return redis.error_reply('MISCONF Errors writing to the AOF file: No space left')")
    with pytest.raises(QueueRefused) as refused, translated_errors():
        script()
    assert "its disk is failing" in str(refused.value)


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs for Redis' data folder, nearly filled by a file the test
    deletes to give the space back."""
    import subprocess

    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_aof_disk_holds_acks_until_it_has_room_and_nothing_is_sent_twice(small_disk):
    from loglines.queue import reconnect

    server = RedisServer(small_disk / "redis")
    (small_disk / "redis").mkdir()
    server.start()
    try:
        store = QueueStore(server.client(), "disk", lambda name: QueuePolicy())
        queue = store.queue("events")
        queue.push([b"event %d" % i for i in range(50)])
        held = queue.fetch("c1", 50).items  # delivered, say, and about to be acked
        filler = small_disk / "filler"
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        filler.write_bytes(b"\0" * max(0, free - 64 * 1024))
        with pytest.raises(QueueRefused):  # the AOF cannot grow: writes are refused
            for _ in range(2000):
                queue.push([b"y" * 4096] * 10)
        assert "writing its AOF failed" in store.write_problem()
        done = []
        acker = threading.Thread(target=lambda: done.append(reconnect.call(
            queue.ack, "c1", [i.id for i in held])))
        acker.start()
        acker.join(1.0)
        assert acker.is_alive() and not done  # held and retried, not given up
        filler.unlink()  # the disk has room again: Redis writes its AOF, and the ack goes
        acker.join(30)
        assert done == [50]
        assert queue.stats().inflight == 0
        left = [i.payload for i in queue.fetch("c2", 1000).items]
        assert left and not any(p.startswith(b"event") for p in left)  # acked once, not back
    finally:
        server.stop()
