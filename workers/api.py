"""api: the read-only statistics API over HTTP (``loglines.api``).

Serves the statistics the stats section keeps (``stats_section``, by
default the only one) from the store of ``[store]``, on ``bind``:``port``
(127.0.0.1:8480). Without a password reads are open, which the
configuration allows on a loopback address only; with one, every path but
``/api/v1/health`` asks for HTTP Basic credentials. The store is waited
for while it cannot be reached and must be migrated; once serving, an
outage is answered 503 until the store is back. COUNTER_SUSHI 5.1 is
served under ``/r51/`` as the ``sushi_`` keys say (``loglines.api.sushi``).
"""

from loglines.api.app import create_app
from loglines.api.server import ApiServer
from loglines.api.sushi import Service, Settings
from loglines.errors import ConfigError
from loglines.records.users import Users
from loglines.stats.plugins import load
from loglines.stats.startup import open_store
from loglines.store.engine import describe

WATCH_EVERY = 1.0  # seconds: how soon a stop, or a server that died, is noticed


def statistics(ctx):
    """The statistics of the stats section this API serves."""
    o = ctx.section.options
    # The stats section's options, not this section's: its list says what exists.
    kept = ctx.config.program(o.stats_section).options
    found, problems = load(ctx.config, o.stats_section, kept.statistics)
    for problem in problems:
        ctx.log.error("%s; the other statistics are served", problem)
    return found


def server(ctx, app):
    o = ctx.section.options
    try:
        return ApiServer(app, o.bind, o.port)
    except OSError as err:
        raise ConfigError(f"{ctx.config.path}: [{ctx.section.name}] port: cannot listen on "
                          f"{o.bind}:{o.port}: {err.strerror or err}") from None


def run(ctx):
    o = ctx.section.options
    served = statistics(ctx)
    users = Users.from_options(o, ctx.config.path, ctx.section.name)
    engine = open_store(ctx)
    if engine is None:
        return 0  # asked to stop while the store was unreachable
    try:
        app = create_app(engine, served, o.username, o.password, log=ctx.log,
                         queues=ctx.store, targets=ctx.config.delivery_targets(),
                         record_users=users)
        app.state.sushi = Service(Settings.from_options(o))
        with server(ctx, app) as api:
            ctx.start_heartbeat([])
            ctx.log.info("serving %s of the store %s on %s/api/v1/ (%s)",
                         ", ".join(s.name for s in served) or "no statistic",
                         describe(engine.url), api.url,
                         "password required" if o.password else "open to this machine")
            # Burst mode has nothing to drain: it only checks that the API starts.
            while not ctx.burst and api.running() and not ctx.stop.wait(WATCH_EVERY):
                pass
            if not api.running():
                ctx.log.error("the API server stopped by itself: %r", api.failed)
                return 1
    finally:
        engine.dispose()
    return 0
