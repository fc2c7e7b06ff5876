"""Hostile values in loglines.cfg cannot add a directive or a command: each
is refused with one line, or escaped so supervisord reads exactly it.

Values arrive through ``${EVIL}``: the loader substitutes the environment,
which is how a line break can reach a value at all.
"""

import shlex

import pytest

from loglines.config import load
from loglines.errors import ConfigError
from loglines.supervisord import escape, generate
from tests.supervisord.helpers import (
    LOGLINES,
    MAIN_KEYS,
    PROGRAM_KEYS,
    generated,
    groups,
    inet_server,
    parse_back,
    sections_and_keys,
    write_cfg,
)

BROKER = "[worker_broker]\nlistento = loglines\nfanout = pirus2\n"
CONTROL = "contains a line break or control character ({}), which cannot be written into a " \
          "supervisord config"
COMMENT = "contains whitespace followed by {!r}, which supervisord reads as the start of a " \
          "comment, cutting the value there"

REFUSED = [
    ("[supervisor]\npassword = ${EVIL}\n", "x\n[program:evil]\ncommand=/bin/sh",
     "[supervisor] password", CONTROL.format("U+000A")),
    ("[supervisor]\nusername = ${EVIL}\n", "admin ;x", "[supervisor] username",
     COMMENT.format(";")),
    ("[supervisor]\npassword = ${EVIL}\n", ";secret", "[supervisor] password",
     COMMENT.format(";")),
    ("[supervisor]\nlogfile = ${EVIL}\n", "var/s.log\rx", "[supervisor] logfile",
     CONTROL.format("U+000D")),
    ("[supervisor]\nchildlogdir = ${EVIL}\n", "var/log #x", "[supervisor] childlogdir",
     COMMENT.format("#")),
    ("[supervisor]\nusername = ${EVIL}\n", "a\u00a0;b", "[supervisor] username",
     COMMENT.format(";")),  # configparser takes any str.isspace() character
    ("[supervisor]\nchildlogdir = ${EVIL}\n", "var/log\t#x", "[supervisor] childlogdir",
     CONTROL.format("U+0009")),
    ("[supervisor]\npassword = ${EVIL}\n", "a%(here)sb", "[supervisor] password",
     "contains '%(here)s', which supervisord replaces even when escaped"),
    ("[supervisor]\npassword = ${EVIL}\n", " secret", "[supervisor] password",
     "starts or ends with whitespace, which supervisord would strip"),
    (BROKER + "stdout_logfile = ${EVIL}\n", "logs/a\x00b", "[worker_broker] stdout_logfile",
     CONTROL.format("U+0000")),
    (BROKER + "user = ${EVIL}\n", "root\nautostart = false", "[worker_broker] user",
     CONTROL.format("U+000A")),
    ("[process_x]\ncommand = ${EVIL}\n", "/bin/echo 'a ;b'", "[process_x] command",
     COMMENT.format(";")),
    ("[process_x]\ncommand = ${EVIL}\n", "/bin/true\ncommand = /bin/sh", "[process_x] command",
     CONTROL.format("U+000A")),
    ("[process_x]\ncommand = ${EVIL}\n", "/bin/true\u2028x", "[process_x] command",
     CONTROL.format("U+2028")),
    ("[process_x]\ncommand = ${EVIL}\n", "/bin/echo 'unclosed", "[process_x] command",
     "cannot be split into arguments: No closing quotation"),
    ("[supervisor]\nport = ${EVIL}\n", "9001\n[x]", "[supervisor] port",
     "expected PORT or HOST:PORT (e.g. 127.0.0.1:9001), got '9001\\n[x]'"),
]


@pytest.mark.parametrize("text, evil, where, message", REFUSED)
def test_refused_with_one_line(tmp_path, text, evil, where, message):
    cfg = write_cfg(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        generated(cfg, environ={"EVIL": evil})
    assert err.value.problems == [f"{cfg}: {where}: {message}"]
    assert "\n" not in err.value.problems[0]


def test_empty_password_refused_by_generate(tmp_path):
    config = load(write_cfg(tmp_path, "[supervisor]\n"), environ={})
    with pytest.raises(ConfigError, match=r"\[supervisor\] password: is empty"):
        generate(config, loglines_command=LOGLINES, password="")


def test_instance_directory_with_a_line_break_refused(tmp_path):
    cfg = write_cfg(tmp_path / "inst\n[program:x]", BROKER)
    with pytest.raises(ConfigError) as err:
        generated(cfg)
    assert err.value.problems == [f"{cfg}: the instance directory: {CONTROL.format('U+000A')}"]


def test_loglines_command_checked_too(tmp_path):
    config = load(write_cfg(tmp_path, BROKER), environ={})
    with pytest.raises(ConfigError, match="the loglines command"):
        generate(config, loglines_command=["/opt/x\nautostart=false"], password="p")


HOSTILE = "100% %(ENV_HOME)s %d %% 'quoted' \"double\" $(reboot) `id` a;b c#d \\ \u00e9"


def test_password_and_username_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")  # what %(ENV_HOME)s would become
    instance = tmp_path / "instance"
    cfg = write_cfg(instance, "[supervisor]\nusername = ${USER_}\npassword = ${EVIL}\n")
    config = load(cfg, environ={"EVIL": HOSTILE, "USER_": "lo%(ENV_HOME)sg"})
    result = generate(config, loglines_command=LOGLINES, password=config.supervisor.password)
    server, client = parse_back(instance, result)
    inet = inet_server(server)
    assert (inet["username"], inet["password"]) == ("lo%(ENV_HOME)sg", HOSTILE)
    assert (client.username, client.password) == ("lo%(ENV_HOME)sg", HOSTILE)
    assert sections_and_keys(instance) == MAIN_KEYS


ARGV = ["/bin/echo", "; rm -rf /", "$(reboot)", "`reboot`", "%(ENV_HOME)s", "100%", "it's",
        'say "hi"', "a;b", "#x", "&&", "|", ">", "*", "", "x\\y", "--label=%(program_name)s"]


def test_user_command_round_trips_to_exact_argv(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    instance = tmp_path / "instance"
    cfg = write_cfg(instance, "[process_x]\ncommand = ${EVIL}\nnumprocs = 2\n")
    _, result = generated(cfg, environ={"EVIL": shlex.join(ARGV)})
    server, _ = parse_back(instance, result)
    processes = groups(server)["process_x"].process_configs
    assert [shlex.split(p.command) for p in processes] == [ARGV, ARGV]
    assert sections_and_keys(instance)["program:process_x"] == PROGRAM_KEYS


def test_logfile_with_percent_round_trips(tmp_path, monkeypatch):
    """supervisord expands stdout_logfile twice; the path still comes out as written."""
    monkeypatch.setenv("HOME", "/home/someone")
    instance = tmp_path / "instance"
    cfg = write_cfg(instance, BROKER + "stdout_logfile = ${EVIL}\nnumprocs = 2\n"
                    "[logger_x]\nlistento = y\nlogfile = x.log\nstdout_logfile = ${EVIL}\n")
    _, result = generated(cfg, environ={"EVIL": "logs/100%(ENV_HOME)s%%d.log"})
    server, _ = parse_back(instance, result)
    found = groups(server)
    assert [p.stdout_logfile for p in found["worker_broker"].process_configs] == [
        str(instance / f"logs/100%(ENV_HOME)s%%d_0{n}.log") for n in range(2)]
    (logger,) = found["logger_x"].process_configs
    assert logger.stdout_logfile == str(instance / "logs/100%(ENV_HOME)s%%d.log")


def test_instance_directory_with_quotes_spaces_and_percent(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    instance = tmp_path / "my inst 100%(ENV_HOME)s it's $(x)"
    cfg = write_cfg(instance, BROKER + "[process_redis]\n[redis]\nmanaged = true\n")
    _, result = generated(cfg)
    server, _ = parse_back(instance, result)
    assert server.configroot.supervisord.directory == str(instance)
    (broker,) = groups(server)["worker_broker"].process_configs
    assert shlex.split(broker.command) == [
        *LOGLINES, "--config", str(cfg), "worker", "worker_broker", "--process-num", "0"]
    assert broker.directory == str(instance)
    assert broker.stdout_logfile == str(instance / "var/log/worker_broker.log")
    assert server.configroot.supervisord.logfile == str(instance / "var/log/supervisord.log")


def test_own_expansion_is_not_escaped_but_a_lookalike_is():
    lookalike = "%(process_num)d"  # a user's text: escaped like any other
    assert escape.command(["x", escape.PROCESS_NUM, lookalike], "w") == \
        "x %(process_num)d '%%(process_num)d'"
