"""The command line against a live Redis: check, status, dead, redis."""

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest
import redis

from loglines.cli import exit_codes
from loglines.cli.main import main
from loglines.metrics.counter_store import CounterStore
from loglines.queue import Failure
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for


@pytest.fixture
def cfg(tmp_path, redis_server, prefix):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        [redis]
        port = {redis_server.port}
        [worker_broker]
        listento = loglines
        fanout = pirus2
    """))
    return path


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_ok_and_broken(capsys, cfg, tmp_path):
    run(capsys, "--config", str(cfg), "store", "migrate")  # else check reports it (exit 1)
    code, out, _ = run(capsys, "--config", str(cfg), "check")
    assert code == exit_codes.OK and "ok" in out and "broker: worker_broker" in out
    bad = tmp_path / "bad.cfg"
    bad.write_text("[worker_broker]\nlistento = loglines\nfanout = pirus2\nfanot = x\n")
    code, out, err = run(capsys, "--config", str(bad), "check")
    assert code == exit_codes.CONFIG
    assert err == f"{bad}: [worker_broker] fanot: unknown key for a broker section " \
                  "(did you mean 'fanout'?)\n"


def test_status_shows_depths_and_consumers(capsys, cfg, make_store):
    store = make_store()
    q = store.queue("pirus2")
    q.push([b"a", b"b", b"c", b"d"])
    store.heartbeat("host:1:abcd", {"section": "worker_pirus2", "host": "host", "pid": 1})
    a, _ = q.fetch("host:1:abcd", 2).items
    q.fail("host:1:abcd", [Failure(a, "400 Bad Request", permanent=True)])
    code, out, _ = run(capsys, "--config", str(cfg), "status", "--json")
    assert code == 0
    report = json.loads(out)
    queues = {q["name"]: q for q in report["queues"]}
    assert set(queues) == {"loglines", "pirus2"}
    p = queues["pirus2"]
    assert (p["ready"], p["inflight"], p["delayed"], p["dead"]) == (2, 1, 0, 1)
    assert p["inflight_by_consumer"] == {"host:1:abcd": 1}
    [consumer] = report["consumers"]
    assert consumer["id"] == "host:1:abcd" and consumer["alive"]
    assert consumer["info"]["section"] == "worker_pirus2"
    CounterStore(store.client, store.keyspace).add_counts("worker_broker", {"moved": 7})
    code, out, _ = run(capsys, "--config", str(cfg), "status", "--json")
    assert json.loads(out)["counts"] == {"worker_broker": {"moved": 7}}
    code, out, _ = run(capsys, "--config", str(cfg), "status")
    assert "pirus2" in out and "host:1:abcd" in out and "holds 1" in out
    assert "worker_broker: moved 7" in out


def test_status_shows_the_delivery_per_target(capsys, cfg, make_store):
    with cfg.open("a") as f:
        f.write("[worker_openaire]\nlistento = openaire\nrepository_plugin = eprints\n"
                "endpoint_url = https://tracker.example.org/\ntarget = matomo\nidsite = 3\n")
    store = make_store()
    q = store.queue("openaire")
    q.push([b"a", b"b", b"c", b"d"])
    a, _ = q.fetch("host:1:abcd", 2).items
    q.fail("host:1:abcd", [Failure(a, "400 Bad Request", permanent=True)])
    CounterStore(store.client, store.keyspace).add_counts("worker_openaire", {"delivered": 9})
    code, out, _ = run(capsys, "--config", str(cfg), "status", "--json")
    assert code == 0
    assert json.loads(out)["delivery"] == [{"section": "worker_openaire", "tracker": "matomo",
                                            "queue": "openaire", "delivered": 9, "waiting": 3,
                                            "dead": 1, "dry_run": False,
                                            "written_dry_run": 0}]
    _, out, _ = run(capsys, "--config", str(cfg), "status")
    assert "worker_openaire              matomo          9          3          1" in out


def test_dead_list_requeue_purge(capsys, cfg, make_store):
    q = make_store().queue("pirus2")
    q.push([b'{"service": "s", "logline": "x"}', b"\xff\xfe", b"third"])
    for item in q.fetch("c1", 3).items:
        q.fail("c1", [Failure(item, f"400 for {item.id}", permanent=True)])
    code, out, _ = run(capsys, "--config", str(cfg), "dead", "list", "pirus2", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["attempts"] for r in records] == [1, 1, 1]
    assert records[0]["payload"] == '{"service": "s", "logline": "x"}'
    assert records[1]["payload_base64"] == "//4="
    assert records[0]["error"] == f"400 for {records[0]['id']}"
    code, out, _ = run(capsys, "--config", str(cfg), "dead", "list", "pirus2", "--limit", "1")
    assert out.count("attempts 1") == 1 and "x" in out and "third" not in out
    code, out, _ = run(capsys, "--config", str(cfg), "dead", "requeue", "pirus2",
                       records[0]["id"])
    assert code == 0 and q.stats().ready == 1
    code, out, _ = run(capsys, "--config", str(cfg), "dead", "purge", "pirus2", "12345678")
    assert code == exit_codes.FAILED and "not dead items" in out
    code, out, _ = run(capsys, "--config", str(cfg), "dead", "purge", "pirus2", "--all")
    assert code == 0 and "purged 2" in out
    assert q.stats().dead == 0
    code, out, _ = run(capsys, "--config", str(cfg), "dead", "requeue", "pirus2")
    assert code == exit_codes.USAGE


def test_unreachable_redis_is_one_line(capsys, tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(f"[redis]\nport = {free_port()}\nconnect_timeout = 0.5\n")
    code, _, err = run(capsys, "--config", str(path), "status")
    assert code == exit_codes.UNAVAILABLE
    assert err.startswith("loglines: Redis unavailable:") and err.count("\n") == 1


def test_loglines_redis_runs_the_embedded_server_with_aof(tmp_path):
    port = free_port()
    path = tmp_path / "loglines.cfg"
    path.write_text(f"[redis]\nmanaged = true\nport = {port}\npassword = ${{PW}}\n"
                    "data_dir = var/redis\n")
    env = dict(os.environ, PW="pa ss\"word")
    proc = subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(path), "redis"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, password='pa ss"word', socket_timeout=2)
    try:
        assert wait_for(lambda: _pings(client), timeout=20)
        # CONFIG is removed from the managed server: INFO and the file tell.
        assert client.info("persistence")["aof_enabled"] == 1
        assert client.info("memory")["maxmemory_policy"] == "noeviction"
        conf = tmp_path / "var/redis/redis.conf"
        assert {"appendfsync everysec", 'bind "127.0.0.1"'} <= set(conf.read_text().splitlines())
        assert stat.S_IMODE(conf.stat().st_mode) == 0o600
        assert "pa ss" not in " ".join(_cmdline(proc.pid))  # the password is not in ps
        client.set("k", "v")
        assert wait_for(lambda: any((tmp_path / "var/redis").rglob("*.aof")), timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == 0  # exec'd: redis-server itself got the SIGTERM


def test_loglines_redis_refuses_an_unmanaged_redis(capsys, cfg):
    code, _, err = run(capsys, "--config", str(cfg), "redis")
    assert code == exit_codes.CONFIG and "[redis] managed: is false" in err


def _pings(client):
    try:
        return client.ping()
    except redis.RedisError:
        return False


def _cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        return handle.read().decode().split("\0")


def test_a_worker_does_not_import_what_the_store_needs(tmp_path):
    """Every supervised program runs `loglines worker`: the commands that
    open the store (SQLAlchemy, Alembic: 25 MB a process) stay unimported,
    and the configuration is read without them."""
    import subprocess
    import sys

    (tmp_path / "loglines.cfg").write_text("[store]\nurl = sqlite:///data/s.db\n")
    code = ("import sys\n"
            "from loglines.cli.main import parser\n"
            "from loglines.config import load\n"
            "parser(['worker', 'x'])\n"
            f"config = load({str(tmp_path / 'loglines.cfg')!r})\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))\n"
            "config.store.url\n"
            "print('sqlalchemy' in sys.modules)\n")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert shown == ["[]", "True"]  # not before the store's URL is read
