"""metrics: a Prometheus endpoint for the whole deployment.

Serves /metrics on ``bind``:``port`` (loopback by default); every scrape
reads Redis (queue depths, counters of every process on every host, the
delivery latency histogram, tailer lag, live consumers), so one instance
is enough whatever the number of workers and hosts.
"""

from prometheus_client import CollectorRegistry, start_http_server

from loglines.errors import ConfigError
from loglines.metrics.collector import RedisCollector


def serve(ctx, port=None):
    """Start the HTTP server in a thread; returns (server, thread)."""
    o = ctx.section.options
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisCollector(ctx.store, ctx.config.worker_sections(),
                                     ctx.config.queue_names()))
    port = o.port if port is None else port
    try:
        return start_http_server(port, addr=o.bind, registry=registry)
    except OSError as err:
        raise ConfigError(f"{ctx.config.path}: [{ctx.section.name}] port: cannot listen on "
                          f"{o.bind}:{port}: {err.strerror or err}") from None


def run(ctx):
    server, thread = serve(ctx)
    ctx.start_heartbeat([])
    host, port = server.server_address[:2]
    ctx.log.info("serving Prometheus metrics on http://%s:%d/metrics", host, port)
    try:
        # Burst mode has nothing to drain: it only checks the endpoint starts.
        while not ctx.burst and not ctx.stop.wait(1.0):
            pass
    finally:
        server.shutdown()
        thread.join(5)
    return 0
