"""The instance marker: a Redis that lost its data and a second instance on
the same prefix are refused with one line, never carried on with."""

import shutil
import subprocess
import sys
import threading

import pytest

from loglines.config import load
from loglines.errors import InstanceMismatch
from loglines.runtime import instance as marker
from tests.workers.conftest import worker_context


def wipe(store):
    """What a Redis restarted without its AOF holds of this prefix: nothing."""
    keys = list(store.client.scan_iter(match=store.keyspace.base + "*"))
    if keys:
        store.client.delete(*keys)


@pytest.fixture
def config(instance):
    return instance()


def test_a_new_instance_makes_its_marker_and_agrees_with_itself(config):
    store = worker_context(config, "logger_watch").store
    first = marker.check(config, store)
    assert marker.check(config, store) == first
    assert marker.read_marker(store)["id"] == first == marker.read_local(config)["id"]
    assert marker.problem(config, store) is None


def test_a_redis_that_lost_its_data_is_refused_until_accepted(config):
    store = worker_context(config, "logger_watch").store
    first = marker.check(config, store)
    wipe(store)
    with pytest.raises(InstanceMismatch) as refused:
        marker.check(config, store)
    assert "Redis has none of this instance's data" in str(refused.value)
    assert "--accept-empty-redis" in str(refused.value)
    assert "lost this instance's data" in marker.problem(config, store)
    assert marker.accept_empty_redis(config, store) == first
    assert marker.read_marker(store)["generation"] == "2"
    assert marker.check(config, store) == first


def test_a_second_instance_on_the_same_prefix_is_refused(config, tmp_path):
    store = worker_context(config, "logger_watch").store
    marker.check(config, store)
    other_dir = tmp_path / "copy"
    other_dir.mkdir()
    shutil.copy(config.path, other_dir / "loglines.cfg")  # a copied loglines.cfg
    other = load(other_dir / "loglines.cfg")
    with pytest.raises(InstanceMismatch) as refused:
        marker.check(other, store)
    assert "these queues belong to another loglines instance" in str(refused.value)
    # The worker program stops there, with that one line.
    run = subprocess.run([sys.executable, "-m", "loglines", "--config",
                          str(other_dir / "loglines.cfg"), "worker", "logger_watch", "--burst"],
                         capture_output=True, text=True, cwd=other_dir, timeout=60)
    assert run.returncode != 0
    assert "another loglines instance" in run.stderr and "Traceback" not in run.stderr
    # Several hosts of one instance share its record.
    marker.local_path(other).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(marker.local_path(config), marker.local_path(other))
    assert marker.check(other, store) == marker.check(config, store)


def test_the_processes_of_a_fresh_instance_take_one_id(config):
    store = worker_context(config, "logger_watch").store
    ids, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        ids.append(marker.check(config, store))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 8 and len(set(ids)) == 1
    assert not list(marker.local_path(config).parent.glob(".instance.json.*"))
