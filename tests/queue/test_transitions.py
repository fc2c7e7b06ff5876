"""Each transition of the reliable queue against a real Redis."""

import json
import threading
import time

import pytest

from loglines.errors import QueueError
from loglines.queue import Backoff, Failure, QueuePolicy, QueueStore
from loglines.queue.interface import MAX_BATCH

MESSAGE = json.dumps({"service": "repo.example.ac.uk", "logline": "192.0.2.1 - - ...",
                      "source": "/var/log/a.log", "offset": 1234})


def test_payloads_arrive_byte_for_byte_in_order(store):
    q = store.queue("loglines")
    payloads = [MESSAGE.encode(), b"\xff\xfe not utf-8 \x00", "caf\u00e9".encode(), b""]
    q.push(payloads)
    fetched = q.fetch("c1", 10).items
    assert [i.payload for i in fetched] == payloads
    assert all(i.attempts == 1 for i in fetched)


def test_large_batches_cross_the_lua_stack_limit(store):
    q = store.queue("big")
    q.push([f"line {i}".encode() for i in range(12_000)])
    got = []
    while batch := q.fetch("c1", 5000).items:
        assert len(batch) <= MAX_BATCH
        got += [i.payload for i in batch]
    assert got == [f"line {i}".encode() for i in range(12_000)]


def test_a_push_of_a_batch_is_one_round_trip(redis_client, prefix):
    # The queue alone: the push dates of a deployment's stores add at most
    # one call a second (tests/metrics/test_push_dates.py).
    q = QueueStore(redis_client, prefix, lambda name: QueuePolicy()).queue("batched")
    q.push([b"warm-up"])  # loads the script

    def evalsha_calls():
        stats = redis_client.info("commandstats")
        return stats.get("cmdstat_evalsha", {}).get("calls", 0)

    before = evalsha_calls()
    q.push([b"x"] * 1000)
    assert evalsha_calls() - before == 1
    before = evalsha_calls()
    assert len(q.fetch("c1", 1000).items) == 1000
    assert evalsha_calls() - before == 1


def test_ack_removes_the_item_and_everything_beside_it(store, redis_client):
    q = store.queue("acked")
    q.push([b"a", b"b"])
    items = q.fetch("c1", 2).items
    assert q.ack("c1", [i.id for i in items]) == 2
    assert q.stats().ready == q.stats().inflight == 0
    for key in (q.keys.items, q.keys.attempts, q.keys.errors, q.keys.inflight):
        assert redis_client.exists(key) == 0


def test_ack_by_another_consumer_is_ignored(store):
    q = store.queue("owned")
    q.push([b"a"])
    item = q.fetch("c1", 1).items[0]
    assert q.ack("c2", [item.id]) == 0
    assert q.stats().inflight_by_consumer == {"c1": 1}


def test_ack_forwards_to_other_queues_in_the_same_step(store):
    q, success = store.queue("pirus2"), store.queue("articlelog")
    q.push([b"event-1", b"event-2"])
    items = q.fetch("c1", 2).items
    assert q.ack("c1", [items[0].id], forward_to=[success]) == 1
    assert [i.payload for i in success.fetch("c9", 10).items] == [b"event-1"]
    assert q.ack("c1", [items[0].id], forward_to=[success]) == 0  # a second ack forwards nothing
    assert success.stats().ready == 0


def test_temporary_failure_waits_until_due(store):
    q = store.queue("delayed")
    q.push([b"x"])
    item = q.fetch("c1", 1).items[0]
    now = store.now_ms()
    assert q.fail("c1", [Failure(item, "503 from tracker")], now_ms=now) == (1, 0)
    early = q.fetch("c1", 1, now_ms=now)
    assert early.items == []
    assert 0 < early.next_due <= q.policy.backoff.ceiling(1)
    late = q.fetch("c1", 1, now_ms=now + 1000 * q.policy.backoff.ceiling(1) + 1)
    assert [i.payload for i in late.items] == [b"x"]
    assert late.items[0].attempts == 2


def test_backoff_grows_and_is_capped():
    backoff = Backoff(base=1.0, cap=60.0)
    ceilings = [backoff.ceiling(n) for n in range(1, 12)]
    assert ceilings[:4] == [1.0, 2.0, 4.0, 8.0]
    assert ceilings[-1] == 60.0 and max(ceilings) == 60.0
    delays = [backoff.delay(7) for _ in range(200)]
    assert all(30.0 <= d <= 60.0 for d in delays)
    assert len(set(delays)) > 100  # jittered
    assert backoff.ceiling(10_000) == 60.0


def test_due_times_grow_with_attempts(make_store):
    store = make_store(retry_delay=10.0, retry_max_delay=40.0)
    q = store.queue("growing")
    q.push([b"x"])
    now = store.now_ms()
    waits = []
    for _ in range(5):
        item = q.fetch("c1", 1, now_ms=now + 10**9).items[0]
        q.fail("c1", [Failure(item, "timeout")], now_ms=now)
        waits.append(q.fetch("c1", 1, now_ms=now).next_due)
    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40
    assert all(20 <= w <= 40 for w in waits[3:])


def test_permanent_failure_dead_letters_at_once(store):
    q = store.queue("perm")
    q.push([b"bad", b"good"])
    bad, good = q.fetch("c1", 2).items
    assert q.fail("c1", [Failure(bad, "tracker answered 400", permanent=True)]) == (0, 1)
    q.ack("c1", [good.id])
    dead = q.dead_items()
    assert [(d.payload, d.error, d.attempts) for d in dead] == [(b"bad", "tracker answered 400", 1)]
    assert dead[0].died_at == pytest.approx(time.time(), abs=60)


def test_out_of_attempts_dead_letters(make_store):
    store = make_store(max_attempts=3, retry_delay=0.0)
    q = store.queue("attempts")
    q.push([b"flaky"])
    outcomes = []
    for _ in range(3):
        item = q.fetch("c1", 1, now_ms=store.now_ms() + 1000).items[0]
        outcomes.append(q.fail("c1", [Failure(item, f"503 #{item.attempts}")]))
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert q.dead_items()[0].error == "503 #3"
    assert q.dead_items()[0].attempts == 3


def test_cap_refuses_a_push_into_a_full_queue(make_store):
    store = make_store(cap=5)
    q = store.queue("capped")
    assert q.push([b"1", b"2", b"3"]).accepted
    held = q.fetch("c1", 2).items  # in flight still counts towards the cap
    assert q.push([b"4", b"5"]).accepted  # below the cap: the batch goes in whole
    result = q.push([b"6"])
    assert not result.accepted and result.depth == 5
    assert q.stats().ready + q.stats().inflight == 5
    q.ack("c1", [i.id for i in held])
    assert q.push([b"6"]).accepted


def test_release_gives_items_back_without_counting_an_attempt(store):
    q = store.queue("released")
    q.push([b"a", b"b"])
    items = q.fetch("c1", 2).items
    assert q.release("c1", [i.id for i in items]) == 2
    again = q.fetch("c2", 2).items
    assert [(i.payload, i.attempts) for i in again] == [(b"a", 1), (b"b", 1)]


def test_bury_keeps_rejected_input_with_its_reason(store):
    q = store.queue("loglines")
    assert q.bury([(b"x" * 100, "line_too_long: 20000 bytes")]) == 1
    dead = q.dead_items()
    assert dead[0].payload == b"x" * 100 and dead[0].error.startswith("line_too_long")
    assert q.stats().dead == 1 and q.stats().ready == 0


def test_requeue_and_purge_dead(store):
    q = store.queue("deadops")
    q.push([b"a", b"b", b"c"])
    for item in q.fetch("c1", 3).items:
        q.fail("c1", [Failure(item, "400", permanent=True)])
    ids = [d.id for d in q.dead_items()]
    assert q.requeue_dead([ids[0], "no-such-id"]) == 1
    back = q.fetch("c1", 3).items
    assert [(i.payload, i.attempts) for i in back] == [(b"a", 1)]
    assert q.purge_dead(ids[1:]) == 2
    assert q.stats().dead == 0
    assert q.requeue_dead(ids[1:]) == 0


def test_fanout_copies_into_every_target_and_empties_the_source(store):
    src = store.queue("loglines")
    targets = [store.queue("pirus2"), store.queue("matomo")]
    src.push([b"l1", b"l2", b"l3"])
    assert src.fanout(targets, 1000) == (3, None)
    for t in targets:
        assert [i.payload for i in t.fetch("c1", 10).items] == [b"l1", b"l2", b"l3"]
    assert src.stats().ready == 0
    assert src.fanout(targets, 1000) == (0, None)


def test_fanout_moves_nothing_while_a_target_is_full(make_store):
    store = make_store(cap=2)
    src, a, b = store.queue("src"), store.queue("a"), store.queue("b")
    b.push([b"old1", b"old2"])
    src.push([b"new"])
    moved, full = src.fanout([a, b], 10)
    assert (moved, full.name) == (0, "b")
    assert src.stats().ready == 1 and a.stats().ready == 0


def test_fanout_failing_in_the_script_leaves_no_partial_copy(store, redis_client):
    src, good, broken = store.queue("src"), store.queue("good"), store.queue("broken")
    src.push([b"l1", b"l2"])
    redis_client.set(broken.keys.signal, "not a list")  # a write to it would fail
    with pytest.raises(QueueError):
        src.fanout([good, broken], 10)
    assert src.stats().ready == 2
    assert good.stats().ready == 0


def test_wait_wakes_on_push_and_times_out_without(store):
    q = store.queue("waiting")
    assert q.wait(0.1) is False
    pusher = threading.Timer(0.2, lambda: q.push([b"x"]))
    pusher.start()
    assert q.wait(5.0) is True
    pusher.join()


def test_a_partial_fetch_passes_the_wake_up_on(store, redis_client):
    q = store.queue("chained")
    q.push([b"x"] * 10)
    redis_client.delete(q.keys.signal)
    q.fetch("c1", 4)
    assert redis_client.llen(q.keys.signal) == 1  # the next blocked consumer wakes


def test_fetch_reports_when_the_next_delayed_item_is_due(store):
    q = store.queue("due")
    q.push([b"x"])
    item = q.fetch("c1", 1).items[0]
    now = store.now_ms()
    q.fail("c1", [Failure(item, "503")], now_ms=now)
    assert q.fetch("c1", 1).next_due is not None
    assert q.fetch("c1", 1, now_ms=now + 10**7).items[0].payload == b"x"


def test_policy_is_per_queue(redis_client, prefix):
    policies = {"a": QueuePolicy(cap=1), "b": QueuePolicy(cap=0)}
    store = QueueStore(redis_client, prefix, policies.__getitem__)
    store.queue("a").push([b"1"])
    assert not store.queue("a").push([b"2"]).accepted
    assert store.queue("b").push([b"x"] * 50).accepted


def test_queue_names_cannot_escape_their_keys(store):
    for name in ("a:b", "{x}", "with space", ""):
        with pytest.raises(ValueError):
            store.queue(name)


def test_reclaim_releases_a_fetch_whose_reply_was_lost(store):
    q = store.queue("lostreply")
    q.push([b"a", b"b", b"c"])
    known = q.fetch("c1", 1).items[0]
    k = q.keys
    q.scripts.fetch(  # what a fetch that timed out after Redis ran it leaves behind
        keys=[k.ready, k.items, k.attempts, k.inflight, k.delayed, k.dead, k.errors, k.signal],
        args=["c1", 2, 5, ""],
    )
    assert q.stats().inflight == 3
    assert q.reclaim("c1", keep=[known.id]) == 2
    assert q.stats().inflight_by_consumer == {"c1": 1}
    assert [(i.payload, i.attempts) for i in q.fetch("c2", 5).items] == [(b"b", 1), (b"c", 1)]
