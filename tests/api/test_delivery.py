"""``/api/v1/delivery``: per pirus2 program, what its tracker took, what
its queue holds and what it dead-lettered, from the real Redis; and a
Redis that cannot be reached is a state of the answer, not a failure."""

import pytest

from loglines.api.app import create_app
from loglines.api.server import ApiServer
from loglines.config.model import RedisSettings
from loglines.metrics.counter_store import CounterStore
from loglines.metrics.observed import observed_store
from loglines.queue import Failure
from loglines.redis_connection import connect
from loglines.stats.builtin import BUILTIN
from tests.api.conftest import get
from tests.support.redis_server import free_port

TARGETS = """
    [worker_pirus2]
    listento = pirus2
    repository_plugin = eprints
    endpoint_url = https://irus.example.org/counter/test/
    [worker_openaire]
    listento = openaire
    repository_plugin = eprints
    endpoint_url = https://tracker.example.org/
    target = matomo
    idsite = 3
"""


def test_delivered_waiting_and_dead_per_target(api, make_store):
    store = make_store()
    q = store.queue("pirus2")
    q.push([b"1", b"2", b"3", b"4", b"5"])
    dead, _ = q.fetch("host:1:abcd", 2).items
    q.fail("host:1:abcd", [Failure(dead, "400 Bad Request", permanent=True)])
    CounterStore(store.client, store.keyspace).add_counts("worker_pirus2", {"delivered": 40})
    got = api(extra=TARGETS).get("/api/v1/delivery")
    assert (got.status, got.json()) == (200, {"reachable": True, "targets": [
        {"section": "worker_pirus2", "tracker": "irus", "queue": "pirus2", "delivered": 40,
         "waiting": 4, "dead": 1, "dry_run": False, "written_dry_run": 0},
        {"section": "worker_openaire", "tracker": "matomo", "queue": "openaire",
         "delivered": 0, "waiting": 0, "dead": 0, "dry_run": False, "written_dry_run": 0}]})


def test_a_target_in_dry_run_delivers_nothing_and_says_what_it_wrote(api, make_store):
    store = make_store()
    CounterStore(store.client, store.keyspace).add_counts("worker_dry", {"delivered": 7})
    got = api(extra="""
        [worker_dry]
        listento = dry
        repository_plugin = eprints
        endpoint_url = https://irus.example.org/counter/test/
        dry_run = true
    """).get("/api/v1/delivery")
    assert got.json()["targets"] == [
        {"section": "worker_dry", "tracker": "irus", "queue": "dry", "delivered": 0,
         "waiting": 0, "dead": 0, "dry_run": True, "written_dry_run": 7}]


def test_no_target_configured(api):
    got = api().get("/api/v1/delivery")
    assert got.json() == {"reachable": True, "targets": []}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_redis_unreachable_is_said_not_failed(store_engine):
    nowhere = RedisSettings(name="", port=free_port(), connect_timeout=0.5, socket_timeout=0.5)
    queues = observed_store(connect(nowhere), "t", lambda name: None)
    app = create_app(store_engine, BUILTIN.values(), queues=queues,
                     targets=[("worker_pirus2", "irus", "pirus2", False)])
    with ApiServer(app) as server:
        got = get(server.url, "/api/v1/delivery")
        assert (got.status, got.json()) == (200, {"reachable": False, "targets": []})
        # The store's figures are served all the same.
        assert get(server.url, "/api/v1/coverage").status == 200
