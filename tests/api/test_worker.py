"""The api worker as supervisord runs it, ``loglines worker worker_api`` in
a process of its own: it starts, serves, and exits cleanly on SIGTERM; it
refuses with one line to serve open reads beyond loopback, a store that is
not migrated, or a port that is taken. And its configuration keys."""

import queue
import shlex
import signal
import socket
import subprocess
import sys
import textwrap
import threading

import pytest

from loglines.api.server import GRACE
from loglines.config import load
from loglines.errors import ConfigError
from loglines.store.engine import open_engine
from tests.api.conftest import PASSWORD, fill, get, write_config
from tests.supervisord.helpers import LOGLINES, generated, groups, parse_back, write_cfg
from tests.support.redis_server import free_port
from tests.support.worker_proc import WorkerProcess


class ApiProcess(WorkerProcess):
    """WorkerProcess' reading and waiting, on ``loglines worker worker_api``."""

    def __init__(self, config):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "loglines", "--config", str(config.path), "worker",
             "worker_api"], cwd=config.instance_dir, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()


def run_worker(config, timeout=60):
    return subprocess.run([sys.executable, "-m", "loglines", "--config", str(config.path),
                           "worker", "worker_api"], cwd=config.instance_dir,
                          capture_output=True, text=True, timeout=timeout)


def test_the_worker_starts_serves_and_stops_on_sigterm(tmp_path, redis_server, prefix,
                                                       store_engine, store_url):
    fill(store_engine)
    config = write_config(tmp_path, redis_server.port, prefix, store_url)
    port = config.program("worker_api").options.port
    worker = ApiProcess(config)
    try:
        line = worker.expect("serving", timeout=30)
        assert f"http://127.0.0.1:{port}/api/v1/" in line
        got = get(f"http://127.0.0.1:{port}", "/api/v1/stats/item_metrics_daily?per_page=1")
        assert (got.status, got.json()["total"]) == (200, 3)
        worker.proc.send_signal(signal.SIGTERM)
        assert worker.proc.wait(timeout=20) == 0
        output = worker.rest()
    finally:
        worker.close()
    assert any("stopped" in line for line in output)
    assert not [line for line in output if "Traceback" in line or "ERROR" in line]
    with pytest.raises(OSError):  # the port is closed
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "", "192.0.2.1", "repo.example.ac.uk"])
def test_open_reads_beyond_loopback_are_refused_with_one_line(tmp_path, redis_server, prefix,
                                                              bind):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with pytest.raises(ConfigError) as err:
        write_config(tmp_path, redis_server.port, prefix, url, api=f"bind = {bind}")
    [problem] = err.value.problems
    assert problem.startswith(f"{tmp_path / 'loglines.cfg'}: [worker_api] bind: ")
    assert "password" in problem


def test_the_worker_refuses_to_start_open_on_every_address(tmp_path, redis_server, prefix):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = write_config(tmp_path, redis_server.port, prefix, url)
    path = config.path
    path.write_text(path.read_text().replace("kind = api", "kind = api\nbind = 0.0.0.0"))
    done = subprocess.run([sys.executable, "-m", "loglines", "--config", str(path), "worker",
                           "worker_api"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1
    assert f"{path}: [worker_api] bind: 0.0.0.0 is not loopback" in lines[0]


@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_is_open_without_a_password(tmp_path, redis_server, prefix, bind):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = write_config(tmp_path, redis_server.port, prefix, url, api=f"bind = {bind}")
    assert config.program("worker_api").options.bind == bind


def test_any_address_with_a_password(tmp_path, redis_server, prefix):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = write_config(tmp_path, redis_server.port, prefix, url,
                          api="bind = 0.0.0.0\npassword = ${API_TEST_PASSWORD}")
    options = config.program("worker_api").options
    assert (options.bind, options.password) == ("0.0.0.0", PASSWORD)
    assert PASSWORD not in repr(options) + repr(config.program("worker_api"))


def test_the_defaults_and_the_only_stats_section(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent("""
        [worker_counts]
        kind = stats
        listento = stats
        [worker_api]
        kind = api
    """))
    options = load(path).program("worker_api").options
    assert (options.bind, options.port, options.username, options.password) == (
        "127.0.0.1", 8480, "loglines", None)
    assert options.stats_section == "worker_counts"


@pytest.mark.parametrize("sections, key, expected", [
    ("", "", "missing: name the stats section whose statistics to serve (there is none)"),
    ("[worker_a]\nkind = stats\nlistento = a\n[worker_b]\nkind = stats\nlistento = b\n", "",
     "missing: name the stats section whose statistics to serve (one of worker_a, worker_b)"),
    ("[worker_a]\nkind = stats\nlistento = a\n", "stats_section = worker_z",
     "'worker_z' is not a section of kind stats (those are: worker_a)"),
])
def test_which_stats_section_is_served(tmp_path, sections, key, expected):
    path = tmp_path / "loglines.cfg"
    path.write_text(f"{sections}[worker_api]\nkind = api\n{key}\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert err.value.problems == [f"{path}: [worker_api] stats_section: {expected}"]


def test_a_named_stats_section_of_two(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text("[worker_a]\nkind = stats\nlistento = a\n[worker_b]\nkind = stats\n"
                    "listento = b\nstatistics = excluded_daily\n"
                    "[worker_api]\nkind = api\nstats_section = worker_b\n")
    assert load(path).program("worker_api").options.stats_section == "worker_b"


def test_a_store_not_migrated_is_refused_with_one_line(tmp_path, redis_server, prefix,
                                                       store_url):
    config = write_config(tmp_path, redis_server.port, prefix, store_url)
    done = run_worker(config)
    assert done.returncode == 1
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "ERROR" in line
                or "not migrated" in line]
    assert len(problems) == 1 and "not migrated" in problems[0], done.stdout + done.stderr
    assert "loglines store migrate" in problems[0]


def test_a_port_in_use_is_refused_with_one_line(tmp_path, redis_server, prefix, store_engine,
                                                store_url):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        config = write_config(tmp_path, redis_server.port, prefix, store_url, port=port)
        done = run_worker(config)
    assert done.returncode == 3
    assert f"[worker_api] port: cannot listen on 127.0.0.1:{port}: " in done.stderr + done.stdout


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_the_store_password_never_shows(tmp_path, redis_server, prefix, store_engine,
                                        store_url):
    engine = open_engine(store_url)
    secret = engine.url.password
    engine.dispose()
    config = write_config(tmp_path, redis_server.port, prefix, store_url, port=free_port())
    worker = ApiProcess(config)
    try:
        worker.expect("serving", timeout=30)
        worker.proc.send_signal(signal.SIGTERM)
        assert worker.proc.wait(timeout=20) == 0
        output = "\n".join(worker.rest())
    finally:
        worker.close()
    assert secret and secret not in output
    assert "***@" in output  # the store is named, its password hidden


def test_the_generated_program_runs_the_worker_and_waits_for_its_grace(tmp_path):
    instance = tmp_path / "instance"
    _, result = generated(write_cfg(instance, "[worker_stats]\nkind = stats\n"
                                    "listento = stats\n[worker_api]\nkind = api\n"))
    server, _ = parse_back(instance, result)
    (process,) = groups(server)["worker_api"].process_configs
    assert shlex.split(process.command) == [
        *LOGLINES, "--config", str(instance / "loglines.cfg"), "worker", "worker_api",
        "--process-num", "0"]
    assert process.stopsignal == signal.SIGTERM
    # the requests under way get GRACE, the worker a few seconds more to exit
    assert process.stopwaitsecs >= GRACE + 10


def test_one_process_only(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text("[worker_stats]\nkind = stats\nlistento = stats\n"
                    "[worker_api]\nkind = api\nnumprocs = 2\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert err.value.problems == [f"{path}: [worker_api] numprocs: the API listens on one "
                                  "port: run one process (numprocs = 1)"]
