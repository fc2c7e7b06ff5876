"""supervisor-config, enable and disable: files, links, the password."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from loglines.cli import exit_codes
from loglines.cli.main import main
from tests.supervisord.helpers import write_cfg

ROOT = Path(__file__).resolve().parents[2]

CFG = """
[supervisor]
port = 9001
{password}
[worker_broker]
listento = loglines
fanout = pirus2
[logger_other]
listento = pirus2
logfile = logs/other.log
{extra}
"""
NEW = "[logger_new]\nlistento = x\nlogfile = logs/new.log\n"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.chdir(path)
    return path


def configure(instance, password="", extra=""):
    return write_cfg(instance, CFG.format(password=password, extra=extra))


def run(capsys, *argv):
    code = main(["--config", "loglines.cfg", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def enabled(instance):
    return sorted(p.name for p in (instance / "workers_enabled").glob("*.conf"))


def test_writes_files_links_and_directories(capsys, instance):
    configure(instance)
    code, out, _ = run(capsys, "supervisor-config")
    assert code == exit_codes.OK
    assert stat.S_IMODE((instance / "supervisord.conf").stat().st_mode) == 0o600
    assert sorted(p.name for p in (instance / "workers_available").iterdir()) == [
        "logger_other.conf", "worker_broker.conf"]
    assert enabled(instance) == ["logger_other.conf", "worker_broker.conf"]
    link = instance / "workers_enabled" / "worker_broker.conf"
    assert os.readlink(link) == "../workers_available/worker_broker.conf"
    assert (instance / "var" / "log").is_dir()
    assert "supervisord -c supervisord.conf" in out
    assert "supervisorctl -c supervisord.conf update" in out
    leftovers = [p for p in instance.rglob(".*") if p.name not in ("supervisor.secret",)]
    assert leftovers == []  # no temp files


def test_generated_password_stored_reused_and_printed_once(capsys, instance):
    configure(instance)
    _, first, _ = run(capsys, "supervisor-config")
    secret = instance / "var" / "supervisor.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    password = secret.read_text().strip()
    assert len(password) >= 24
    assert f"username loglines  password {password}" in first
    _, second, _ = run(capsys, "supervisor-config")
    assert password not in second
    assert secret.read_text().strip() == password
    assert f"password = {password}" in (instance / "supervisord.conf").read_text()


def test_configured_password_never_printed(capsys, instance, monkeypatch):
    monkeypatch.setenv("SV_PASSWORD", "s3cret-value")
    configure(instance, password="password = ${SV_PASSWORD}")
    _, out, err = run(capsys, "supervisor-config")
    assert "s3cret-value" not in out + err
    assert not (instance / "var" / "supervisor.secret").exists()
    assert "password = s3cret-value" in (instance / "supervisord.conf").read_text()


def test_empty_password_refused(capsys, instance):
    cfg = configure(instance, password="password = ")
    code, _, err = run(capsys, "supervisor-config")
    assert code == exit_codes.CONFIG
    assert err == (f"{cfg.name}: [supervisor] password: is empty (a secret cannot be empty); "
                   "set it or remove the key to have one generated\n")
    assert not (instance / "supervisord.conf").exists()


def test_regeneration_keeps_a_disable_enables_new_removes_deleted(capsys, instance):
    configure(instance)
    run(capsys, "supervisor-config")
    assert run(capsys, "disable", "logger_other")[0] == exit_codes.OK
    configure(instance, extra=NEW)
    _, out, _ = run(capsys, "supervisor-config")
    assert enabled(instance) == ["logger_new.conf", "worker_broker.conf"]
    assert "disabled: logger_other" in out and "new, so enabled: logger_new" in out
    # worker_broker leaves the configuration: its files go.
    write_cfg(instance, "[logger_other]\nlistento = pirus2\nlogfile = logs/other.log\n"
              + NEW)
    _, out, _ = run(capsys, "supervisor-config")
    assert "removed (no longer configured): worker_broker" in out
    assert sorted(p.name for p in (instance / "workers_available").iterdir()) == [
        "logger_new.conf", "logger_other.conf"]
    assert enabled(instance) == ["logger_new.conf"]


def test_lost_record_keeps_choices(capsys, instance):
    """With var/ deleted, the generated files that exist stand for the record."""
    configure(instance)
    run(capsys, "supervisor-config")
    run(capsys, "disable", "logger_other")
    (instance / "var" / "supervisor.known").unlink()
    run(capsys, "supervisor-config")
    assert enabled(instance) == ["worker_broker.conf"]


def test_enable_disable_round_trip_and_idempotent(capsys, instance):
    configure(instance)
    run(capsys, "supervisor-config")
    code, out, _ = run(capsys, "disable", "worker_broker")
    assert (code, out.splitlines()[0]) == (0, "disabled worker_broker")
    assert "supervisorctl -c supervisord.conf update" in out
    code, out, _ = run(capsys, "disable", "worker_broker")
    assert (code, out.splitlines()[0]) == (0, "worker_broker was already disabled; "
                                              "nothing to apply")
    assert "update" not in out
    assert enabled(instance) == ["logger_other.conf"]
    code, out, _ = run(capsys, "enable", "worker_broker.conf")
    assert (code, out.splitlines()[0]) == (0, "enabled worker_broker")
    code, out, _ = run(capsys, "enable", "worker_broker")
    assert (code, out.splitlines()[0]) == (0, "worker_broker was already enabled; nothing to apply")
    assert "update" not in out
    assert enabled(instance) == ["logger_other.conf", "worker_broker.conf"]


@pytest.mark.parametrize("command", ["enable", "disable"])
def test_unknown_name_is_one_line(capsys, instance, command):
    configure(instance)
    run(capsys, "supervisor-config")
    code, _, err = run(capsys, command, "worker_nope")
    assert code == exit_codes.FAILED
    assert err == (f"loglines: no {instance}/workers_available/worker_nope.conf (generated: "
                   "logger_other, worker_broker); run `loglines supervisor-config` first\n")
    code, _, err = run(capsys, command, "../../etc/passwd")
    assert (code, err) == (exit_codes.FAILED,
                           "loglines: '../../etc/passwd' is not a program name "
                           "(e.g. worker_pirus2)\n")


def test_copies_where_symlinks_are_impossible(capsys, instance, monkeypatch):
    def no_symlinks(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    configure(instance)
    run(capsys, "supervisor-config")
    copy = instance / "workers_enabled" / "worker_broker.conf"
    assert copy.is_file() and not copy.is_symlink()
    write_cfg(instance, CFG.format(password="", extra="").replace(
        "fanout = pirus2", "fanout = pirus2\nnumprocs = 4"))
    run(capsys, "supervisor-config")  # a copy is refreshed with the new text
    assert "numprocs = 4" in copy.read_text()
    assert copy.read_text() == (instance / "workers_available" / "worker_broker.conf").read_text()
    run(capsys, "disable", "worker_broker")
    assert not copy.exists()
    assert run(capsys, "enable", "worker_broker")[1].startswith("enabled worker_broker")
    assert copy.is_file() and not copy.is_symlink()


def test_refused_config_writes_nothing(capsys, instance, monkeypatch):
    monkeypatch.setenv("EVIL", "x\n[program:evil]")
    configure(instance, password="username = ${EVIL}")
    code, _, err = run(capsys, "supervisor-config")
    assert code == exit_codes.CONFIG and len(err.splitlines()) == 1
    assert sorted(p.name for p in instance.iterdir()) == ["loglines.cfg"]


def test_create_supervisord_config_script(tmp_path):
    instance = tmp_path / "elsewhere"
    cfg = configure(instance)
    result = subprocess.run(
        [sys.executable, str(ROOT / "create_supervisord_config.py"), "--config", str(cfg)],
        capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (instance / "supervisord.conf").exists()
    assert f"supervisord -c {instance}/supervisord.conf" in result.stdout
    assert enabled(instance) == ["logger_other.conf", "worker_broker.conf"]
