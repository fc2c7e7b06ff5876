"""The asyncio syslog server: TCP and UDP on one port.

One loop serves every connection, so a slow or hostile client costs only
its own bytes: a connection buffers at most ``max_line_size`` (the framing
drops the rest of a longer message as it arrives), reads go into one shared
``recv_size`` buffer, connections past ``max_connections`` are closed at
once (listener.py), and connections idle for ``cleanup_timeout`` are
closed. The open-files limit is raised to fit ``max_connections``, or
``max_connections`` lowered to fit the limit, with a warning.

Backpressure: when the outbox holds ``queued_events``, every TCP connection
stops reading (the kernel's window fills and senders slow down, nothing is
lost) until it is half empty again; UDP cannot be paused, so datagrams that
arrive meanwhile are dropped and counted (``dropped_udp_overflow``).
"""

from __future__ import annotations

import asyncio
import resource
import socket
import time
from dataclasses import dataclass

from .framing import Decoder, datagram
from .listener import Listener

TICK = 0.05  # how soon a stop or room in the outbox is noticed
SWEEP = 1.0  # how often idle connections are looked for
REFUSED_LOG_EVERY = 60.0  # seconds between warnings about refused connections
# Descriptors beyond max_connections: the one being refused, Redis, logs.
SPARE_FILES = 64


@dataclass(frozen=True)
class Settings:
    bind: str = "127.0.0.1"
    port: int = 514
    protocols: tuple = ("tcp", "udp")
    max_line_size: int = 16384
    recv_size: int = 65536
    cleanup_timeout: float = 300.0  # 0: never
    max_connections: int = 1000


class Connection(asyncio.BufferedProtocol):
    def __init__(self, server):
        self.server = server
        self.transport = None
        self.peer = "?"
        self.decoder = Decoder(server.settings.max_line_size)
        self.last = time.monotonic()

    def connection_made(self, transport):
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = peer[0] if peer else "?"
        self.server.register(self)

    def get_buffer(self, sizehint):
        return self.server.read_buffer

    def buffer_updated(self, nbytes):
        self.last = time.monotonic()
        frames = self.decoder.feed(bytes(self.server.read_buffer[:nbytes]))
        self.server.deliver(frames, self.peer, "tcp")

    def eof_received(self):
        self._finish(eof=True)
        return False  # close; syslog never answers

    def connection_lost(self, exc):
        self._finish(eof=False)
        self.server.forget(self)

    def _finish(self, eof):
        frame = self.decoder.close(eof)
        if frame is not None:
            self.server.deliver([frame], self.peer, "tcp")


class Datagrams(asyncio.DatagramProtocol):
    def __init__(self, server):
        self.server = server

    def datagram_received(self, data, addr):
        if self.server.outbox.full():
            self.server.outbox.count("dropped_udp_overflow")
            return
        frame = datagram(data, self.server.settings.max_line_size)
        self.server.deliver([frame], addr[0], "udp")

    def error_received(self, exc):
        self.server.log.debug("UDP error: %s", exc)


class SyslogServer:
    """``handle(frame, peer, proto)`` turns each frame into outbox entries."""

    def __init__(self, settings, handle, outbox, log):
        self.settings = settings
        self.handle = handle
        self.outbox = outbox
        self.log = log
        self.read_buffer = memoryview(bytearray(settings.recv_size))
        self.connections = set()
        self.starting = set()  # accepted sockets becoming connections
        self.paused = False
        self.tcp = self.udp = None
        self.max_connections = settings.max_connections
        self.last_refused_log = self.last_accept_error_log = -REFUSED_LOG_EVERY

    @property
    def buffered(self):
        """Bytes held by all connections' unfinished messages (a gauge for tests)."""
        return sum(c.decoder.buffered for c in self.connections)

    async def start(self):
        loop = asyncio.get_running_loop()
        s = self.settings
        self._fit_open_files_limit()
        if "tcp" in s.protocols:
            self.tcp = Listener(loop, s.bind, s.port, self.take, self._out_of_resources)
        if "udp" in s.protocols:
            try:
                self.udp, _ = await loop.create_datagram_endpoint(
                    lambda: Datagrams(self), local_addr=(s.bind, s.port),
                    family=_family(s.bind))
            except OSError:
                await self.close()
                raise

    async def serve(self, stop):
        """Serve until ``stop`` is set; then close every socket."""
        last_sweep = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(TICK)
            if self.paused and self.outbox.has_room():
                self._resume()
            if time.monotonic() - last_sweep >= SWEEP:
                last_sweep = time.monotonic()
                self._sweep()
        await self.close()

    async def close(self):
        if self.tcp is not None:
            self.tcp.close()
        if self.udp is not None:
            self.udp.close()
        for conn in list(self.connections):
            conn.transport.abort()
        await asyncio.sleep(0)  # let connection_lost run, handing over what they held

    def _fit_open_files_limit(self):
        wanted = self.settings.max_connections + SPARE_FILES
        room = _allow_files(wanted) - SPARE_FILES
        if room < self.max_connections:
            self.max_connections = max(1, room)
            self.log.warning("the open files limit allows only %d connections, not "
                             "max_connections = %d", self.max_connections,
                             self.settings.max_connections)

    def _out_of_resources(self, err):
        self.outbox.count("accept_errors")
        now = time.monotonic()
        if now - self.last_accept_error_log >= REFUSED_LOG_EVERY:
            self.last_accept_error_log = now
            self.log.warning("cannot accept connections: %s (counted as accept_errors)",
                             err.strerror or err)

    def take(self, sock):
        """An accepted socket: closed at once past max_connections."""
        if len(self.connections) + len(self.starting) >= self.max_connections:
            sock.close()
            self.outbox.count("connections_refused")
            self._log_refused()
            return
        task = asyncio.get_running_loop().create_task(self._adopt(sock))
        self.starting.add(task)
        task.add_done_callback(self.starting.discard)

    async def _adopt(self, sock):
        try:
            await asyncio.get_running_loop().connect_accepted_socket(
                lambda: Connection(self), sock)
        except OSError:
            sock.close()  # gone before it was set up

    def register(self, conn):
        self.connections.add(conn)
        if self.paused:
            conn.transport.pause_reading()

    def forget(self, conn):
        self.connections.discard(conn)

    def deliver(self, frames, peer, proto):
        for frame in frames:
            self.handle(frame, peer, proto)
        if not self.paused and self.outbox.full():
            self._pause()

    def _pause(self):
        self.paused = True
        self.log.warning("%d events waiting for Redis: not reading TCP, dropping UDP",
                         len(self.outbox))
        for conn in self.connections:
            conn.transport.pause_reading()

    def _resume(self):
        self.paused = False
        now = time.monotonic()
        for conn in self.connections:
            conn.last = now  # paused is not idle
            conn.transport.resume_reading()
        self.log.info("room again for received events: reading on")

    def _sweep(self):
        timeout = self.settings.cleanup_timeout
        if not timeout or self.paused:
            return
        cutoff = time.monotonic() - timeout
        idle = [c for c in self.connections if c.last < cutoff]
        for conn in idle:
            conn.transport.abort()
        if idle:
            self.outbox.count("idle_closed", len(idle))

    def _log_refused(self):
        now = time.monotonic()
        if now - self.last_refused_log >= REFUSED_LOG_EVERY:
            self.last_refused_log = now
            self.log.warning("%d connections open, the most allowed: refusing more (counted "
                             "as connections_refused)", self.max_connections)


def _allow_files(n):
    """Raise the soft limit on open files towards ``n`` (the common default of
    1024 is too few for max_connections = 1000); the limit it ends at."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= n:
        return n if soft == resource.RLIM_INFINITY else soft
    raised = n if hard == resource.RLIM_INFINITY else min(n, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
    return raised


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET
