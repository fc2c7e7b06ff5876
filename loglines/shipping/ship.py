"""The step of the shipper: one ship job (a queue item naming a package)
at a time. The package is sent; on success the bookkeeping records it,
then the job is acknowledged, then the file goes. A job whose package
was recorded as shipped already (the shipper stopped between the
bookkeeping and the ack) is acknowledged without sending.

Killed between the upload and the bookkeeping, the job is still in
flight: the recovery pass gives it back and the package is sent once
more, under the same name and content hash, which the target folds.
"""

from __future__ import annotations

import json
import time

from ..queue import Failure


class Shipper:
    def __init__(self, ctx, shipping, queue):
        self.ctx, self.shipping, self.queue = ctx, shipping, queue
        self.book = shipping.book

    def handle(self, items):
        for item in items:
            self._one(item)

    def _fail(self, item, error, permanent=False):
        delayed, dead = self.ctx.call(self.queue.fail, self.ctx.consumer_id,
                                      [Failure(item, error, permanent)])
        self.ctx.counters.add("ship_failed")
        if dead:
            self.ctx.counters.add("ship_dead", dead)
            self.ctx.log.error("ship job dead-lettered: %s (see `loglines dead list %s`)",
                               error, self.queue.name)
            self.ctx.notify_dead(self.queue.name, dead, error)
        return delayed, dead

    def _one(self, item):
        try:
            name = json.loads(item.payload)["package"]
        except (ValueError, KeyError, TypeError):
            self._fail(item, "not a ship job (expected JSON with a package name)", True)
            return
        record = self.ctx.call(self.book.package, name)
        if record is None:
            if self.ctx.call(self.book.was_shipped, name) is not None:
                self.ctx.call(self.queue.ack, self.ctx.consumer_id, [item.id])
                self.ctx.log.info("%s was shipped already; its repeated job is done", name)
            else:
                self._fail(item, f"{name}: no such package recorded", True)
            return
        path = self.shipping.outbox / record["file"]
        if not path.is_file():
            self._fail(item, f"{name}: the package file {path} is missing", True)
            return
        began = time.monotonic()
        answer = self.shipping.target.send(path, name, record["content_sha256"])
        if answer.ok:
            self._shipped(item, name, record, answer, time.monotonic() - began)
        elif answer.temporary:
            self.ctx.log.warning("%s not shipped, will try again: %s", name, answer.error)
            self._fail(item, answer.error)
        else:
            self.ctx.log.error("%s refused: %s", name, answer.error)
            self.ctx.call(self.book.rejected, name, answer.status, answer.body)
            self._fail(item, answer.error, permanent=True)

    def _shipped(self, item, name, record, answer, seconds):
        info = {"package": name, "at": int(time.time()), "status": answer.status,
                "where": answer.where, "report_id": answer.report_id,
                "content_sha256": record["content_sha256"], "since": record["since"],
                "until": record["until"], "group": record["group"],
                "seconds": round(seconds, 3)}
        self.ctx.call(self.book.shipped, name, info)
        self.ctx.call(self.queue.ack, self.ctx.consumer_id, [item.id])
        (self.shipping.outbox / record["file"]).unlink(missing_ok=True)
        self.ctx.counters.add("shipped")
        self.ctx.log.info("%s shipped to %s", name, answer.where)
