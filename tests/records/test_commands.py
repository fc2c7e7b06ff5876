"""loglines records tail|purge|user, and the records worker's retention:
old records go in small transactions while new ones are being written."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from loglines.cli import exit_codes
from loglines.cli.main import main
from loglines.records import item
from loglines.records.users import Users
from loglines.store.schema import records
from tests.ingest.conftest import ENV
from tests.records.conftest import records_config
from tests.records.data import built, keep
from tests.workers.conftest import run_worker


def run(capsys, cfg, *argv):
    capsys.readouterr()
    code = main(["--config", str(cfg), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def count(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(records))


@pytest.fixture
def config(tmp_path, redis_server, prefix, store_url, monkeypatch):
    for name, value in ENV.items():  # for the command, which reads os.environ
        monkeypatch.setenv(name, value)

    def make(worker=""):
        return records_config(tmp_path, redis_server, prefix, store_url, worker=worker)
    return make


def test_purge_deletes_only_what_is_before_the_date(config, store_engine, capsys):
    keep(store_engine)
    code, out, _ = run(capsys, config().path, "records", "purge", "--before",
                       "2025-03-30T01:30:00Z", "--batch", "1")
    assert (code, out) == (exit_codes.OK, "2 records before 2025-03-30T01:30:00.000+00:00 "
                                          "purged\n")
    assert count(store_engine) == 3


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_retention_purges_in_small_batches_while_records_are_written(config, store_engine):
    """5,000 records past retention_days, deleted 100 per transaction by the
    records worker; meanwhile another writer stores a record every few ms,
    and none of its transactions waits as long as the whole purge."""
    old = [built("2020-01-01T00:00:00+00:00", "old", 20, f"old {n}") for n in range(5000)]
    keep(store_engine, old)
    waits, stop = [], threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            keep(store_engine, [built("2099-01-01T00:00:00+00:00", "new", 20, f"new {n}")])
            waits.append(time.monotonic() - started)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    started = time.monotonic()
    try:
        run_worker(config("retention_days = 30\npurge_batch = 100"), "worker_records")
    finally:
        stop.set()
        thread.join()
    took = time.monotonic() - started
    with store_engine.connect() as conn:
        names = dict(conn.execute(select(records.c.name, func.count())
                                  .group_by(records.c.name)).all())
    assert "old" not in names and names["new"] == len(waits) > 0
    assert max(waits) < took  # never locked out for the whole purge


def test_tail_prints_the_last_records_then_each_new_one(config, store_engine, tmp_path):
    keep(store_engine)
    cfg = config().path
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    tail = subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(cfg), "records",
                             "tail", "-n", "2", "--level", "WARNING", "--interval", "0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=tmp_path)
    try:
        first = [tail.stdout.readline() for _ in range(2)]
        assert first == ["2025-03-30T01:30:00.000+00:00 ERROR app.db.pool: three\n",
                         "2025-03-30T22:30:00.000+00:00 CRITICAL other: four\n"]
        keep(store_engine, [built("2025-04-01T00:00:00+00:00", "app", 10, "too quiet"),
                            built("2025-04-01T00:00:01+00:00", "app", 40, "a new one")])
        assert tail.stdout.readline() == "2025-04-01T00:00:01.000+00:00 ERROR app: a new one\n"
    finally:
        tail.send_signal(signal.SIGINT)
        _, err = tail.communicate(timeout=20)
    assert tail.returncode == exit_codes.OK, err


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_user_makes_a_line_the_users_file_takes(config, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    code, out, _ = run(capsys, config().path, "records", "user", "dev", "--roles",
                       "reader,query")
    assert code == exit_codes.OK and "a-long-password" not in out
    users = Users.parse(out, "test")
    assert users.authenticate("dev", "a-long-password").roles == {"reader", "query"}
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, config().path, "records", "user", "dev", "--roles", "reader")
    assert code == exit_codes.FAILED and "8 characters" in err


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_records_worker_killed_mid_stream_loses_and_doubles_nothing(
        config, store_engine, store, tmp_path):
    """SIGKILL while batches are being stored: what it held comes back with
    the recovery pass, and a batch committed but not acknowledged is stored
    once when it comes again."""
    cfg = config("batch_size = 500")
    total = 30_000
    queue = store.queue("records")
    payloads = [item.encode(built("2025-06-01T00:00:00+00:00", "app", 20, f"m {n}"))
                for n in range(total)]
    for at in range(0, total, 1000):
        queue.push(payloads[at:at + 1000])
    worker = subprocess.Popen([sys.executable, "-m", "loglines", "--config", str(cfg.path),
                               "worker", "worker_records"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while count(store_engine) < 2000 and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
    stored_at_kill = count(store_engine)
    assert 0 < stored_at_kill < total
    store.recover(now_ms=store.now_ms() + 60_000)  # as the next live worker would
    run_worker(cfg, "worker_records")
    assert count(store_engine) == total
    assert queue.stats().dead == 0 and queue.stats().ready == 0


def test_tail_and_purge_of_a_store_not_migrated_are_one_line(tmp_path, redis_server, prefix,
                                                             capsys, monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    cfg = records_config(tmp_path, redis_server, prefix, f"sqlite:///{tmp_path}/new.db").path
    for argv in (["records", "tail", "--no-follow"],
                 ["records", "purge", "--before", "2026-01-01"]):
        code, out, err = run(capsys, cfg, *argv)
        assert code == exit_codes.FAILED and out == ""
        assert err.startswith("loglines: store ") and "not migrated" in err, err
        assert len(err.splitlines()) == 1


def test_tail_no_follow_prints_the_last_records_and_ends(config, store_engine, capsys):
    keep(store_engine)
    code, out, _ = run(capsys, config().path, "records", "tail", "-n", "2", "--no-follow")
    assert code == exit_codes.OK and len(out.splitlines()) == 2
