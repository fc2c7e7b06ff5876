"""logfromqueue: appends the line of each message of its queue to a file
(loglines.outputs.logfile), each batch on disk before it is acknowledged.
An item may be a bundle of messages, as pirus2 forwards them here.

After a small batch the next fetch waits ``LINGER``, so a line may reach its
file that much later.
"""

from loglines.outputs.logfile import AppendFile, LineWriter
from loglines.queue import bundle
from loglines.queue.interface import MAX_BATCH
from loglines.runtime.consumer_loop import consume

# pirus2 acknowledges events a few at a time as the tracker answers, so this
# queue is fed small bundles: waiting this long after a small batch
# lets the next one gather, one fsync for many lines instead of a few.
LINGER = 0.05


def run(ctx):
    options = ctx.section.options
    queue = ctx.queue(options.listento)
    out = AppendFile(ctx.config.resolve(options.logfile), options.retention_days)
    ctx.start_heartbeat([queue.name])
    ctx.log.info("appending %s to %s", queue.name, out.path)
    # batch_size counts lines; pirus2's bundles hold up to MAX_BATCH of them.
    heaviest = MAX_BATCH if ctx.config.takes_bundles(queue.name) else 1
    try:
        consume(ctx, queue, LineWriter(ctx, queue, out).handle, options.batch_size,
                linger=LINGER, weigh=lambda item: bundle.count(item.payload),
                heaviest=heaviest)
    finally:
        out.close()
    return 0
