"""Push dates: the observer every process's store gets, on a real Redis."""

import time

from loglines.metrics.ages import push_time_ms
from loglines.metrics.observed import observed_store
from loglines.metrics.push_dates import NOTE_INTERVAL, PushDates
from loglines.queue import QueuePolicy, QueueStore


class Clock:
    """The throttle's clock, moved by hand. A note's member is its time in
    ms (Redis clock), so two notes in one millisecond are one: ``tick``
    lets a millisecond of Redis time pass too."""

    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t

    def tick(self, seconds):
        time.sleep(0.002)
        self.t += seconds


def dated(redis_client, prefix):
    clock = Clock()
    store = QueueStore(redis_client, prefix, lambda name: QueuePolicy())
    store.observe(PushDates(redis_client, store.keyspace, now=clock))
    return store, clock


def notes(store):
    return [int(score) for _, score in
            store.client.zrange(store.keyspace.id_times, 0, -1, withscores=True)]


def test_the_stores_of_the_processes_date_their_pushes(redis_client, prefix):
    store = observed_store(redis_client, prefix, lambda name: QueuePolicy())
    store.queue("in").push([b"a", b"b", b"c"])
    assert notes(store) == [1]  # the first id of the push
    assert push_time_ms(store.client, store.keyspace, 3) <= store.now_ms()


def test_a_note_a_second_per_queue(redis_client, prefix):
    store, clock = dated(redis_client, prefix)
    q = store.queue("in")
    q.push([b"a", b"b"])
    q.push([b"c"])  # within the second: dated by the note before
    clock.tick(0)
    store.queue("other").push([b"d"])  # another queue has its own second
    clock.tick(NOTE_INTERVAL)
    q.push([b"e", b"f"])
    assert notes(store) == [1, 4, 5]


def test_forwarded_and_fanned_out_copies_are_dated(redis_client, prefix):
    store, clock = dated(redis_client, prefix)
    q, out = store.queue("in"), store.queue("out")
    q.push([b"a", b"b"])  # ids 1, 2
    ids = [i.id for i in q.fetch("c1", 2).items]
    clock.tick(NOTE_INTERVAL)
    q.ack("c1", ids, forward_to=[out])  # copies 3, 4
    clock.tick(NOTE_INTERVAL)
    out.fanout([store.queue("irus"), store.queue("openaire")], 10)  # 5 to 8
    clock.tick(NOTE_INTERVAL)
    q.ack("c1", [])  # nothing: no note
    assert notes(store) == [1, 3, 5]


def test_a_note_that_fails_does_not_fail_the_push(redis_client, prefix):
    store = observed_store(redis_client, prefix, lambda name: QueuePolicy())
    # id-times of the wrong type: the note errors, the push has succeeded.
    redis_client.set(store.keyspace.id_times, b"not a zset")
    assert store.queue("in").push([b"a"]).accepted
    assert store.queue("in").stats().ready == 1
