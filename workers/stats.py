"""stats: keeps the local statistics from the records pirus2 puts on its
``stats_queue`` (one per line the plugin evaluated, an item per pirus2
batch), in the store of ``[store]``; ``batch_size`` counts records.

Each batch is stored with every statistic in one transaction and
acknowledged after it committed; a line stored before (a repeat of the
queue, a replay) counts nothing. The store must have been migrated
(``loglines store migrate``): the worker never creates tables itself.
A statistic new to the store is first counted from the stored lines of
its ``backlog``; the span the store covers and its empty hours are logged.
"""

from loglines.runtime.consumer_loop import consume
from loglines.stats.plugins import load
from loglines.stats.startup import open_store, report_coverage, take_up
from loglines.stats.worker import BUNDLE_MAX, StatsWorker, records_in


def run(ctx):
    options = ctx.section.options
    statistics, problems = load(ctx.config, ctx.section.name, options.statistics)
    for problem in problems:
        ctx.log.error("%s; the other statistics are kept", problem)
    engine = open_store(ctx)
    if engine is None:
        return 0  # asked to stop while the store was unreachable
    take_up(ctx, engine, statistics)
    report_coverage(ctx, engine)
    worker = StatsWorker(ctx, engine, statistics)
    ctx.start_heartbeat([worker.queue.name])
    ctx.log.info("keeping %s from %s", ", ".join(s.name for s in statistics) or "no statistic",
                 worker.queue.name)
    try:
        consume(ctx, worker.queue, worker.handle, options.batch_size,
                linger=options.flush_interval, weigh=records_in, heaviest=BUNDLE_MAX)
    finally:
        engine.dispose()
    return 0
