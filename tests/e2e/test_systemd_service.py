"""The service unit's own lines run an instance: its ExecStart, in its
WorkingDirectory, keeps supervisord in the foreground with every program
running, and a SIGTERM to supervisord alone (KillMode=mixed, as systemd
stops it) stops every program, Redis last, well within TimeoutStopSec."""

import os
import shlex
import signal
import subprocess
import textwrap
import xmlrpc.client

import pytest

from tests.e2e.pipeline import BIN
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for

pytestmark = pytest.mark.timeout(180)


def _settings(unit):
    return dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_units_execstart_runs_and_a_sigterm_stops_everything(tmp_path):
    home = tmp_path / "srv"
    home.mkdir()
    (home / "access.log").write_text("")
    web = free_port()
    (home / "loglines.cfg").write_text(textwrap.dedent(f"""
        [supervisor]
        port = 127.0.0.1:{web}
        [redis]
        managed = true
        port = {free_port()}
        [process_redis]
        [logger_logfilewatcher]
        logfile = access.log
        servicename = repo.example.ac.uk
        pushto = loglines
        [worker_broker]
        listento = loglines
        fanout = other
        [logger_other]
        listento = other
        logfile = logs/other.log
    """))
    loglines = [str(BIN / "loglines"), "--config", str(home / "loglines.cfg")]
    subprocess.run([*loglines, "supervisor-config"], check=True, capture_output=True)
    subprocess.run([*loglines, "systemd-units"], check=True, capture_output=True)
    unit = _settings((home / "systemd/loglines.service").read_text())
    argv = shlex.split(unit["ExecStart"])
    assert argv[:2] == [str(BIN / "supervisord"), "-n"]
    service = subprocess.Popen(argv, cwd=unit["WorkingDirectory"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        password = (home / "var/supervisor.secret").read_text().strip()
        rpc = xmlrpc.client.ServerProxy(f"http://loglines:{password}@127.0.0.1:{web}/RPC2")

        def running():
            try:
                info = rpc.supervisor.getAllProcessInfo()
            except (OSError, xmlrpc.client.Error):
                return []
            return [p["pid"] for p in info if p["statename"] == "RUNNING"]

        assert wait_for(lambda: len(running()) == 4, timeout=60)
        children = running()
        assert service.poll() is None  # in the foreground, as Type=simple needs
        service.send_signal(signal.SIGTERM)  # KillMode=mixed: the main process alone
        assert service.wait(timeout=int(unit["TimeoutStopSec"])) == 0
        assert [pid for pid in children if _alive(pid)] == []
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
