"""Signals to a real worker process (StopFlag.install, as `loglines worker`
does): SIGTERM finishes the batch and exits 0; a second SIGTERM while busy
exits at once with 128 + 15, and what it held comes back by recovery."""

import signal
from pathlib import Path

import pytest

from tests.support.worker_proc import GATE_TIMEOUT, WorkerProcess, gate_key, processed_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(redis_server, prefix):
    started = []

    def start(burst=False):
        worker = WorkerProcess(ROOT, redis_server.port, prefix, burst=burst)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


@pytest.fixture
def work(store):
    return store.queue("work")


def consumer_ids(store):
    return [c.id for c in store.consumers()]


def test_sigterm_finishes_the_batch_then_exits_0(start_worker, store, work, redis_client,
                                                 prefix):
    work.push([b"gate", b"same-batch"])
    worker = start_worker()
    consumer = worker.expect("READY").split()[1]
    assert consumer in consumer_ids(store)
    assert worker.expect("HANDLING") == "HANDLING gate same-batch"
    work.push([b"later"])  # arrives while the batch is under way
    worker.proc.send_signal(signal.SIGTERM)
    worker.expect("SIGTERM received")
    assert worker.proc.poll() is None  # still busy with its batch
    redis_client.rpush(gate_key(prefix), "go")
    assert worker.proc.wait(timeout=20) == 0
    assert "STOPPED" in worker.rest()  # consume() returned and close() ran
    assert redis_client.smembers(processed_key(prefix)) == {b"gate", b"same-batch"}
    stats = work.stats()
    assert (stats.ready, stats.inflight, stats.delayed) == (1, 0, 0)  # "later": never fetched
    assert consumer not in consumer_ids(store)  # the heartbeat stopped and unregistered


def test_a_second_sigterm_while_busy_exits_at_once_with_143(start_worker, store, work,
                                                           redis_client, prefix):
    work.push([b"gate"])
    worker = start_worker()
    consumer = worker.expect("READY").split()[1]
    worker.expect("HANDLING gate")
    worker.proc.send_signal(signal.SIGTERM)
    # The flag is set before the handler logs "SIGTERM received", so the two
    # lines come in either order; the flag is what makes the next a second.
    worker.expect("STOP FLAG SET")
    worker.proc.send_signal(signal.SIGTERM)
    # Well before the gate's own timeout: the batch was not finished.
    assert worker.proc.wait(timeout=GATE_TIMEOUT - 10) == 128 + signal.SIGTERM
    assert any("second SIGTERM: exiting now" in line for line in worker.rest())
    assert redis_client.smembers(processed_key(prefix)) == set()
    # Neither acknowledged nor given back: still in flight, under its name,
    # until a recovery pass gives it back (once it is presumed dead).
    assert work.stats().inflight_by_consumer == {consumer: 1}
    later = store.now_ms() + int(store.consumer_timeout * 1000) + 1000
    assert store.recover(now_ms=later).requeued == 1
    assert [i.payload for i in work.fetch("c2", 10).items] == [b"gate"]


def test_a_burst_worker_exits_0_when_idle_and_leaves_no_consumer(start_worker, store, work,
                                                                redis_client, prefix):
    work.push([b"a", b"b"])
    worker = start_worker(burst=True)
    consumer = worker.expect("READY").split()[1]
    assert worker.proc.wait(timeout=20) == 0
    assert redis_client.smembers(processed_key(prefix)) == {b"a", b"b"}
    assert consumer not in consumer_ids(store)


def test_a_second_signal_while_the_first_is_being_logged_still_exits_at_once():
    """The flag is set before the first signal's line is logged: a second
    signal landing in between (here: delivered from inside that log call)
    must find it set and exit, not count as a first one."""
    import logging
    import signal

    from loglines.runtime.stop import StopFlag

    flag = StopFlag()

    class SecondSignal(logging.Handler):
        def emit(self, record):
            if "received" in record.getMessage():
                flag._handle(signal.SIGTERM, None)

    logger = logging.getLogger("loglines.runtime.stop")
    handler, level = SecondSignal(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with pytest.raises(SystemExit) as exited:
            flag._handle(signal.SIGTERM, None)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert exited.value.code == 128 + signal.SIGTERM
