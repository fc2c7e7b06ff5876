"""consume() in a thread, so that a test can watch it, stop it, and never
hang on a loop that does not return."""

import threading

from loglines.runtime.consumer_loop import consume


class Loop(threading.Thread):
    """Runs consume() on ``queue`` and records the payloads of each batch.

    The default handler acknowledges every item, except those whose payload
    is ``fail_on``; if there is one, it raises RuntimeError("boom") after
    acknowledging the others. As a context manager it is asked to stop (if
    it has not returned) when the block ends, and must then return.
    """

    def __init__(self, ctx, queue="work", batch_size=10, handle=None, fail_on=None,
                 **consume_kw):
        super().__init__(daemon=True, name="consume-loop")
        self.ctx = ctx
        self.queue = ctx.queue(queue)
        self.batch_size = batch_size
        self.handler = handle or self.ack
        self.fail_on = fail_on
        self.consume_kw = consume_kw
        self.batches = []

    def ack(self, items):
        good = [i.id for i in items if i.payload != self.fail_on]
        self.ctx.call(self.queue.ack, self.ctx.consumer_id, good)
        if len(good) < len(items):
            raise RuntimeError("boom")

    def handle(self, items):
        self.batches.append([i.payload for i in items])
        self.handler(items)

    def run(self):
        consume(self.ctx, self.queue, self.handle, self.batch_size, **self.consume_kw)

    def handled(self):
        return [p for batch in self.batches for p in batch]

    def returns_by_itself(self, timeout=20.0):
        """True if consume() returns within ``timeout`` without being asked to stop."""
        self.join(timeout)
        return not self.is_alive() and not self.ctx.stop.is_set()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.ctx.stop.set()
        self.join(timeout=20)
        assert not self.is_alive(), "consume() did not return once asked to stop"
