"""The context of one worker process, built once in ``loglines worker``."""

import logging

from ..metrics.observed import observed_store
from ..queue import Heartbeat, new_consumer_id, reconnect
from ..redis_connection import connect
from .counters import Counters

# Seconds a starting worker waits for Redis before it warns: the embedded
# Redis loads its AOF in well under this on a clean start.
STARTUP_QUIET = 5.0


class WorkerContext:
    def __init__(self, config, section, process_num=0, redis_settings=None, stop=None,
                 store=None, burst=False):
        from .stop import StopFlag

        self.config = config
        self.section = section
        self.process_num = process_num
        # Burst mode: return once there is nothing left to do (tests, replays).
        self.burst = burst
        self.stop = stop or StopFlag()
        self.log = logging.getLogger(f"loglines.{section.name}")
        self.store = store or observed_store(
            connect(redis_settings or config.redis_settings(section.options.redis)),
            config.queues.prefix, config.queue_policy,
            consumer_timeout=config.queues.consumer_timeout,
        )
        self.consumer_id = new_consumer_id()
        self.counters = Counters(self.store, section.name)
        self.heartbeat = None
        # Made at the first dead letter (notifier()): a worker that never
        # has one never connects to [notify]'s Redis.
        self._notifier = None

    def queue(self, name):
        return self.store.queue(name)

    def call(self, fn, *args, **kw):
        """``fn`` until Redis answers; raises reconnect.Stopped if asked to stop."""
        return reconnect.call(fn, *args, should_stop=self.stop.is_set, sleep=self.stop.wait,
                              **kw)

    def wait_for_redis(self):
        """At start: Redis answering. supervisord starts the embedded Redis
        and the workers together, so the first seconds of refused
        connections are expected and not warned about."""
        self.call(self.store.ping, log=self.log, quiet_for=STARTUP_QUIET)

    def producer(self, queue, paused="pausing", resumed="going on", **kw):
        """A Producer pushing into ``queue`` for this process (see runtime.producer)."""
        from .producer import Producer

        return Producer(queue, self.stop, self.log, paused=paused, resumed=resumed, **kw)

    def start_heartbeat(self, queues=()):
        """Register this process (it shows in ``loglines status``) and beat.

        Every worker beats, so every worker offers to run the recovery pass.
        """
        q = self.config.queues
        self.heartbeat = Heartbeat(
            self.store, self.consumer_id,
            {"section": self.section.name, "kind": self.section.kind,
             "process_num": self.process_num, "queues": list(queues)},
            interval=q.heartbeat_interval, recovery_interval=q.consumer_timeout / 3,
        )
        self.call(self.heartbeat.start)

    def notify_dead(self, queue_name, count, error):
        """Tell the operators that ``count`` items were dead-lettered; without
        [notify] (or with nothing dead) this is one comparison."""
        if count and self.config.notify is not None:
            from ..notify import dead_lettered

            dead_lettered(self, queue_name, count, error)

    def notifier(self):
        """This worker's Notifier ([notify] must be configured), made at first use."""
        if self._notifier is None:
            from ..notify.notifier import for_worker

            self._notifier = for_worker(self.config, self.section, self.store.client)
        return self._notifier

    def close(self):
        self.counters.flush()
        if self.heartbeat is not None:
            self.heartbeat.stop()
