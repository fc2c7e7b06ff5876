"""Dead letters hold the IP addresses of their lines: the recovery pass
purges those dead for longer than their queue's dead_retention_days."""

import textwrap

from loglines.config import load
from loglines.config.model import QueueSettings
from loglines.queue import Failure
from loglines.queue.redis_queue import server_time_ms

DAY_MS = 86_400_000


def _kill(q, payloads, now_ms):
    q.push(payloads)
    items = q.fetch("c1", len(payloads), now_ms=now_ms).items
    q.fail("c1", [Failure(i, "tracker answered 400", permanent=True) for i in items],
           now_ms=now_ms)


def test_dead_items_past_the_retention_are_purged_whole(make_store, prefix, redis_client):
    store = make_store(QueueSettings(prefix=prefix, dead_retention_days=30))
    q = store.queue("pirus2")
    now = server_time_ms(redis_client)
    _kill(q, [b'{"logline": "192.0.2.7 old"}'] * 3, now - 31 * DAY_MS)
    _kill(q, [b'{"logline": "192.0.2.8 recent"}'], now - 29 * DAY_MS)
    report = store.recover(now_ms=now)
    assert report.expired == 3
    assert [d.payload for d in q.dead_items()] == [b'{"logline": "192.0.2.8 recent"}']
    stored = b"".join(v for key in redis_client.scan_iter(match="{" + prefix + "}*")
                      if redis_client.type(key) == b"hash"
                      for v in redis_client.hvals(key))
    assert b"192.0.2.7" not in stored  # payload, error and attempts gone too


def test_zero_keeps_dead_items_until_purged(make_store, prefix, redis_client):
    store = make_store(QueueSettings(prefix=prefix, dead_retention_days=0))
    q = store.queue("pirus2")
    now = server_time_ms(redis_client)
    _kill(q, [b"ancient"], now - 3650 * DAY_MS)
    assert store.recover(now_ms=now).expired == 0
    assert [d.payload for d in q.dead_items()] == [b"ancient"]


def test_the_retention_defaults_to_30_days_and_a_queue_may_keep_its_own(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(textwrap.dedent("""
        [queues]
        [[otherlog]]
        dead_retention_days = 7
    """))
    config = load(path)
    assert config.queue_policy("pirus2").dead_retention == 30 * 86400
    assert config.queue_policy("otherlog").dead_retention == 7 * 86400
