"""The syslog receiver as one program: receives access-log lines over
syslog (TCP and UDP, RFC 3164 and RFC 5424, RFC 6587 framing) and pushes
each as ``{"service", "logline",
"syslog_host", "syslog_tag", "syslog_peer"}``.

The asyncio loop (this thread) receives, frames, parses and hands messages
to an in-memory outbox; a pusher thread moves it into Redis in batches, so
the loop never waits on Redis. A full outbox pauses reading (TCP) or drops
and counts (UDP). On SIGTERM it stops accepting, closes the sockets, pushes
what it holds and exits. Malformed and too long messages are dead-lettered
with a prefix; messages without the ``token`` are counted and dropped.
"""


import asyncio
import threading

from ...errors import ConfigError
from .messages import Converter
from .outbox import Entry, Outbox
from .pusher import Pusher
from .server import Settings, SyslogServer

PROTOCOLS = ("tcp", "udp")
# The pusher gives Redis 5 s after a stop; a call in progress may take its
# socket timeout on top of that.
JOIN_TIMEOUT = 20.0


def settings(ctx):
    o = ctx.section.options
    protocols = tuple(p.strip().lower() for p in o.protocols if p.strip())
    if not protocols or set(protocols) - set(PROTOCOLS):
        raise _problem(ctx, "protocols", f"expected tcp, udp or both, got {list(o.protocols)!r}")
    return Settings(
        bind=o.bind, port=o.port, protocols=protocols, max_line_size=o.max_line_size,
        recv_size=o.recv_size, cleanup_timeout=o.cleanup_timeout,
        max_connections=o.max_connections,
    )


def services_by_tag(ctx):
    """``tag:service`` pairs (``service_by_tag = nginx:repo.example.ac.uk, ...``)."""
    pairs = {}
    for item in ctx.section.options.service_by_tag:
        tag, sep, service = item.partition(":")
        if not sep or not tag.strip() or not service.strip():
            raise _problem(ctx, "service_by_tag", f"expected tag:servicename, got {item!r}")
        pairs[tag.strip()] = service.strip()
    return pairs


def _problem(ctx, key, message):
    return ConfigError(f"{ctx.config.path}: [{ctx.section.name}] {key}: {message}")


def handler(converter, outbox):
    """What the server calls for every frame, in the loop thread."""

    def handle(frame, peer, proto):
        outcome = converter.convert(frame, peer, proto)
        if outcome.payload is None:
            outbox.count(outcome.counter)
        else:
            outbox.put(Entry(outcome.counter, outcome.payload, outcome.error))

    return handle


class Syslogd:
    """The worker's parts, built from its section; ``listening`` is set once
    the sockets are bound (tests wait on it)."""

    def __init__(self, ctx):
        o = ctx.section.options
        self.ctx = ctx
        self.converter = Converter(o.servicename, services_by_tag(ctx), o.token)
        self.outbox = Outbox(o.queued_events, o.batch_size)
        self.server = SyslogServer(settings(ctx), handler(self.converter, self.outbox),
                                   self.outbox, ctx.log)
        self.queue = ctx.queue(o.pushto)
        self.pusher = Pusher(ctx, self.queue, self.outbox, o.batch_timeout)
        self.listening = threading.Event()

    def run(self):
        self.ctx.start_heartbeat([self.queue.name])
        self.pusher.start()
        try:
            asyncio.run(self._serve())
        finally:
            flushed = self._flush()
        return 0 if flushed else 1

    async def _serve(self):
        s = self.server.settings
        try:
            await self.server.start()
        except OSError as err:
            raise _problem(self.ctx, "port", f"cannot listen on {s.bind}:{s.port} "
                           f"({err.strerror or err})") from None
        self.ctx.log.info("listening on %s port %d (%s) into %s as %s", s.bind, s.port,
                          ", ".join(s.protocols), self.queue.name, self.converter.service)
        self.listening.set()
        await self.server.serve(self.ctx.stop)

    def _flush(self):
        """Hand what is held to Redis before exiting; False if some was lost."""
        outbox, pusher = self.outbox, self.pusher
        outbox.close()
        if len(outbox):
            self.ctx.log.info("stopped receiving; pushing the %d events held", len(outbox))
        pusher.join(timeout=JOIN_TIMEOUT)
        if pusher.is_alive():
            self.ctx.log.error("Redis did not take the %d events held in time; they are lost",
                               len(outbox))
            return False
        return not pusher.lost
