"""The generator: golden files, and what supervisor's own parser makes of
its output (programs, process names, commands, stop settings, the web UI)."""

import os
import shlex
import shutil
import signal
from pathlib import Path

import pytest

from loglines.errors import ConfigError
from tests.supervisord.helpers import (
    LOGLINES,
    MAIN_KEYS,
    PASSWORD,
    PROGRAM_KEYS,
    generated,
    groups,
    inet_server,
    parse_back,
    sections_and_keys,
    write_cfg,
)
from tests.support.data import CFG_2010

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden")
PLACEHOLDER = "@INSTANCE@"

# Every kind of program, with the keys that change the output.
GOLDEN_CFG = """
[supervisor]
port = 9001
username = loglines

[redis]
managed = true
port = 6390

[redis_test]
port = 6391

[process_redis]

[process_metrics]
command = /usr/local/bin/exporter --listen 127.0.0.1:9100 --label "repo 100%"
priority = 50
autorestart = unexpected
user = root

[logger_logfilewatcher]
logfile = var/sample/access.log
servicename = repo.example.ac.uk
pushto = loglines

[worker_broker]
listento = loglines
fanout = pirus2
redis = test

[worker_pirus2]
listento = pirus2
repository_plugin = eprints
endpoint_url = https://irus.jisc.ac.uk/counter/test/
numprocs = 2
timeout = 30
stopwaitsecs = 45
stdout_logfile = workerlogs/pirus2.log
startsecs = 5
startretries = 10
success_queue = articlelog

[logger_articlelogger]
listento = articlelog
logfile = logs/articles.log
autostart = false
"""


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


def test_golden_files(instance):
    _, result = generated(write_cfg(instance, GOLDEN_CFG))
    names = [f.path for f in result.files]
    assert names == ["supervisord.conf"] + [f"workers_available/{n}.conf" for n in (
        "process_redis", "process_metrics", "logger_logfilewatcher", "worker_broker",
        "worker_pirus2", "logger_articlelogger")]
    for file in result.files:
        golden = GOLDEN / Path(file.path).name
        text = file.content.replace(str(instance), PLACEHOLDER)
        if os.environ.get("UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(text)
        assert text == golden.read_text(), f"{file.path} differs from {golden}"
    assert result.files[0].mode == 0o600  # it holds the web UI password


def test_parsed_back_by_supervisord(instance):
    config, result = generated(write_cfg(instance, GOLDEN_CFG))
    server, client = parse_back(instance, result)
    found = groups(server)
    assert sorted(found) == sorted(config.programs)
    cfg = str(instance / "loglines.cfg")
    pirus2 = [p for p in found["worker_pirus2"].process_configs]
    assert [p.name for p in pirus2] == ["worker_pirus2_00", "worker_pirus2_01"]
    for num, process in enumerate(pirus2):
        assert shlex.split(process.command) == [
            *LOGLINES, "--config", cfg, "worker", "worker_pirus2", "--process-num", str(num)]
        assert process.stdout_logfile == str(instance / f"workerlogs/pirus2_{num:02d}.log")
        assert (process.priority, process.startsecs, process.startretries) == (100, 5, 10)
        assert process.stopwaitsecs == 100  # raised from 45: 2 x timeout 30 + connect 10 + 30
        assert process.stopsignal == signal.SIGTERM and process.killasgroup
        assert process.redirect_stderr and process.directory == str(instance)
    (broker,) = found["worker_broker"].process_configs
    assert shlex.split(broker.command)[-2:] == ["--redis", "test"]
    assert broker.stdout_logfile == str(instance / "var/log/worker_broker.log")
    (redis,) = found["process_redis"].process_configs
    assert shlex.split(redis.command) == [*LOGLINES, "--config", cfg, "redis"]
    assert (redis.priority, redis.stopwaitsecs) == (10, 60)
    (metrics,) = found["process_metrics"].process_configs
    assert shlex.split(metrics.command) == [
        "/usr/local/bin/exporter", "--listen", "127.0.0.1:9100", "--label", "repo 100%"]
    assert (metrics.priority, metrics.uid) == (50, 0)
    assert not found["logger_articlelogger"].process_configs[0].autostart
    _check_web_ui(server, client, "127.0.0.1", 9001, "loglines", PASSWORD)


def _check_web_ui(server, client, host, port, username, password):
    inet = inet_server(server)
    assert (inet["host"], inet["port"]) == (host, port)
    assert (inet["username"], inet["password"]) == (username, password)
    assert client.serverurl == f"http://127.0.0.1:{port}"
    assert (client.username, client.password) == (username, password)


def test_no_extra_sections_or_keys(instance):
    _, result = generated(write_cfg(instance, GOLDEN_CFG))
    parse_back(instance, result)
    seen = sections_and_keys(instance)
    programs = {k: v for k, v in seen.items() if k.startswith("program:")}
    assert {k: v for k, v in seen.items() if k not in programs} == MAIN_KEYS
    for name, keys in programs.items():
        extra = {"program:process_metrics": ["user"],
                 "program:worker_pirus2": ["startretries", "startsecs"]}.get(name, [])
        assert keys == sorted(PROGRAM_KEYS + extra), name


def test_warns_when_stopwaitsecs_too_short_for_pirus2(instance):
    config, result = generated(write_cfg(instance, GOLDEN_CFG))
    assert result.warnings == (
        f"{config.path}: [worker_pirus2] stopwaitsecs: 45 is shorter than connect_timeout + "
        "the longest read timeout (timeout_ceiling, 2 x timeout unless set) + a 30s margin, "
        "so a delivery in flight can finish; using 100",)


@pytest.mark.parametrize("keys, expected", [
    ("timeout = 120", 280),  # no stopwaitsecs: 2 x 120 (the ceiling) + 10 + 30
    ("timeout = 120\nconnect_timeout = 0.5\nstopwaitsecs = 20", 271),
    ("timeout = 120\ntimeout_ceiling = 150", 190),  # 150 + 10 + 30
    ("timeout = 10\nstopwaitsecs = 500", 500),  # a longer one of the user's wins
])
def test_pirus2_stopwaitsecs_covers_a_delivery(instance, keys, expected):
    cfg = write_cfg(instance, """
        [worker_pirus2]
        listento = pirus2
        repository_plugin = eprints
        dry_run = true
        """ + keys.replace("\n", "\n        "))
    config, result = generated(cfg)
    server, _ = parse_back(instance, result)
    (process,) = groups(server)["worker_pirus2"].process_configs
    timeout = config.programs["worker_pirus2"].options.timeout
    assert process.stopwaitsecs == expected >= timeout + 30


def test_shipper_stopwaitsecs_covers_an_upload(instance):
    cfg = write_cfg(instance, """
        [worker_shipper]
        kind = shipper
        target = folder
        folder = outgoing
        timeout = 200
        """)
    _, result = generated(cfg)
    server, _ = parse_back(instance, result)
    (process,) = groups(server)["worker_shipper"].process_configs
    assert process.stopwaitsecs == 230
    assert "worker worker_shipper" in process.command


def test_the_shipped_config_ships_nothing_until_told_to(instance):
    """Its shipper section is commented out: no ingress is configured."""
    text = (ROOT / "loglines.cfg").read_text()
    assert "# [worker_shipper]" in text
    instance.mkdir()
    shutil.copy(ROOT / "loglines.cfg", instance / "loglines.cfg")
    config, _ = generated(instance / "loglines.cfg")
    assert "shipper" not in {p.kind for p in config.programs.values()}


@pytest.mark.parametrize("port, host, bound", [
    ("9001", "127.0.0.1", 9001),  # bare: supervisord alone would bind every interface
    (":9002", "127.0.0.1", 9002),
    ("localhost:9003", "localhost", 9003),
    ("192.0.2.7:9004", "192.0.2.7", 9004),  # an explicit host is kept
])
def test_bare_port_binds_loopback(instance, port, host, bound):
    cfg = write_cfg(instance, f"[supervisor]\nport = {port}\n")
    _, result = generated(cfg)
    server, _ = parse_back(instance, result)
    assert (inet_server(server)["host"], inet_server(server)["port"]) == (host, bound)
    assert bool(result.warnings) == (host == "192.0.2.7")


def test_wildcard_host_is_kept_and_supervisorctl_uses_loopback(instance):
    _, result = generated(write_cfg(instance, "[supervisor]\nport = *:9005\n"))
    server, client = parse_back(instance, result)
    assert inet_server(server)["host"] == ""  # supervisord's "every interface"
    assert client.serverurl == "http://127.0.0.1:9005"
    assert "beyond this machine" in result.warnings[0]


@pytest.mark.parametrize("port", ["90x1", "host:", "70000", "0"])
def test_bad_port_refused(instance, port):
    cfg = write_cfg(instance, f"[supervisor]\nport = {port}\n")
    with pytest.raises(ConfigError) as err:
        generated(cfg)
    assert err.value.problems == [
        f"{cfg}: [supervisor] port: expected PORT or HOST:PORT (e.g. 127.0.0.1:9001), "
        f"got {port!r}"]


def test_numprocs_default_log_files_are_per_process(instance):
    cfg = write_cfg(instance, """
        [worker_broker]
        listento = loglines
        fanout = pirus2
        numprocs = 3
        [logger_x]
        listento = pirus2
        logfile = logs/x.log
        numprocs = 2
        stdout_logfile = workerlogs/x
        """)
    _, result = generated(cfg)
    server, _ = parse_back(instance, result)
    broker = groups(server)["worker_broker"].process_configs
    assert [p.name for p in broker] == [f"worker_broker_0{n}" for n in range(3)]
    assert [p.stdout_logfile for p in broker] == [
        str(instance / f"var/log/worker_broker_0{n}.log") for n in range(3)]
    assert [p.stdout_logfile for p in groups(server)["logger_x"].process_configs] == [
        str(instance / f"workerlogs/x_0{n}") for n in range(2)]


def test_shipped_config_parses_back(instance):
    instance.mkdir()
    shutil.copy(ROOT / "loglines.cfg", instance / "loglines.cfg")
    config, result = generated(instance / "loglines.cfg")
    server, client = parse_back(instance, result)
    assert sorted(groups(server)) == sorted(config.programs)
    _check_web_ui(server, client, "127.0.0.1", 9001, "loglines", PASSWORD)
    assert result.warnings == ()


def test_2010_config_parses_back(instance):
    instance.mkdir()
    shutil.copy(CFG_2010, instance / "loglines.cfg")
    config, result = generated(instance / "loglines.cfg", password="guest")
    server, client = parse_back(instance, result)
    found = groups(server)
    assert sorted(found) == sorted(config.programs)
    pirus2 = found["worker_pirus2"].process_configs
    assert [p.stdout_logfile for p in pirus2] == [
        str(instance / f"workerlogs/pirus2_0{n}.log") for n in range(3)]
    assert {p.stopwaitsecs for p in pirus2} == {160}  # 2 x timeout 60 + connect 10 + 30
    (redis,) = found["process_redis"].process_configs
    assert shlex.split(redis.command)[-1] == "redis"  # not the 2010 binary path
    _check_web_ui(server, client, "127.0.0.1", 9001, "guest", "guest")
    # 2010's [redis] is a server of its own: `loglines redis` would refuse it.
    assert result.warnings == (
        f"{config.path}: [process_redis] redis: [redis] has no managed = true, so "
        "`loglines redis` will refuse to run it; set it or disable this program",)


def test_pure(instance):
    cfg = write_cfg(instance, GOLDEN_CFG)
    first, second = generated(cfg)[1], generated(cfg)[1]
    assert first == second
    # Nothing written but the managed Redis's password, which loading keeps.
    assert sorted(str(p.relative_to(instance)) for p in instance.rglob("*")) == [
        "loglines.cfg", "var", "var/redis.secret"]
