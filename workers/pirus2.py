"""pirus2: decides with the plugin which lines are usage events and
delivers each to the tracker (IRUS OpenURL over HTTP GET, or Matomo bulk
POSTs); the stage itself is loglines.outputs.pirus2."""

from loglines.outputs.delivery.urls import Endpoint
from loglines.outputs.pirus2 import Pirus2
from loglines.runtime.consumer_loop import consume


def run(ctx):
    worker = Pirus2(ctx)
    ctx.start_heartbeat([worker.queue.name])
    if worker.dry_run_file:
        mode = f"dry run: URLs written to {worker.dry_run_file}"
    else:
        mode = f"to {Endpoint(ctx.section.options.endpoint_url).shown}"  # never its secrets
    ctx.log.info("delivering events of %s with plugin %s, %s", worker.queue.name,
                 worker.plugin.path.name, mode)
    try:
        consume(ctx, worker.queue, worker.handle, ctx.section.options.batch_size,
                before_fetch=worker.room_downstream)
    finally:
        worker.client.close()
    return 0
