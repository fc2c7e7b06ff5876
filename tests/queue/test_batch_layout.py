"""The batch fetch and ack keep their shortcuts honest: the attempt under
way lives in the inflight entry, the attempts hash only holds past ones, and
a large batch leaves no trace of how it was written."""

from loglines.queue import Failure


def test_a_fetch_counts_its_attempt_without_writing_the_attempts_hash(store, redis_client):
    q = store.queue("first")
    q.push([b"a", b"b"])
    items = q.fetch("c1", 2).items
    assert [(i.payload, i.attempts) for i in items] == [(b"a", 1), (b"b", 1)]
    assert redis_client.exists(q.keys.attempts) == 0
    assert q.stats().inflight_by_consumer == {"c1": 2}


def test_a_failed_attempt_is_counted_and_cleared_by_the_ack(store, redis_client):
    q = store.queue("again")
    q.push([b"x"])
    now = store.now_ms()
    item = q.fetch("c1", 1, now_ms=now).items[0]
    assert q.fail("c1", [Failure(item, "503")], now_ms=now) == (1, 0)
    assert redis_client.hget(q.keys.attempts, item.id) == b"1"
    later = now + 10**9
    again = q.fetch("c1", 1, now_ms=later).items
    assert [(i.id, i.attempts) for i in again] == [(item.id, 2)]
    assert redis_client.hget(q.keys.attempts, item.id) == b"1"  # the second is in flight
    assert q.ack("c1", [item.id]) == 1
    for key in (q.keys.items, q.keys.attempts, q.keys.errors, q.keys.inflight):
        assert redis_client.exists(key) == 0


def test_attempts_stay_with_their_items_when_some_are_given_up(make_store, redis_client):
    store = make_store(max_attempts=3)
    q = store.queue("mixed")
    q.push([b"a", b"b", b"c", b"d"])
    ids = [i.decode() for i in reversed(redis_client.lrange(q.keys.ready, 0, -1))]
    # As if b had been tried 3 times and c once (the fetch reads what is stored).
    redis_client.hset(q.keys.attempts, mapping={ids[1]: 3, ids[2]: 1})
    fetched = q.fetch("c1", 4)
    assert [(i.payload, i.attempts) for i in fetched.items] == [(b"a", 1), (b"c", 2), (b"d", 1)]
    assert fetched.given_up == 1
    assert [(d.payload, d.attempts) for d in q.dead_items()] == [(b"b", 3)]


def test_a_large_batch_leaves_only_its_ids_in_flight(store, redis_client):
    q = store.queue("large")
    q.push([b"p"] * 1000)
    items = q.fetch("c1", 1000).items
    assert len(items) == 1000 and all(i.attempts == 1 for i in items)
    held = redis_client.hgetall(q.keys.inflight)
    assert sorted(held) == sorted(i.id.encode() for i in items)
    assert set(held.values()) == {b"c1"}
    assert q.ack("c1", [i.id for i in items]) == 1000
    assert redis_client.exists(q.keys.inflight, q.keys.items) == 0


def test_a_killed_consumer_and_a_release_count_differently(store):
    q = store.queue("ends")
    q.push([b"kept", b"lost"])
    kept, _ = q.fetch("c1", 2).items
    assert q.release("c1", [kept.id]) == 1  # no work done: no attempt
    assert q.recover(consumer_timeout=30) == (1, 0)  # c1 never beat: presumed dead
    again = q.fetch("c2", 2).items
    assert sorted((i.payload, i.attempts) for i in again) == [(b"kept", 1), (b"lost", 2)]


def test_the_wake_up_signal_holds_one_token(store, redis_client):
    q = store.queue("signal")
    for _ in range(5):
        q.push([b"x"] * 3)
    q.fetch("c1", 2)
    assert redis_client.lrange(q.keys.signal, 0, -1) == [b"1"]
