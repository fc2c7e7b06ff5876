"""Files that cannot be read or written are waited for, not fatal: an
unreadable log (a rotation that created it with the wrong mode), a state
folder that cannot take the checkpoint, a log file the logger cannot
write (a full disk). Nothing is lost or written twice meanwhile.

Root reads and writes through any file mode, so the worker runs as a real
process with the file-access capabilities dropped (setpriv), as an
unprivileged account would run it.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from loglines.inputs.files.checkpoint import load_checkpoint
from loglines.outputs.logfile import AppendFile
from tests.support.queues import drain
from tests.support.waiting import wait_for
from tests.workers.conftest import worker_context
from tests.workers.test_logfilewatcher import append

NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def as_unprivileged(cmd):
    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be tested")
    return NO_OVERRIDE + cmd


class Worker:
    """``loglines worker SECTION`` as its own process; its log kept."""

    def __init__(self, config, section, tmp_path):
        self.out = open(tmp_path / f"{section}.out", "w+b")  # noqa: SIM115
        cmd = [sys.executable, "-m", "loglines", "--config", str(config.path), "worker", section]
        self.proc = subprocess.Popen(as_unprivileged(cmd), stdout=self.out,
                                     stderr=subprocess.STDOUT, cwd=config.instance_dir)

    def said(self):
        if self.out.closed:
            return self.final
        self.out.seek(0)
        return self.out.read().decode("utf-8", "replace")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self.final = self.said()
        self.out.close()
        return code


def test_an_unreadable_log_is_waited_for_and_the_other_files_are_read_on(instance, tmp_path):
    config = instance()
    log, other = tmp_path / "logs/access.log", tmp_path / "logs/access-b.log"
    append(log, "one", "two")
    append(other, "b1")
    log.chmod(0)
    queue = worker_context(config, "logger_watch").queue("loglines")
    worker = Worker(config, "logger_watch", tmp_path)
    try:
        assert wait_for(lambda: "Permission denied" in worker.said(), timeout=20)
        assert wait_for(lambda: queue.stats().ready == 1)
        append(other, "b2")  # the readable file is followed meanwhile
        assert wait_for(lambda: queue.stats().ready == 2)
        assert worker.proc.poll() is None  # waiting, not dead
        log.chmod(0o644)
        assert wait_for(lambda: queue.stats().ready == 4)
        assert wait_for(lambda: "can be read again" in worker.said())
    finally:
        assert worker.stop() == 0
    assert sorted(m["logline"] for m in drain(queue)) == ["b1", "b2", "one", "two"]
    assert worker.said().count("Permission denied") == 1  # told once, not per attempt


def checkpointed(state_dir):
    """The offset the single state file of ``state_dir`` holds, or None."""
    states = list(state_dir.glob("*.state"))
    return load_checkpoint(str(states[0])).offset if len(states) == 1 else None


def test_a_checkpoint_that_cannot_be_written_is_retried_and_nothing_repeats(instance,
                                                                            tmp_path):
    config = instance()
    log = tmp_path / "logs/access.log"
    append(log, "first")
    queue = worker_context(config, "logger_watch").queue("loglines")
    worker = Worker(config, "logger_watch", tmp_path)
    state = tmp_path / "var/tail/logger_watch"
    try:
        assert wait_for(lambda: queue.stats().ready == 1, timeout=20)
        # The push comes before its checkpoint: wait for that one too.
        assert wait_for(lambda: checkpointed(state) == len("first\n"), timeout=20)
        state.chmod(0o500)  # the state folder takes no new file: as a full disk
        append(log, "second")
        assert wait_for(lambda: "cannot write tail state" in worker.said(), timeout=20)
        assert queue.stats().ready == 2  # pushed; only the checkpoint waits
        assert worker.proc.poll() is None
        state.chmod(0o755)
        assert wait_for(lambda: "checkpoint written again" in worker.said(), timeout=20)
        append(log, "third")
        assert wait_for(lambda: queue.stats().ready == 3)
    finally:
        state.chmod(0o755)
        assert worker.stop() == 0
    assert [m["logline"] for m in drain(queue)] == ["first", "second", "third"]
    assert [p.name for p in state.iterdir() if p.name.endswith(".tmp")] == []
    # A restart resumes after "third": nothing is pushed again.
    restarted = Worker(config, "logger_watch", tmp_path)
    # Started (a stop before its handlers are in place would be a kill),
    # then given the time to push anything it would push again.
    assert wait_for(lambda: "following" in restarted.said(), timeout=30)
    time.sleep(1)
    assert restarted.stop() == 0
    assert queue.stats().ready == 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_failed_append_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    """A write that runs out of space part-way is cut back, so the retry
    of the batch writes each line once."""
    path = tmp_path / "articles.log"
    out = AppendFile(path)
    out.write_synced([b"kept\n"])
    real_write = os.write
    calls = []

    def short_then_full(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:3]))  # a partial write, as before ENOSPC
        full = os.open("/dev/full", os.O_WRONLY)
        try:
            return real_write(full, data)  # ENOSPC from a real device
        finally:
            os.close(full)

    monkeypatch.setattr(os, "write", short_then_full)
    with pytest.raises(OSError):
        out.write_synced([b"line 1\n", b"line 2\n"])
    monkeypatch.undo()
    assert path.read_bytes() == b"kept\n"
    out.write_synced([b"line 1\n", b"line 2\n"])
    assert path.read_bytes() == b"kept\nline 1\nline 2\n"
    out.close()


def test_the_logger_waits_for_a_file_it_cannot_write_and_writes_each_line_once(instance,
                                                                              tmp_path):
    config = instance()
    logs = tmp_path / "logs"
    logs.mkdir()
    queue = worker_context(config, "logger_articlelogger").queue("articlelog")
    queue.push([b'{"service": "s", "logline": "a"}'])
    worker = Worker(config, "logger_articlelogger", tmp_path)
    articles = logs / "articles.log"
    try:
        assert wait_for(lambda: articles.exists() and articles.read_text() == "a\n", timeout=20)
        os.rename(articles, logs / "articles.log.1")  # rotated away ...
        logs.chmod(0o500)  # ... and the folder takes no new file
        queue.push([b'{"service": "s", "logline": "b"}', b'{"service": "s", "logline": "c"}'])
        assert wait_for(lambda: "cannot write to" in worker.said(), timeout=20)
        assert queue.stats().inflight == 2  # held, not failed
        logs.chmod(0o755)
        assert wait_for(lambda: articles.exists() and articles.read_text() == "b\nc\n",
                        timeout=20)
        assert wait_for(lambda: queue.stats().inflight == 0)
    finally:
        logs.chmod(0o755)
        assert worker.stop() == 0
    assert worker.said().count("cannot write to") == 1
    assert "Traceback" not in worker.said()
    assert queue.stats().dead == 0 and queue.stats().delayed == 0


def test_a_rotation_while_redis_is_down_at_the_first_start_loses_nothing(tmp_path):
    """`loglines worker` holds the watcher's files before it waits for Redis:
    a log renamed while a first start waits is still read to its end."""
    import textwrap

    from loglines.config import load
    from tests.support.redis_server import RedisServer

    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    cfg = tmp_path / "loglines.cfg"
    cfg.write_text(textwrap.dedent(f"""
        [queues]
        block_timeout = 0.2
        [redis]
        port = {server.port}
        [logger_watch]
        logfile = logs/access.log
        servicename = repo.example.ac.uk
        pushto = loglines
        start_at = beginning
    """))
    config = load(cfg)
    log = tmp_path / "logs/access.log"
    append(log, "old 1", "old 2")
    worker = Worker(config, "logger_watch", tmp_path)
    try:
        assert wait_for(lambda: "Redis unavailable" in worker.said(), timeout=30)
        os.rename(log, tmp_path / "logs/access.log.1")
        append(log, "new 1")
        server.start()
        queue = worker_context(config, "logger_watch").queue("loglines")
        assert wait_for(lambda: queue.stats().ready >= 3, timeout=30), worker.said()
        assert worker.stop() == 0
        assert [m["logline"] for m in drain(queue)] == ["old 1", "old 2", "new 1"]
    finally:
        if worker.proc.poll() is None:
            worker.stop()
        server.stop()
