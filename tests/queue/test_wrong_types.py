"""A key of the wrong type (a hand edit, another program on the same
prefix) makes a transition fail with Redis' error, and fail safe: nothing
the caller retries is lost, and nothing is copied twice once the key is
mended."""

import pytest

from loglines.errors import QueueError


def _held(q, n):
    return q.fetch("c1", n).items


def test_a_wrong_typed_target_items_hash_loses_nothing_and_copies_once(store, redis_client):
    q, out = store.queue("src"), store.queue("dst")
    q.push([b"one", b"two"])
    items = _held(q, 2)
    redis_client.set(out.keys.items, "not a hash")
    with pytest.raises(QueueError, match="WRONGTYPE"):
        q.ack("c1", [i.id for i in items], forward_to=[out])
    assert q.stats().inflight == 2  # still held: the ack is retried
    redis_client.delete(out.keys.items)
    assert q.ack("c1", [i.id for i in items], forward_to=[out]) == 2
    fetched = out.fetch("c2", 10)
    assert sorted(i.payload for i in fetched.items) == [b"one", b"two"]
    assert fetched.orphans in (0, 2)  # ids a failed attempt left, if any, are forgotten


@pytest.mark.parametrize("key", ["signal", "ready"])
def test_a_wrong_typed_target_list_fails_before_any_copy_is_written(store, redis_client, key):
    q, out = store.queue("src"), store.queue("dst")
    q.push([b"one"])
    items = _held(q, 1)
    redis_client.set(getattr(out.keys, key), "not a list")
    seq = redis_client.get(store.keyspace.seq)
    with pytest.raises(QueueError, match="WRONGTYPE"):
        q.ack("c1", [i.id for i in items], forward_to=[out])
    assert redis_client.get(store.keyspace.seq) == seq
    assert redis_client.hlen(out.keys.items) == 0
    assert q.stats().inflight == 1


def test_two_targets_are_checked_before_the_first_is_written(store, redis_client):
    q, first, second = store.queue("src"), store.queue("t1"), store.queue("t2")
    q.push([b"one"])
    items = _held(q, 1)
    redis_client.set(second.keys.items, "not a hash")
    with pytest.raises(QueueError, match="holds a string, expected a hash"):
        q.ack("c1", [i.id for i in items], forward_to=[first, second])
    assert first.stats().ready == 0 and q.stats().inflight == 1


def test_a_push_into_a_wrong_typed_items_hash_records_no_position(store, redis_client):
    q = store.queue("tail")
    redis_client.set(q.keys.items, "not a hash")
    with pytest.raises(QueueError, match="WRONGTYPE"):
        q.push([b"line"], positions={"/var/log/a.log": '{"offset": 5}'})
    assert redis_client.hlen(store.keyspace.positions) == 0
    redis_client.delete(q.keys.items)
    assert q.push([b"line"], positions={"/var/log/a.log": '{"offset": 5}'}).accepted
    fetched = q.fetch("c1", 10)
    assert [i.payload for i in fetched.items] == [b"line"] and fetched.orphans in (0, 1)


def test_a_wrong_typed_positions_hash_fails_the_push_before_it_pushes(store, redis_client):
    q = store.queue("tail")
    redis_client.set(store.keyspace.positions, "not a hash")
    with pytest.raises(QueueError, match="WRONGTYPE"):
        q.push([b"line"], positions={"/var/log/a.log": '{"offset": 5}'})
    assert q.stats().ready == 0
