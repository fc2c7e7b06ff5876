"""logfilewatcher: follows an access log (or every file of a glob) and pushes
each complete line as ``{"service", "logline", "source", "offset"}``.

The checkpoint moves only after Redis accepted a batch, so a restart
resumes with no gap. Each push also records, in the same atomic step, the
file position it reaches; at start a position Redis has that is ahead of
the local checkpoint of the same file wins, so a crash between a push and
its checkpoint repeats nothing.
When the queue is at its cap the batch waits (the offset does not move).
Rejected lines (over max_line_size) are dead-lettered with their reason
and a prefix of the line, never silently dropped. Invalid UTF-8 is kept,
each bad byte replaced by U+FFFD.
"""

from loglines.inputs.files.watcher import Watcher


def hold(ctx):
    """Run before the process waits for Redis: the log files opened, so a log
    rotated while a start waits for Redis is still read to its end."""
    return Watcher(ctx)


def run(ctx, watcher=None):
    watcher = watcher or Watcher(ctx)
    watcher.start()
    ctx.start_heartbeat([watcher.queue.name])
    ctx.log.info("following %s into %s as %s", ctx.section.options.logfile, watcher.queue.name,
                 watcher.service)
    if not watcher.tailer.paths:
        # Likely a wrong path, or one this user may not enter: say it once
        # rather than follow nothing in silence (it is followed once it appears).
        ctx.log.warning("%s matches no file (yet): reading nothing until one appears; "
                        "`loglines check` tells why", ctx.section.options.logfile)
    try:
        while not ctx.stop.is_set():
            if not watcher.step() and ctx.burst:
                break
    finally:
        watcher.close()
    return 0
