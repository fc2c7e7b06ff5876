"""systemd units for an instance: supervisord as a service restarted on
failure, the periodic jobs as timers, run by an unprivileged user."""

import getpass
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from loglines.cli import exit_codes
from loglines.cli.main import main
from loglines.config import load
from loglines.supervisord.generate import stop_seconds
from loglines.supervisord.systemd import Setup, units

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

CFG = """
[worker_broker]
listento = loglines
fanout = pirus2
[worker_pirus2]
listento = pirus2
repository_plugin = eprints
dry_run = true
stats_queue = stats
[worker_stats]
kind = stats
listento = stats
"""


def _instance(folder, text=CFG):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "loglines.cfg").write_text(text)
    return folder / "loglines.cfg"


def _settings(unit):
    pairs = [line.split("=", 1) for line in unit.splitlines() if "=" in line]
    return {key: value for key, value in pairs}


def test_the_service_runs_the_instances_supervisord_as_its_user(capsys, tmp_path):
    cfg = _instance(tmp_path / "srv")
    code = main(["--config", str(cfg), "systemd-units", "--user", "loglines", "--group", "adm"])
    assert code == 0
    out = capsys.readouterr().out
    assert "systemctl enable --now loglines-stats-rebuild.timer loglines.service" in out
    service = (tmp_path / "srv/systemd/loglines.service").read_text()
    s = _settings(service)
    assert s["User"] == "loglines" and s["SupplementaryGroups"] == "adm"
    assert s["WorkingDirectory"] == str(tmp_path / "srv")
    assert s["ExecStart"] == f"{BIN / 'supervisord'} -n -c {tmp_path / 'srv/supervisord.conf'}"
    assert s["Restart"] == "on-failure" and s["Type"] == "simple"
    assert s["KillMode"] == "mixed"  # supervisord alone gets SIGTERM, and stops the rest
    assert int(s["TimeoutStopSec"]) > stop_seconds(load(str(cfg))) >= 3 * 30
    assert s["WantedBy"] == "multi-user.target"


def test_the_rebuild_job_is_a_timer_when_there_are_statistics(capsys, tmp_path):
    cfg = _instance(tmp_path / "srv")
    assert main(["--config", str(cfg), "systemd-units", "--user", "loglines"]) == 0
    job = _settings((tmp_path / "srv/systemd/loglines-stats-rebuild.service").read_text())
    assert job["Type"] == "oneshot" and job["User"] == "loglines"
    assert job["ExecStart"].endswith(f" --config {cfg} stats rebuild --section worker_stats")
    assert job["ExecStart"].startswith(str(BIN / "loglines") + " ")
    timer = _settings((tmp_path / "srv/systemd/loglines-stats-rebuild.timer").read_text())
    assert timer["OnCalendar"] and timer["Persistent"] == "true"
    plain = _instance(tmp_path / "plain", CFG.split("[worker_stats]")[0])
    assert main(["--config", str(plain), "systemd-units", "--user", "loglines"]) == 0
    assert sorted(p.name for p in (tmp_path / "plain/systemd").iterdir()) == ["loglines.service"]


SHIPPER = """
[worker_shipper]
kind = shipper
target = folder
folder = var/shipped
"""


def test_shipping_gets_a_timer_unless_supervisord_runs_the_shipper(capsys, tmp_path):
    cfg = _instance(tmp_path / "srv", CFG + SHIPPER)
    assert main(["--config", str(cfg), "systemd-units", "--user", "loglines"]) == 0
    capsys.readouterr()
    job = _settings((tmp_path / "srv/systemd/loglines-ship.service").read_text())
    assert job["ExecStart"].endswith(f" --config {cfg} ship --section worker_shipper")
    assert job["Type"] == "oneshot"
    assert _settings((tmp_path / "srv/systemd/loglines-ship.timer").read_text())["OnCalendar"]
    # Once supervisord runs the shipper program, it ships; a timer would
    # only find the section locked.
    assert main(["--config", str(cfg), "supervisor-config"]) == 0
    assert main(["--config", str(cfg), "systemd-units", "--user", "loglines"]) == 0
    said = capsys.readouterr().out
    assert "no timer for ship of [worker_shipper]: supervisord runs it" in said
    assert "removed loglines-ship.service, loglines-ship.timer (no longer needed" in said
    assert not (tmp_path / "srv/systemd/loglines-ship.timer").exists()
    assert (tmp_path / "srv/systemd/loglines-stats-rebuild.timer").exists()


def test_values_are_escaped_for_systemd_or_refused(capsys, tmp_path):
    cfg = _instance(tmp_path / "a 100% odd $folder")
    config = load(str(cfg))
    setup = Setup(user="loglines", supervisord="/opt/venv/bin/supervisord",
                  loglines=("/opt/venv/bin/loglines",))
    service = units(config, setup)[0].content
    conf = str(config.instance_dir / "supervisord.conf").replace("%", "%%").replace("$", "$$")
    assert f'ExecStart=/opt/venv/bin/supervisord -n -c "{conf}"' in service
    assert f"WorkingDirectory={str(config.instance_dir).replace('%', '%%')}\n" in service
    for user in ("root\nExecStartPre=/bin/sh", "a b", ""):
        code = main(["--config", str(cfg), "systemd-units", "--user", user])
        assert code == exit_codes.CONFIG
        assert "is not a user name systemd takes" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_accepts_the_units(capsys, tmp_path):
    cfg = _instance(tmp_path / "srv")
    assert main(["--config", str(cfg), "systemd-units", "--user", getpass.getuser()]) == 0
    found = sorted(str(p) for p in (tmp_path / "srv/systemd").iterdir())
    checked = subprocess.run(["systemd-analyze", "verify", *found], capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    problems = [line for line in checked.stderr.splitlines()
                if "loglines" in line and "root" not in line]  # running as root is warned
    assert problems == []


def _reachable_by_others(path):
    """Whether another user could run ``path``: every folder above it searchable."""
    path = Path(os.path.realpath(path))
    return all(os.stat(p).st_mode & 0o001 for p in path.parents)


class _Runner:
    """Runs loglines as someone the permissions apply to: a user made for
    the test where the machine allows, else root without the capabilities
    that let it pass file permissions (setpriv), which is the same test of
    the group's rights."""

    def __init__(self):
        if os.geteuid() != 0:
            pytest.skip("making a user, or dropping root's capabilities, needs root")
        self.user = None
        if shutil.which("useradd") and _reachable_by_others(sys.executable) \
                and _reachable_by_others(ROOT):
            name = f"llt{os.getpid() % 100000}"
            made = subprocess.run(["useradd", "--system", "--no-create-home", "--user-group",
                                   name], capture_output=True, text=True)
            self.user = name if made.returncode == 0 else None
        if self.user is None and shutil.which("setpriv") is None:
            pytest.skip("no user can be made (useradd, or a Python other users can run) "
                        "and no setpriv to drop root's capabilities")
        self.owner = self.user or "nobody"  # who owns the instance

    def run(self, argv, groups, cwd):
        if self.user:
            return subprocess.run(argv, cwd=cwd, user=self.user, group=self.user,
                                  extra_groups=groups, capture_output=True, text=True,
                                  timeout=60)
        capless = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
        return subprocess.run([*capless, *argv], cwd=cwd, extra_groups=groups,
                              capture_output=True, text=True, timeout=60)

    def close(self):
        if self.user:
            subprocess.run(["userdel", self.user], capture_output=True)


def test_an_unprivileged_user_in_the_log_group_reads_the_log():
    """As /var/log/apache2 is (root:adm, 0750; files 0640, here owned by
    another user): a member of the group the units give (--group) reads it,
    anyone else does not, and check tells the difference."""
    runner = _Runner()
    group = f"llg{os.getpid() % 100000}"
    home = Path(tempfile.mkdtemp(prefix="loglines-user-"))
    try:
        subprocess.run(["groupadd", "--system", group], check=True)
        logs = home / "apache2"
        logs.mkdir()
        (logs / "access.log").write_text("")
        for path, mode in ((logs, 0o750), (logs / "access.log", 0o640)):
            shutil.chown(path, "daemon", group)
            path.chmod(mode)
        instance = home / "instance"
        cfg = _instance(instance, textwrap.dedent(f"""
            [logger_logfilewatcher]
            logfile = {logs / "access.log"}
            servicename = repo.example.ac.uk
            pushto = loglines
        """))
        for path in (instance, cfg):
            shutil.chown(path, runner.owner if runner.user else "root")
        home.chmod(0o755)
        check = [str(BIN / "loglines"), "--config", str(cfg), "check"]
        migrated = runner.run([str(BIN / "loglines"), "--config", str(cfg), "store", "migrate"],
                              [], instance)
        assert migrated.returncode == 0, migrated.stderr
        member = runner.run(check, [group], instance)
        assert member.returncode == 0, member.stderr
        assert "WARNING" not in member.stdout, member.stdout
        outsider = runner.run(check, [], instance)
        assert (f"logfile {logs / 'access.log'}: a folder above it is closed to this user"
                in outsider.stdout), outsider.stdout
    finally:
        runner.close()
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
