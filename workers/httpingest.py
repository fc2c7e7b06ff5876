"""httpingest: an HTTP endpoint that queues log lines sent by applications.

``POST /api/v1/lines`` takes newline-separated raw lines (202, queued all
or none); ``POST /api/v1/record`` takes what Python's
``logging.handlers.HTTPHandler`` sends (201 with an id). Each line becomes
``{"service", "logline", "source": "http:<client ip>", "received"}`` (plus
``logger``, ``level`` and ``id`` for a record) on ``pushto``. A record
may also come as JSON, or many as a JSON array or NDJSON (201, or 207
with one answer per record when some could not be read); with
``records_queue`` each record is also pushed there, before ``pushto``,
for the records worker to keep (docs/design.md, Log records).

HTTP Basic authentication always: the worker refuses to start without a
password. It binds to 127.0.0.1 unless ``bind`` says otherwise. A full
queue or a Redis outage is answered 503 with Retry-After, never waited out
inside a request, so the client decides and keeps its lines meanwhile.
"""

import threading

from loglines.errors import ConfigError
from loglines.inputs.http import Credentials, Ingest, IngestServer
from loglines.records.users import Users, Writers

FLUSH_EVERY = 1.0  # seconds between counter flushes; also how soon a stop is noticed
GRACE = 5.0  # seconds the requests being answered get to finish at a stop


def credentials(ctx):
    o = ctx.section.options
    if not o.password:
        raise ConfigError(f"{ctx.config.path}: [{ctx.section.name}] password: missing; "
                          "an HTTP endpoint always needs one (password = ${SOME_VARIABLE} "
                          "takes it from the environment)")
    users = Users.from_options(o, ctx.config.path, ctx.section.name)
    return Writers(Credentials(o.username, o.password), users)


def server(ctx, app):
    o = ctx.section.options
    try:
        return IngestServer((o.bind, o.port), app, o.max_body, o.read_timeout, log=ctx.log,
                            header_timeout=o.header_timeout,
                            max_connections=o.max_connections)
    except OSError as err:
        raise ConfigError(f"{ctx.config.path}: [{ctx.section.name}] port: cannot listen on "
                          f"{o.bind}:{o.port}: {err.strerror or err}") from None


def flush_counts(ctx, app):
    for name, n in app.take_counts().items():
        ctx.counters.add(name, n)
    ctx.counters.flush()


def run(ctx):
    o = ctx.section.options
    queue = ctx.queue(o.pushto)
    records = ctx.queue(o.records_queue) if o.records_queue else None
    app = Ingest(o.servicename, queue.push, credentials(ctx), o.max_line_size, log=ctx.log,
                 records_push=records.push if records else None)
    httpd = server(ctx, app)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                              name="httpingest", daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    ctx.log.info("listening on http://%s:%d/ (POST /api/v1/lines, /api/v1/record) into %s as "
                 "%s%s", host, port, queue.name, app.service,
                 f", records kept through {records.name}" if records else "")
    try:
        ctx.start_heartbeat([queue.name] + ([records.name] if records else []))
        while not ctx.stop.wait(FLUSH_EVERY):
            flush_counts(ctx, app)
    finally:
        # shutdown() waits for serve_forever to return, so it must come from
        # this thread, not the server's; requests under way get GRACE to finish.
        httpd.shutdown()
        if not httpd.wait_idle(GRACE):
            ctx.log.warning("stopping with requests still being answered")
        httpd.server_close()
        thread.join()
        flush_counts(ctx, app)
    return 0
