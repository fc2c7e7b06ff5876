"""The key layout, byte for byte: a deployment's Redis keeps its data under
these names across upgrades, and ``loglines status`` reads them."""

from loglines.queue.keys import Keyspace


def test_every_key_family_keeps_its_name():
    ks = Keyspace("p")
    assert (ks.seq, ks.queues, ks.consumers, ks.consumer_info, ks.recovery_lock,
            ks.positions) == ("{p}:seq", "{p}:queues", "{p}:consumers", "{p}:consumer-info",
                              "{p}:recovery-lock", "{p}:positions")
    assert ks.counts("worker_pirus2") == "{p}:counts:worker_pirus2"
    assert ks.id_times == "{p}:id-times"
    assert ks.rate("logger_watch", 172_000_000) == "{p}:rate:logger_watch:172000000"
    assert ks.hist("worker_pirus2", "delivery_seconds") == "{p}:hist:worker_pirus2:delivery_seconds"
    assert ks.lag("logger_watch") == "{p}:lag:logger_watch"
    assert ks.notify_sent("dead_letter") == "{p}:notify:sent:dead_letter"
    assert ks.notify_suppressed("dead_letter") == "{p}:notify:suppressed:dead_letter"
    q = ks.queue("pirus2")
    assert (q.ready, q.items, q.attempts, q.errors, q.inflight, q.delayed, q.dead,
            q.signal) == tuple(f"{{p}}:q:pirus2:{s}" for s in (
                "ready", "items", "attempts", "errors", "inflight", "delayed", "dead", "signal"))
