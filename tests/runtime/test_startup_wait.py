"""A worker starting before its Redis (supervisord starts the embedded Redis
and the workers together) waits for it quietly, and warns only when the
wait is longer than a few seconds."""

import logging
import subprocess
import sys
import textwrap
import time

from loglines.errors import QueueUnavailable
from loglines.queue import reconnect
from loglines.runtime.context import STARTUP_QUIET
from tests.support.redis_server import RedisServer, free_port


def test_a_worker_started_before_redis_waits_for_it_quietly(tmp_path, prefix):
    port = free_port()
    (tmp_path / "loglines.cfg").write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        [redis]
        port = {port}
        [worker_broker]
        listento = loglines
        fanout = pirus2
    """))
    worker = subprocess.Popen(
        [sys.executable, "-m", "loglines", "--config", str(tmp_path / "loglines.cfg"),
         "worker", "worker_broker", "--burst"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1.5)  # the worker is trying to connect meanwhile
    assert worker.poll() is None
    (tmp_path / "redis").mkdir()
    server = RedisServer(str(tmp_path / "redis"), port=port).start()
    try:
        out, _ = worker.communicate(timeout=60)
    finally:
        server.stop()
    assert worker.returncode == 0, out
    assert "stopped" in out
    assert "WARNING" not in out and "Connection refused" not in out, out


def test_a_longer_wait_is_warned_about_once():
    """The same loop with a clock the test moves: quiet within the grace,
    one warning after it, and a line when Redis is back."""
    now = [0.0]
    failures = iter(range(8))

    def ping():
        if next(failures, None) is not None:
            raise QueueUnavailable("Redis unavailable: Connection refused")
        return True

    def sleep(seconds):
        now[0] += 1.0

    class Told(logging.Handler):
        lines = []

        def emit(self, record):
            self.lines.append((record.levelname, record.getMessage()))

    told = Told()
    log = logging.getLogger("test.startup")
    log.addHandler(told)
    log.setLevel(logging.INFO)
    try:
        assert reconnect.call(ping, sleep=sleep, clock=lambda: now[0], log=log,
                              quiet_for=STARTUP_QUIET)
    finally:
        log.removeHandler(told)
    assert told.lines == [
        ("WARNING", "Redis unavailable: Connection refused; retrying until it is back"),
        ("INFO", "Redis is back after 8 attempts")]
    assert 3 <= STARTUP_QUIET <= 10  # "a few seconds"
