"""The observer hook: what a queue tells a QueueStore's observers, on a real Redis."""


from loglines.queue import QueueObserver, QueuePolicy, QueueStore


class Recorder(QueueObserver):
    def __init__(self):
        self.heard = []

    def pushed(self, queue, n):
        self.heard.append(("pushed", queue.name, n))

    def acked(self, queue, n, forwarded, copies):
        self.heard.append(("acked", queue.name, n, [t.name for t in forwarded], copies))

    def fanned_out(self, queue, n, targets):
        self.heard.append(("fanned_out", queue.name, n, [t.name for t in targets]))


def observed(redis_client, prefix, **policy):
    recorder = Recorder()
    store = QueueStore(redis_client, prefix, lambda name: QueuePolicy(**policy),
                       observers=[recorder])
    return store, recorder


def test_a_push_is_heard_once_with_its_size(redis_client, prefix):
    store, recorder = observed(redis_client, prefix)
    store.queue("in").push([b"a", b"b", b"c"])
    assert recorder.heard == [("pushed", "in", 3)]


def test_an_ack_is_heard_with_the_queues_it_forwarded_to(redis_client, prefix):
    store, recorder = observed(redis_client, prefix)
    q, out = store.queue("in"), store.queue("out")
    q.push([b"a", b"b", b"c"])
    ids = [i.id for i in q.fetch("c1", 3).items]
    q.ack("c1", ids[:1])
    q.ack("c1", ids[1:], forward_to=[out])
    assert recorder.heard[1:] == [("acked", "in", 1, [], 1), ("acked", "in", 2, ["out"], 2)]
    assert out.stats().ready == 2


def test_a_bundled_forward_is_heard_as_one_copy_per_target(redis_client, prefix):
    store, recorder = observed(redis_client, prefix)
    q, out = store.queue("in"), store.queue("out")
    q.push([b"a", b"b", b"c"])
    q.ack("c1", [i.id for i in q.fetch("c1", 3).items], forward_to=[out], bundle=True)
    assert recorder.heard[1:] == [("acked", "in", 3, ["out"], 1)]
    assert out.stats().ready == 1


def test_a_fanout_is_heard_with_its_targets(redis_client, prefix):
    store, recorder = observed(redis_client, prefix)
    q = store.queue("in")
    q.push([b"a", b"b"])
    targets = [store.queue("irus"), store.queue("openaire")]
    assert q.fanout(targets, 10) == (2, None)
    assert recorder.heard[1:] == [("fanned_out", "in", 2, ["irus", "openaire"])]


def test_nothing_moved_is_not_heard(redis_client, prefix):
    store, recorder = observed(redis_client, prefix, cap=1)
    q = store.queue("in")
    q.push([b"a"])
    assert not q.push([b"b"]).accepted  # at its cap
    assert q.ack("c1", ["12345"]) == 0  # not in flight
    out = store.queue("out")
    assert q.fanout([out], 10) == (1, None)
    assert q.fanout([out], 10) == (0, out)  # at its cap
    assert q.fanout([store.queue("other")], 10) == (0, None)  # nothing left
    assert [h[0] for h in recorder.heard] == ["pushed", "fanned_out"]


def test_observe_reaches_the_queues_already_built(redis_client, prefix):
    store = QueueStore(redis_client, prefix, lambda name: QueuePolicy())
    q = store.queue("in")
    recorder = Recorder()
    store.observe(recorder)
    q.push([b"a"])
    store.queue("other").push([b"b"])
    assert recorder.heard == [("pushed", "in", 1), ("pushed", "other", 1)]


def test_a_push_past_the_cap_is_heard_and_a_refused_one_is_not(redis_client, prefix):
    store, recorder = observed(redis_client, prefix, cap=1)
    q = store.queue("in")
    q.push([b"a"])
    assert not q.push([b"b"]).accepted
    assert q.push([b"b"], past_cap=True).accepted and q.stats().ready == 2
    assert recorder.heard == [("pushed", "in", 1), ("pushed", "in", 1)]


def test_a_store_without_observers_works(redis_client, prefix):
    store = QueueStore(redis_client, prefix, lambda name: QueuePolicy())
    q, out = store.queue("in"), store.queue("out")
    q.push([b"a", b"b"])
    ids = [i.id for i in q.fetch("c1", 2).items]
    assert q.ack("c1", ids, forward_to=[out]) == 2
    assert out.fanout([store.queue("last")], 10) == (2, None)
    assert store.queue("last").stats().ready == 2
