"""records: keeps the log records httpingest puts on its ``records_queue``
in the store of ``[store]`` (Chronologer's record resource, served by the
api worker under ``/api/v1/record``).

Each batch is stored in one transaction and acknowledged after it
committed; a record stored before (a POST sent again, an item delivered
again) is stored once, by its id. With ``retention_days`` the records
older than that are deleted every ``purge_every`` seconds, ``purge_batch``
rows per transaction. The store must have been migrated.
"""

from loglines.records.worker import RecordsWorker
from loglines.runtime.consumer_loop import consume
from loglines.stats.startup import open_store


def run(ctx):
    options = ctx.section.options
    engine = open_store(ctx)
    if engine is None:
        return 0  # asked to stop while the store was unreachable
    worker = RecordsWorker(ctx, engine)
    ctx.start_heartbeat([worker.queue.name])
    ctx.log.info("keeping log records from %s%s", worker.queue.name,
                 f", for {options.retention_days:g} days" if options.retention_days else "")
    try:
        consume(ctx, worker.queue, worker.handle, options.batch_size,
                before_fetch=worker.retention, linger=options.flush_interval)
    finally:
        engine.dispose()
    return 0
