"""broker: moves each line of its queue into every fanout queue, in batches.

Each batch is one atomic step (the fanout script): a crash leaves every
line either still in the source or in all targets, never some. While a
target is full nothing moves, so backpressure reaches the tailer.
"""

from loglines.runtime.producer import CapWatch


def run(ctx):
    options = ctx.section.options
    source = ctx.queue(options.listento)
    targets = [ctx.queue(name) for name in options.fanout]
    ctx.start_heartbeat([source.name])
    ctx.log.info("moving %s into %s", source.name, ", ".join(t.name for t in targets))
    cap = CapWatch(ctx.log, "waiting for room", "moving on")
    while not ctx.stop.is_set():
        moved, full = ctx.call(source.fanout, targets, options.batch_size)
        if full is not None:
            cap.full(full.name)
            ctx.stop.wait(min(1.0, options.idletime))
            continue
        cap.room()
        if moved:
            ctx.counters.add("moved", moved)
            ctx.counters.flush_due()
            continue
        ctx.counters.flush()
        if ctx.burst:
            break
        ctx.call(source.wait, options.idletime)
    return 0
