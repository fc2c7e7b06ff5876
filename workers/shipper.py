"""shipper: gathers packages of collected data for each finished period
and ships them (loglines.shipping), one ship job of its queue at a time.

Every ``interval`` seconds it looks for periods that ended ``settle``
seconds ago and were not gathered yet, under the section's lock (one
gatherer at a time, however many processes); a gathering that finds the
lock taken is skipped until the next look.
"""

import time

from loglines.errors import PluginError
from loglines.runtime.consumer_loop import consume
from loglines.shipping.book import Locked
from loglines.shipping.gather import GatherError
from loglines.shipping.section import Shipping
from loglines.shipping.ship import Shipper


def run(ctx):
    options = ctx.section.options
    try:
        shipping = Shipping(ctx.config, ctx.section, ctx.store)
    except PluginError as err:
        ctx.log.error("%s", err)
        return 3
    queue = ctx.queue(options.listento)
    ctx.start_heartbeat([queue.name])
    ctx.log.info("shipping %s to %s every %g s", ", ".join(options.groups),
                 shipping.target.describe(), options.interval)
    next_look = 0.0

    def look():
        nonlocal next_look
        if time.monotonic() >= next_look:
            next_look = time.monotonic() + options.interval
            try:
                if not ctx.call(shipping.gather, shipping.due, queue, ctx.log):
                    ctx.log.info("nothing due: every finished period is gathered")
            except Locked as err:
                ctx.log.info("%s", err)
            except GatherError as err:
                ctx.log.error("nothing gathered: %s; trying again in %g s", err,
                              options.interval)
        return True

    try:
        look()
        consume(ctx, queue, Shipper(ctx, shipping, queue).handle, 1, before_fetch=look)
    finally:
        shipping.close()
    return 0
