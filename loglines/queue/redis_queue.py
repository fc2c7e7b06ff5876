"""The reliable queue on Redis lists; every transition is one Lua script."""

from itertools import repeat

from ..redis_connection import translated_errors
from .interface import MAX_BATCH, DeadItem, Fetched, Item, PushResult, Queue, QueueStats


def _as_bytes(payload):
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _now_arg(now_ms):
    return "" if now_ms is None else str(int(now_ms))


class RedisQueue(Queue):
    def __init__(self, client, scripts, keyspace, name, policy, observers=()):
        self.client = client
        self.scripts = scripts
        self.keyspace = keyspace
        self.name = name
        self.keys = keyspace.queue(name)
        self.policy = policy
        self.observers = tuple(observers)  # see observer.py; usually none or one

    def __repr__(self):
        return f"RedisQueue({self.name!r})"

    def push(self, payloads, positions=None, past_cap=False):
        payloads = [_as_bytes(p) for p in payloads]
        if not payloads:
            return PushResult(True, 0)
        k = self.keys
        positions = positions or {}
        pairs = [value for field in positions.items() for value in field]
        with translated_errors():
            ok, depth, ready = self.scripts.push(
                keys=[k.ready, k.items, k.inflight, k.delayed, k.signal,
                      self.keyspace.seq, self.keyspace.queues, self.keyspace.positions],
                args=[0 if past_cap else self.policy.cap, self.name, len(positions), *pairs,
                      *payloads],
            )
        if ok:
            for observer in self.observers:
                observer.pushed(self, len(payloads))
        return PushResult(bool(ok), int(depth), int(ready))

    def ready_count(self):
        """Items waiting for a consumer (not those in flight or delayed)."""
        with translated_errors():
            return int(self.client.llen(self.keys.ready))

    def has_room(self):
        if not self.policy.cap:
            return True
        k = self.keys
        with translated_errors():
            room, _ = self.scripts.room(keys=[k.ready, k.inflight, k.delayed],
                                        args=[self.policy.cap])
        return bool(room)

    def fetch(self, consumer_id, count, now_ms=None):
        count = max(1, min(int(count), MAX_BATCH))
        k = self.keys
        with translated_errors():
            ids, payloads, attempts, wait_ms, given_up, orphans = self.scripts.fetch(
                keys=[k.ready, k.items, k.attempts, k.inflight, k.delayed, k.dead,
                      k.errors, k.signal],
                args=[consumer_id, count, self.policy.max_attempts, _now_arg(now_ms)],
            )
        # No attempts in the reply: every one is the first. tuple.__new__
        # builds an Item without the Python-level __new__ of a named tuple.
        rows = zip(map(bytes.decode, ids), payloads, attempts or repeat(1), strict=False)
        items = list(map(tuple.__new__, repeat(Item), rows))
        wait_ms = int(wait_ms)
        next_due = None if wait_ms < 0 else wait_ms / 1000.0
        return Fetched(items, next_due, int(given_up), int(orphans))

    def wait(self, timeout):
        with translated_errors():
            return self.client.blpop([self.keys.signal], timeout=max(0.01, timeout)) is not None

    def ack(self, consumer_id, ids, forward_to=(), bundle=False):
        ids = list(ids)
        if len(ids) > MAX_BATCH:  # the script unpacks them: keep under Lua's stack
            return sum(self.ack(consumer_id, ids[i:i + MAX_BATCH], forward_to, bundle)
                       for i in range(0, len(ids), MAX_BATCH))
        if not ids:
            return 0
        keys = [self.keys.inflight, self.keys.items, self.keys.attempts, self.keys.errors,
                self.keyspace.seq, self.keyspace.queues]
        for target in forward_to:
            keys += [target.keys.ready, target.keys.items, target.keys.signal]
        args = [consumer_id, len(forward_to), "1" if bundle else "0",
                *(t.name for t in forward_to), *ids]
        with translated_errors():
            acked = int(self.scripts.ack(keys=keys, args=args))
        if acked:
            copies = 1 if bundle else acked  # per target queue
            for observer in self.observers:
                observer.acked(self, acked, forward_to, copies)
        return acked

    def fail(self, consumer_id, failures, now_ms=None):
        args = [consumer_id, self.policy.max_attempts, _now_arg(now_ms)]
        for f in failures:
            delay_ms = int(self.policy.backoff.delay(f.item.attempts) * 1000)
            args += [f.item.id, delay_ms, "1" if f.permanent else "0", f.error]
        if len(args) == 3:
            return (0, 0)
        k = self.keys
        with translated_errors():
            delayed, dead = self.scripts.fail(
                keys=[k.inflight, k.attempts, k.errors, k.delayed, k.dead], args=args
            )
        return int(delayed), int(dead)

    def release(self, consumer_id, ids):
        ids = list(ids)
        if not ids:
            return 0
        k = self.keys
        with translated_errors():
            return int(self.scripts.release(
                keys=[k.inflight, k.ready, k.signal], args=[consumer_id, *ids]
            ))

    def reclaim(self, consumer_id, keep=()):
        with translated_errors():
            held = self.client.hgetall(self.keys.inflight)
        owner = consumer_id.encode()
        keep = set(keep)
        lost = [i.decode() for i, o in held.items() if o == owner and i.decode() not in keep]
        return self.release(consumer_id, lost)

    def bury(self, entries, now_ms=None):
        args = [self.name, _now_arg(now_ms)]
        for payload, error in entries:
            args += [_as_bytes(payload), error]
        if len(args) == 2:
            return 0
        k = self.keys
        with translated_errors():
            return int(self.scripts.bury(
                keys=[k.items, k.errors, k.dead, self.keyspace.seq, self.keyspace.queues],
                args=args,
            ))

    def fanout(self, targets, count):
        count = max(1, min(int(count), MAX_BATCH))
        k = self.keys
        keys = [k.ready, k.items, k.attempts, k.errors, self.keyspace.seq, self.keyspace.queues]
        args = [count, len(targets)]
        for t in targets:
            tk = t.keys
            keys += [tk.ready, tk.items, tk.inflight, tk.delayed, tk.signal]
            args += [t.name, t.policy.cap]
        with translated_errors():
            moved, full = self.scripts.fanout(keys=keys, args=args)
        moved, full = int(moved), int(full)
        if moved:
            for observer in self.observers:
                observer.fanned_out(self, moved, targets)
        return moved, targets[full - 1] if full else None

    def recover(self, consumer_timeout, now_ms=None):
        k = self.keys
        with translated_errors():
            requeued, dead = self.scripts.recover(
                keys=[k.inflight, k.attempts, k.errors, k.ready, k.dead, k.signal,
                      self.keyspace.consumers],
                args=[int(consumer_timeout * 1000), self.policy.max_attempts,
                      _now_arg(now_ms)],
            )
        return int(requeued), int(dead)

    def stats(self):
        k = self.keys
        with translated_errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.llen(k.ready).zcard(k.delayed).zcard(k.dead).hvals(k.inflight)
            ready, delayed, dead, owners = pipe.execute()
        by_consumer = {}
        for owner in owners:
            owner = owner.decode()
            by_consumer[owner] = by_consumer.get(owner, 0) + 1
        return QueueStats(self.name, ready, len(owners), delayed, dead, by_consumer)

    def dead_items(self, limit=100, offset=0):
        k = self.keys
        with translated_errors():
            entries = self.client.zrange(k.dead, offset, offset + limit - 1, withscores=True)
            if not entries:
                return []
            ids = [member for member, _ in entries]
            pipe = self.client.pipeline(transaction=True)
            pipe.hmget(k.items, ids).hmget(k.errors, ids).hmget(k.attempts, ids)
            payloads, errors, attempts = pipe.execute()
        return [
            DeadItem(ids[i].decode(), payloads[i], _text(errors[i]), int(attempts[i] or 0),
                     entries[i][1] / 1000.0)
            for i in range(len(ids))
        ]

    def dead_ids(self, limit=MAX_BATCH):
        with translated_errors():
            return [m.decode() for m in self.client.zrange(self.keys.dead, 0, limit - 1)]

    def requeue_dead(self, ids):
        return self._dead_op(self.scripts.requeue_dead,
                             [self.keys.dead, self.keys.attempts, self.keys.ready,
                              self.keys.signal], ids)

    def expire_dead(self, now_ms=None):
        """Purge the items dead for longer than the policy's dead_retention;
        returns how many."""
        if not self.policy.dead_retention:
            return 0
        now_ms = server_time_ms(self.client) if now_ms is None else now_ms
        cutoff = int(now_ms - self.policy.dead_retention * 1000)
        expired = 0
        while True:
            with translated_errors():
                ids = self.client.zrangebyscore(self.keys.dead, "-inf", cutoff, 0, MAX_BATCH)
            if not ids:
                return expired
            done = self.purge_dead([i.decode() for i in ids])
            expired += done
            if not done:
                return expired

    def purge_dead(self, ids):
        return self._dead_op(self.scripts.purge_dead,
                             [self.keys.dead, self.keys.items, self.keys.attempts,
                              self.keys.errors], ids)

    def _dead_op(self, script, keys, ids):
        ids = list(ids)
        done = 0
        for start in range(0, len(ids), MAX_BATCH):
            with translated_errors():
                done += int(script(keys=keys, args=ids[start:start + MAX_BATCH]))
        return done


def server_time_ms(client):
    """Redis' clock, which every heartbeat and due time is measured on."""
    with translated_errors():
        seconds, micros = client.time()
    return seconds * 1000 + micros // 1000

