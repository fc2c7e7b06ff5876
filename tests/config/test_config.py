"""loglines.cfg: the 2010 file still loads; every kind of mistake is one line
naming the file, the section and the key."""

import textwrap
from pathlib import Path

import pytest

from loglines.config import PluginConfigView, load
from loglines.errors import ConfigError
from tests.support.data import CFG_2010

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[worker_pirus2]
listento = pirus2
repository_plugin = eprints
endpoint_url = https://irus.jisc.ac.uk/counter/test/
"""


def write(tmp_path, text, name="loglines.cfg"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(tmp_path, text, environ=None):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path, environ=environ or {})
    return info.value.problems, path


def test_the_2010_file_loads_with_warnings_for_its_scripts():
    config = load(CFG_2010)
    kinds = {name: p.kind for name, p in config.programs.items()}
    assert kinds == {
        "process_redis": "redis", "logger_logfilewatcher": "logfilewatcher",
        "worker_broker": "broker", "worker_pirus2": "pirus2",
        "logger_articlelogger": "logfromqueue", "logger_otherlogger": "logfromqueue",
    }
    pirus2 = config.program("worker_pirus2").options
    assert pirus2.success == (200,) and pirus2.timeout == 60.0
    assert pirus2.ratelimit == 0.3 and pirus2.numprocs == 3
    assert config.queue_policy("pirus2").backoff.cap == 3600.0  # pauseonfail
    assert config.redis["test"].db == 1
    warned = "\n".join(config.warnings)
    assert "[logger_logfilewatcher] command: ./logfilewatcher.py is a 2010 script" in warned
    assert "`loglines worker worker_pirus2`" in warned
    assert "[process_redis] command" in warned and "loglines redis" in warned
    assert "fanout_status_queue" in warned


def test_2010_plugins_see_a_configparser_view():
    view = PluginConfigView(load(CFG_2010).raw)
    assert view.has_option("worker_pirus2", "url_ver")
    assert view.get("worker_pirus2", "rfr_id") == "ora.bodleian.ox.ac.uk"
    assert view.get("worker_pirus2", "svc_dat", fallback="Accepted version") == "Accepted version"
    assert not view.has_option("worker_pirus2", "svc_dat")
    assert view.getint("worker_pirus2", "numprocs") == 3
    assert view.getfloat("worker_pirus2", "ratelimit") == 0.3
    assert "worker_broker" in view.sections()
    assert ("listento", "pirus2") in view.items("worker_pirus2")
    from configparser import NoOptionError, NoSectionError

    with pytest.raises(NoOptionError):
        view.get("worker_pirus2", "nope")
    with pytest.raises(NoSectionError):
        view.get("worker_nope", "x")


def test_the_shipped_file_loads_cleanly():
    config = load(ROOT / "loglines.cfg")
    assert config.warnings == ()
    assert config.redis[""].managed and config.redis[""].bind == "127.0.0.1"
    assert config.program("worker_pirus2").options.dry_run is True


def test_unknown_key_names_file_section_key_and_a_suggestion(tmp_path):
    lines, path = problems(tmp_path, MINIMAL + "timout = 5\n")
    assert lines == [f"{path}: [worker_pirus2] timout: unknown key for a pirus2 section "
                     "(did you mean 'timeout'?)"]


def test_plugin_keys_pass_in_a_pirus2_section(tmp_path):
    config = load(write(tmp_path, MINIMAL + "rfr_id = x\nsvc_dat = y\nplugin_oai = z\n"))
    assert config.program("worker_pirus2").plugin_options == {
        "rfr_id": "x", "svc_dat": "y", "plugin_oai": "z"}


@pytest.mark.parametrize(("line", "message"), [
    ("timeout = soon", "[worker_pirus2] timeout: expected a number, got 'soon'"),
    ("numprocs = 2.5", "[worker_pirus2] numprocs: expected a whole number, got '2.5'"),
    ("dry_run = perhaps", "[worker_pirus2] dry_run: expected true or false, got 'perhaps'"),
    ("success = 200, ok", "[worker_pirus2] success: expected a comma-separated list of HTTP "
                          "status codes (100-599), got '200, ok'"),
    ("success_queue = a:b", "[worker_pirus2] success_queue: expected a queue name"),
    ("autorestart = sometimes", "[worker_pirus2] autorestart: expected one of true, false, "
                                "unexpected, got 'sometimes'"),
    ("numprocs = 0", "[worker_pirus2] numprocs: expected at least 1, got '0'"),
    ("numprocs = 65", "[worker_pirus2] numprocs: expected at most 64, got '65'"),
])
def test_wrong_types(tmp_path, line, message):
    lines, path = problems(tmp_path, MINIMAL + line + "\n")
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: {message}")


def test_missing_required_key(tmp_path):
    lines, path = problems(tmp_path, """
        [logger_watch]
        kind = logfilewatcher
        logfile = /var/log/apache2/access.log
        pushto = loglines
    """)
    assert lines == [f"{path}: [logger_watch] servicename: missing (required in a "
                     "logfilewatcher section)"]


def test_unknown_section_and_stray_key(tmp_path):
    lines, path = problems(tmp_path, "stray = 1\n[wrokers]\nx = 1\n")
    assert lines[0] == f"{path}: (top of file) stray: a key outside any section"
    assert lines[1].startswith(f"{path}: [wrokers]: unknown section")


def test_a_section_of_unknown_kind(tmp_path):
    lines, path = problems(tmp_path, "[worker_mystery]\nfoo = 1\n")
    assert lines[0].startswith(f"{path}: [worker_mystery] kind: missing: cannot tell")
    lines, path = problems(tmp_path, "[worker_x]\nkind = teleporter\n")
    assert lines[0].startswith(f"{path}: [worker_x] kind: expected one of logfilewatcher")


def test_parse_errors_give_the_line(tmp_path):
    lines, path = problems(tmp_path, "[redis]\nport = 1\nport = 2\n")
    assert lines == [f"{path}: line 3: Duplicate keyword name"]


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load(tmp_path / "nope.cfg")
    assert info.value.problems == [f"{tmp_path / 'nope.cfg'}: no such file (give another with "
                                   "--config FILE)"]


def test_secrets_come_from_the_environment_and_stay_out_of_repr(tmp_path):
    path = write(tmp_path, "[redis]\npassword = ${REDIS_PW}\n[supervisor]\n"
                 "password = ${SUP_PW}\n")
    config = load(path, environ={"REDIS_PW": "s3cret-r", "SUP_PW": "s3cret-s"})
    assert config.redis[""].password == "s3cret-r"
    assert config.supervisor.password == "s3cret-s"
    assert "s3cret" not in repr(config)
    lines, _ = problems(tmp_path, "[redis]\npassword = ${REDIS_PW}\n")
    assert lines == [f"{path}: [redis] password: environment variable REDIS_PW is not set"]


@pytest.mark.parametrize(("text", "message"), [
    ("[worker_pirus2]\nlistento = p\nrepository_plugin = e\n",
     "[worker_pirus2] endpoint_url: missing (required unless dry_run = true)"),
    ("[worker_pirus2]\nlistento = p\nrepository_plugin = e\nendpoint_url = ftp://x/\n",
     "[worker_pirus2] endpoint_url: expected an http(s) URL, got 'ftp://x/'"),
    ("[worker_b]\nlistento = a\nfanout = b, a\n",
     "[worker_b] fanout: a broker cannot fan out into its own queue"),
    ("[worker_b]\nlistento = a\nfanout = b\nredis = other\n",
     "[worker_b] redis: no [redis_other] section"),
    ("[queues]\nconsumer_timeout = 5\nheartbeat_interval = 5\n",
     "[queues] consumer_timeout: must be at least twice heartbeat_interval"),
    ("[redis]\nsocket_timeout = 1.5\n", "[redis] socket_timeout: must exceed [queues]"),
    ("[logger_http]\nkind = httpingest\npushto = q\nservicename = s\nport = 8080\n",
     "[logger_http] password: missing: the HTTP endpoint always asks for a password"),
    (MINIMAL + "target = matomo\n",
     "[worker_pirus2] idsite: missing (required with target = matomo)"),
])
def test_checks_across_keys(tmp_path, text, message):
    lines, path = problems(tmp_path, text)
    assert len(lines) == 1 and lines[0].startswith(f"{path}: {message}")


def test_queue_policy_precedence(tmp_path):
    config = load(write(tmp_path, MINIMAL + """
        max_attempts = 7
        pauseonfail = 600
        [queues]
        cap = 100
        retry_delay = 2
        [[pirus2]]
        cap = 5
    """))
    policy = config.queue_policy("pirus2")
    assert (policy.cap, policy.max_attempts) == (5, 7)
    assert (policy.backoff.base, policy.backoff.cap) == (2.0, 600.0)
    other = config.queue_policy("articlelog")
    assert (other.cap, other.max_attempts, other.backoff.cap) == (100, 64, 3600.0)


def test_paths_resolve_against_the_instance_directory(tmp_path):
    config = load(write(tmp_path, MINIMAL))
    assert config.resolve("var/redis") == tmp_path / "var/redis"
    assert config.resolve("/abs/x") == Path("/abs/x")


def test_section_names_are_safe_for_supervisord_and_file_names(tmp_path):
    lines, path = problems(tmp_path, "[worker_a b]\nlistento = a\nfanout = b\n")
    assert lines == [f"{path}: [worker_a b]: a section name may hold only letters, digits, "
                     "'_', '.' and '-'"]


def test_a_quoted_list_loads_and_plugin_keys_are_not_mistaken_for_options(tmp_path):
    config = load(write(tmp_path, MINIMAL + 'exclude_user_agents = "a{1,2}", b\n'
                        "svc_dat = x\nrfr_id = y\n"))
    program = config.program("worker_pirus2")
    assert program.options.exclude_user_agents == ("a{1,2}", "b")
    assert program.plugin_options == {"svc_dat": "x", "rfr_id": "y"}
    assert PluginConfigView(config.raw).get("worker_pirus2", "svc_dat") == "x"
