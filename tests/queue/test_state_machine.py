"""A Hypothesis state machine over every queue transition: at every step
each id is in exactly one state, and no payload is lost or duplicated."""

import itertools
import uuid
from collections import Counter

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from loglines.queue import Failure, QueuePolicy, QueueStore, new_consumer_id

QUEUES = ("src", "t1", "t2")


class QueueMachine(RuleBasedStateMachine):
    client = None  # set by the test: the session's Redis

    def __init__(self):
        super().__init__()
        self.prefix = "sm" + uuid.uuid4().hex[:10]
        self.store = QueueStore(self.client, self.prefix,
                                lambda n: QueuePolicy(max_attempts=3), consumer_timeout=30)
        self.q = {n: self.store.queue(n) for n in QUEUES}
        self.expected = {n: Counter() for n in QUEUES}
        self.consumers = [self._new_consumer(), self._new_consumer()]
        self.holding = {c: {} for c in self.consumers}  # consumer -> id -> Item
        self.ghosts = []  # ids of killed consumers
        self.counter = itertools.count()

    def teardown(self):
        keys = list(self.client.scan_iter(match="{" + self.prefix + "}*"))
        if keys:
            self.client.delete(*keys)

    def _new_consumer(self):
        cid = new_consumer_id()
        self.store.heartbeat(cid, {})
        return cid

    @rule(n=st.integers(1, 4))
    def push(self, n):
        payloads = [f"p{next(self.counter)}".encode() for _ in range(n)]
        assert self.q["src"].push(payloads).accepted
        self.expected["src"].update(payloads)

    @rule(c=st.integers(0, 1), n=st.integers(1, 4), later=st.booleans())
    def fetch(self, c, n, later):
        cid = self.consumers[c]
        now = self.store.now_ms() + (10**9 if later else 0)
        for item in self.q["src"].fetch(cid, n, now_ms=now).items:
            assert item.id not in self.holding[cid]
            self.holding[cid][item.id] = item

    @precondition(lambda self: any(self.holding.values()))
    @rule(c=st.integers(0, 1), forward=st.booleans(), data=st.data())
    def ack(self, c, forward, data):
        cid = self.consumers[c]
        held = sorted(self.holding[cid])
        ids = data.draw(st.lists(st.sampled_from(held), unique=True)) if held else []
        targets = [self.q["t1"]] if forward else []
        assert self.q["src"].ack(cid, ids, forward_to=targets) == len(ids)
        for i in ids:
            payload = self.holding[cid].pop(i).payload
            self.expected["src"][payload] -= 1
            if forward:
                self.expected["t1"][payload] += 1

    @precondition(lambda self: any(self.holding.values()))
    @rule(c=st.integers(0, 1), permanent=st.booleans())
    def fail(self, c, permanent):
        cid = self.consumers[c]
        if not self.holding[cid]:
            return
        _, item = self.holding[cid].popitem()
        assert sum(self.q["src"].fail(cid, [Failure(item, "boom", permanent)])) == 1

    @rule(c=st.integers(0, 1))
    def release(self, c):
        cid = self.consumers[c]
        assert self.q["src"].release(cid, list(self.holding[cid])) == len(self.holding[cid])
        self.holding[cid].clear()

    @rule(c=st.integers(0, 1))
    def kill_consumer(self, c):
        """SIGKILL: its registration goes, a fresh process takes its place."""
        dead = self.consumers[c]
        self.store.unregister(dead)
        self.ghosts.append((dead, list(self.holding.pop(dead))))
        self.consumers[c] = self._new_consumer()
        self.holding[self.consumers[c]] = {}

    @rule()
    def recover(self):
        self.store.recover(now_ms=self.store.now_ms())

    @precondition(lambda self: self.ghosts)
    @rule()
    def ghost_ack(self):
        """A consumer presumed dead acks late: nothing happens."""
        dead, ids = self.ghosts[-1]
        self.store.recover(now_ms=self.store.now_ms())
        assert self.q["src"].ack(dead, ids) == 0

    @rule(n=st.integers(1, 5))
    def fanout(self, n):
        src = self.q["src"]
        ids = self.client.lrange(src.keys.ready, -n, -1)
        payloads = self.client.hmget(src.keys.items, ids) if ids else []
        moved, full = src.fanout([self.q["t1"], self.q["t2"]], n)
        assert (moved, full) == (len(ids), None)
        for p in payloads:
            self.expected["src"][p] -= 1
            self.expected["t1"][p] += 1
            self.expected["t2"][p] += 1

    @rule(bury=st.booleans())
    def purge_or_requeue_dead(self, bury):
        src = self.q["src"]
        ids = src.dead_ids()
        if bury:
            for p in self.client.hmget(src.keys.items, ids) if ids else []:
                self.expected["src"][p] -= 1
            assert src.purge_dead(ids) == len(ids)
        else:
            assert src.requeue_dead(ids) == len(ids)

    @invariant()
    def every_id_in_exactly_one_state(self):
        for q in self.q.values():
            k = q.keys
            ready = self.client.lrange(k.ready, 0, -1)
            states = [ready, self.client.hkeys(k.inflight), self.client.zrange(k.delayed, 0, -1),
                      self.client.zrange(k.dead, 0, -1)]
            flat = [i for s in states for i in s]
            assert len(flat) == len(set(flat)), "an id in two states, or twice in ready"
            assert set(flat) == set(self.client.hkeys(k.items)), "an id without state or payload"

    @invariant()
    def nothing_lost_nothing_duplicated(self):
        for name, q in self.q.items():
            present = Counter(self.client.hvals(q.keys.items))
            assert present == +self.expected[name]



@pytest.mark.timeout(600)
def test_queue_state_machine(redis_client):
    QueueMachine.client = redis_client
    QueueMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40,
                                              deadline=None)
    QueueMachine.TestCase().runTest()
