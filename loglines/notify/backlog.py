"""Is a queue's backlog older than backlog_age?

Items carry no enqueue time that is cheap to read, so the age is
approximated: how long the queue's waiting count (ready + delayed) has
been non-zero and never fell between two checks. A healthy queue drains
now and then and resets the clock; a stalled consumer or a tracker that
is down does not.
"""

import time


class BacklogWatch:
    def __init__(self, store, queue_names, max_age, notify, clock=time.monotonic):
        self.store = store
        self.queue_names = sorted(queue_names)
        self.max_age = max_age
        self.notify = notify
        self.clock = clock
        self.state = {}  # queue name -> (growing since, waiting count last time)

    def check(self):
        now = self.clock()
        for name in self.queue_names:
            stats = self.store.queue(name).stats()
            waiting = stats.ready + stats.delayed
            since, last = self.state.get(name, (now, 0))
            if waiting == 0 or waiting < last:
                since = now
            self.state[name] = (since, waiting)
            age = now - since
            if waiting and age >= self.max_age:
                self.notify("backlog", queue=name, count=waiting,
                            error=f"not draining for {int(age)} s (backlog_age {self.max_age:g})")
