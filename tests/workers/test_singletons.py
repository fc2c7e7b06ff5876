"""A supervisord killed with SIGKILL must not leave its workers running on
(a restarted one would start second copies), and two copies of one tailer
never run at once, whatever started them."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from loglines.cli.status import doubles
from loglines.errors import AlreadyRunning
from loglines.inputs.files.watcher import Watcher
from tests.support.waiting import wait_for
from tests.workers.conftest import worker_context

PARENT = textwrap.dedent("""
    import os, subprocess, sys, time
    env = dict(os.environ, SUPERVISOR_ENABLED="1")  # as supervisord sets it
    child = subprocess.Popen([sys.executable, "-m", "loglines", "--config", sys.argv[1],
                              "worker", "logger_watch"], env=env)
    print(child.pid, flush=True)
    time.sleep(600)
""")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waits for its reaper only
        return stat.read().split(") ", 1)[1][0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_stops_when_its_supervisord_is_killed(instance, tmp_path):
    config = instance()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs/access.log").write_text("a line\n")
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(config.path)],
                              stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    child = int(parent.stdout.readline())
    queue = worker_context(config, "logger_watch").queue("loglines")
    assert wait_for(lambda: queue.stats().ready == 1, timeout=20)  # running
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert wait_for(lambda: not alive(child), timeout=20)
    # It stopped as on SIGTERM: the tailer's lock is free for the next one.
    Watcher(worker_context(config, "logger_watch")).close()


def test_a_second_tailer_on_one_checkpoint_refuses_to_start(instance, tmp_path):
    config = instance()
    first = Watcher(worker_context(config, "logger_watch"))
    try:
        with pytest.raises(AlreadyRunning) as refused:
            Watcher(worker_context(config, "logger_watch"))
        assert f"pid {os.getpid()}" in str(refused.value)
        assert "would push every line twice" in str(refused.value)
    finally:
        first.close()
    Watcher(worker_context(config, "logger_watch")).close()  # free once the first is gone


def test_status_warns_of_two_live_copies_of_one_tailer(instance):
    config = instance()
    store = worker_context(config, "logger_watch").store
    role = {"section": "logger_watch", "kind": "logfilewatcher", "process_num": 0,
            "host": "h1"}
    store.heartbeat("h1:1:a", dict(role, pid=1))
    store.heartbeat("h1:2:b", dict(role, pid=2))
    store.heartbeat("h2:3:c", dict(role, host="h2", pid=3))  # another host's own file
    store.heartbeat("h1:4:d", dict(role, kind="pirus2", section="worker_pirus2", pid=4))
    store.heartbeat("h1:5:e", dict(role, kind="pirus2", section="worker_pirus2", pid=5))
    [line] = doubles(store.consumers())
    assert line.startswith("[logger_watch] process 0 runs 2 times on h1 (pid 1, pid 2)")
