"""Doing a local step again until it works: a file on a full disk, a folder
that takes no new file. The worker holds what it has (the batch stays in
flight, the position stays in Redis) instead of failing it or exiting."""

import time


def until_done(ctx, attempt, errors, every, failing, recovered):
    """``attempt()`` until it raises none of ``errors``; True then, False when
    asked to stop first.

    Said once each: ``failing(err)`` gives the warning of the first failure,
    ``recovered(seconds)`` the line when it works again. Each failed attempt
    counts ``retries`` in the counters.
    """
    since = None
    while True:
        try:
            attempt()
        except errors as err:
            if since is None:
                since = time.monotonic()
                ctx.log.warning("%s; trying again every %g s", failing(err), every)
            ctx.counters.add("retries")
            if ctx.stop.wait(every):
                return False
            continue
        if since is not None:
            ctx.log.info("%s", recovered(time.monotonic() - since))
        return True
