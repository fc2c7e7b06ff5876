"""All queues of one deployment on one Redis: the entry point of the queue layer.

Built once in a process's ``main()`` from the configuration and passed down;
nothing here connects at import time.
"""

import json
import secrets
from dataclasses import dataclass

from ..redis_connection import translated_errors
from .keys import Keyspace
from .redis_queue import RedisQueue, server_time_ms
from .scripts import Scripts


@dataclass(frozen=True)
class ConsumerInfo:
    id: str
    last_beat: float  # Unix time, seconds (Redis clock)
    age: float  # seconds since the last beat
    alive: bool
    info: dict


@dataclass(frozen=True)
class RecoveryReport:
    requeued: int
    dead: int
    forgotten: list
    expired: int = 0  # dead items past their queue's dead_retention, purged


class QueueStore:
    def __init__(self, client, prefix, policy_for, consumer_timeout=30.0, observers=()):
        """``policy_for(name)`` gives the QueuePolicy of a queue; every queue
        tells ``observers`` (QueueObserver) of its transitions."""
        self.client = client
        self.keyspace = Keyspace(prefix)
        self.scripts = Scripts(client)
        self.policy_for = policy_for
        self.consumer_timeout = consumer_timeout
        self.observers = tuple(observers)
        self._queues = {}

    def observe(self, observer):
        """Add an observer, heard by the queues already built too."""
        self.observers += (observer,)
        for q in self._queues.values():
            q.observers = self.observers

    def queue(self, name):
        if name not in self._queues:
            self._queues[name] = RedisQueue(
                self.client, self.scripts, self.keyspace, name, self.policy_for(name),
                self.observers,
            )
        return self._queues[name]

    def known_queues(self):
        with translated_errors():
            names = self.client.smembers(self.keyspace.queues)
        return sorted(n.decode() for n in names)

    def ping(self):
        with translated_errors():
            return self.client.ping()

    def now_ms(self):
        return server_time_ms(self.client)

    def heartbeat(self, consumer_id, info, now_ms=None):
        """Register or refresh a consumer; True if it was not registered."""
        ks = self.keyspace
        with translated_errors():
            added = self.scripts.heartbeat(
                keys=[ks.consumers, ks.consumer_info],
                args=[consumer_id, json.dumps(info), "" if now_ms is None else int(now_ms)],
            )
        return bool(added)

    def unregister(self, consumer_id):
        ks = self.keyspace
        with translated_errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.zrem(ks.consumers, consumer_id).hdel(ks.consumer_info, consumer_id)
            pipe.execute()

    def consumers(self):
        ks = self.keyspace
        with translated_errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.zrange(ks.consumers, 0, -1, withscores=True).hgetall(ks.consumer_info).time()
            beats, infos, (sec, usec) = pipe.execute()
        now = sec + usec / 1e6
        result = []
        for member, score in beats:
            raw = infos.get(member, b"{}")
            last = score / 1000.0
            result.append(ConsumerInfo(member.decode(), last, now - last,
                                       now - last <= self.consumer_timeout, json.loads(raw)))
        return result

    def counts(self, section):
        with translated_errors():
            raw = self.client.hgetall(self.keyspace.counts(section))
        return {k.decode(): int(v) for k, v in sorted(raw.items())}

    def positions(self):
        """What producers recorded with their pushes: {field: value}."""
        with translated_errors():
            raw = self.client.hgetall(self.keyspace.positions)
        return {k.decode(): v.decode() for k, v in raw.items()}

    def try_lock_recovery(self, hold_seconds):
        """At most one recovery pass per ``hold_seconds`` in the deployment.

        The lock is never released, only left to expire: whoever wins runs
        the pass and the others skip it until the next interval. Passes are
        idempotent, so one outliving the lock does no harm.
        """
        with translated_errors():
            return bool(self.client.set(
                self.keyspace.recovery_lock, secrets.token_hex(8), nx=True,
                px=max(1, int(hold_seconds * 1000)),
            ))

    def write_problem(self):
        """Why Redis refuses writes now, in a sentence; None while it takes them."""
        with translated_errors():
            pipe = self.client.pipeline(transaction=False)
            pipe.info("memory").info("persistence")
            memory, persistence = pipe.execute()
        used, limit = int(memory.get("used_memory", 0)), int(memory.get("maxmemory", 0))
        if limit and used >= limit and memory.get("maxmemory_policy") == "noeviction":
            return (f"Redis refuses writes: it uses {used / 2**20:.1f} MB of its maxmemory "
                    f"{limit / 2**20:.1f} MB (noeviction); producers wait, consumers drain")
        for key, what in (("aof_last_write_status", "its AOF"),
                          ("rdb_last_bgsave_status", "its last RDB save")):
            if persistence.get(key) == "err":
                return (f"Redis may refuse writes: writing {what} failed (a full or failing "
                        "disk); producers and acknowledgements wait until it works")
        return None

    def redis_uptime(self):
        with translated_errors():
            return int(self.client.info("server")["uptime_in_seconds"])

    def recover(self, now_ms=None):
        """Give back what dead consumers held, in every queue, then forget them;
        purge the dead items past their queue's retention.

        Not while Redis has been up for less than the consumer timeout: after
        a Redis restart every heartbeat is as old as the outage, and live
        consumers must get the chance to beat before anyone is presumed dead
        (the chaos run found whole batches delivered twice otherwise).
        ``now_ms`` (a test's clock) skips that check.
        """
        if now_ms is None and self.redis_uptime() < self.consumer_timeout:
            return RecoveryReport(0, 0, [])
        requeued = dead = expired = 0
        for name in self.known_queues():
            queue = self.queue(name)
            r, d = queue.recover(self.consumer_timeout, now_ms=now_ms)
            requeued += r
            dead += d
            expired += queue.expire_dead(now_ms)
        ks = self.keyspace
        with translated_errors():
            forgotten = self.scripts.forget_consumers(
                keys=[ks.consumers, ks.consumer_info],
                args=[int(self.consumer_timeout * 1000), "" if now_ms is None else int(now_ms)],
            )
        return RecoveryReport(requeued, dead, [f.decode() for f in forgotten], expired)
