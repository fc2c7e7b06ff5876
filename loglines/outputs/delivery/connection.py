"""Non-blocking keep-alive connections to one tracker origin, for the
sending loop (pooled.py): one thread drives all of them with a selector.

A ``Connection`` carries one exchange at a time and moves it on when its
socket is ready: connect (and the TLS handshake for https) under
``connect_timeout``, write the request, read the answer under the read
timeout (the late-answer ceiling, late_answers.py). Nothing blocks but the
address lookup of a new connection, which keep-alive makes rare.

A connection the tracker closed while it was idle reads as ready (the
peer's FIN, or a TLS close_notify) and is dropped before it is used again,
so an idle period does not turn the next requests into failures. Nothing is
retried: an error is the caller's to classify.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import ssl
import time
from urllib.parse import urlsplit

from loglines.outputs.delivery.http1 import Answer, AnswerReader, MalformedAnswer
from loglines.outputs.delivery.late_answers import LateAnswers

READ, WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE
_CONNECTING, _HANDSHAKE, _SENDING, _RECEIVING, _IDLE = range(5)
# Errors that end an exchange as a temporary failure (the tracker may be back later).
FAILURES = (OSError, MalformedAnswer)


class Connection:
    __slots__ = (
        "_addresses",
        "deadline",
        "events",
        "origin",
        "out",
        "reader",
        "sock",
        "started",
        "state",
        "unit",
    )

    def __init__(self, origin: Origin):
        self.origin = origin
        self.sock = None
        self.state = _IDLE
        self.events = 0
        self.out = b""
        self.reader: AnswerReader | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.unit = None

    def start(self, unit, request: bytes, now: float) -> None:
        """Begin an exchange; the socket's readiness moves it on (``ready``)."""
        self.unit, self.out, self.started = unit, request, now
        self.reader = AnswerReader()
        if self.sock is None:
            self._addresses = self.origin.addresses()
            self.deadline = now + self.origin.connect_timeout
            self._connect()
        else:
            self.deadline = now + self.origin.late.read_timeout
            self.state = _SENDING
            self._send()

    def ready(self, now: float) -> Answer | None:
        """Do what the socket allows; the answer once it is complete."""
        state = self.state
        if state == _RECEIVING:
            return self._receive()
        if state == _SENDING:
            self._send()
        elif state == _CONNECTING:
            self._connected(now)
        elif state == _HANDSHAKE:
            self._handshake(now)
        return None

    @property
    def connecting(self) -> bool:
        return self.state in (_CONNECTING, _HANDSHAKE)

    def idle_closed(self) -> bool:
        """Whether an idle connection that read as ready was closed (or sent junk)."""
        if not isinstance(self.sock, ssl.SSLSocket):
            return True
        try:
            self.sock.recv(1)  # a byte (junk) or EOF: either way not usable
        except ssl.SSLWantReadError:
            return False  # TLS housekeeping (a session ticket), not data
        except OSError:
            pass
        return True

    def close(self) -> None:
        if self.sock is not None:
            self.origin.forget(self)
            self.sock.close()
            self.sock = None
        self.state, self.unit, self.reader = _IDLE, None, None

    def _connect(self) -> None:
        family, kind, proto, _, address = self._addresses.pop(0)
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.state = sock, _CONNECTING
        self.origin.watch(self, WRITE)
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            self._refused(code)

    def _connected(self, now: float) -> None:
        code = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self._refused(code)
        elif self.origin.tls is not None:
            self.sock = self.origin.tls.wrap_socket(
                self.origin.forget(self), server_hostname=self.origin.host,
                do_handshake_on_connect=False)
            self.state = _HANDSHAKE
            self.origin.watch(self, READ | WRITE)
            self._handshake(now)
        else:
            self._begin_request(now)

    def _refused(self, code: int) -> None:
        if not self._addresses:
            raise OSError(code, f"{self.origin.name}: {errno.errorcode.get(code, code)}: "
                                + os.strerror(code))
        self.origin.forget(self)
        self.sock.close()
        self._connect()  # the next address of the name, as socket.create_connection does

    def _handshake(self, now: float) -> None:
        try:
            self.sock.do_handshake()
        except ssl.SSLWantReadError:
            self.origin.watch(self, READ)
        except ssl.SSLWantWriteError:
            self.origin.watch(self, WRITE)
        else:
            self._begin_request(now)

    def _begin_request(self, now: float) -> None:
        self.deadline = now + self.origin.late.read_timeout
        self.state = _SENDING
        self._send()

    def _send(self) -> None:
        try:
            sent = self.sock.send(self.out)
        except (BlockingIOError, ssl.SSLWantWriteError):
            sent = 0
        except ssl.SSLWantReadError:
            self.origin.watch(self, READ)
            return
        self.out = self.out[sent:]
        if self.out:
            self.origin.watch(self, WRITE)
        else:
            self.state = _RECEIVING
            self.origin.watch(self, READ)

    def _receive(self) -> Answer | None:
        reader, sock = self.reader, self.sock
        while True:
            try:
                data = sock.recv(65536)
            except (BlockingIOError, ssl.SSLWantReadError):
                return None
            except ssl.SSLWantWriteError:
                self.origin.watch(self, READ | WRITE)
                return None
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                data = b""
            had_head = reader.has_head
            done = reader.feed(data) if data else reader.eof()
            if reader.has_head and not had_head:
                self.origin.late.answered(time.monotonic() - self.started)
            if done:
                return reader.answer()
            # A TLS record may hold more than was asked for, which select
            # would not report: read it out before waiting again.
            if not (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                return None


class Origin:
    """Where a client's connections go: address, TLS, timeouts, lateness, and
    the selector the sending loop waits on."""

    def __init__(self, origin: str, connect_timeout: float, read_timeout: float,
                 read_ceiling: float | None = None, concurrency: int = 1):
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname, parts.port or (443 if parts.scheme == "https"
                                                             else 80)
        self.name = f"{self.host}:{self.port}"
        self.connect_timeout = connect_timeout
        # Late answers are waited for up to the ceiling, with fewer in flight.
        self.late = LateAnswers(read_timeout, read_ceiling or read_timeout, concurrency)
        self.tls = ssl.create_default_context() if parts.scheme == "https" else None
        self.selector = selectors.DefaultSelector()
        self.idle: list[Connection] = []
        self._closed = False

    def addresses(self) -> list:
        return socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)

    def connection(self) -> Connection:
        """An idle connection, or a new one to open."""
        return self.idle.pop() if self.idle else Connection(self)

    def watch(self, conn: Connection, events: int) -> None:
        if conn.events == events:
            return
        if conn.events:
            self.selector.modify(conn.sock, events, conn)
        else:
            self.selector.register(conn.sock, events, conn)
        conn.events = events

    def forget(self, conn: Connection) -> socket.socket:
        """Stop watching ``conn``'s socket; returns it (to wrap it in TLS)."""
        if conn.events:
            self.selector.unregister(conn.sock)
            conn.events = 0
        return conn.sock

    def release(self, conn: Connection, reusable: bool) -> None:
        """An exchange is over: keep the connection for the next, or close it."""
        if reusable:
            conn.state, conn.unit, conn.reader = _IDLE, None, None
            self.idle.append(conn)
        else:
            conn.close()

    def idle_ready(self, conn: Connection) -> None:
        """An idle connection read as ready: closed by the tracker, most likely."""
        if conn.idle_closed():
            self.idle.remove(conn)
            conn.close()

    def drop_closed_idle(self) -> None:
        """Close the idle connections the tracker closed since they were used."""
        for key, _ in self.selector.select(0):
            self.idle_ready(key.data)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for key in list(self.selector.get_map().values()):
            key.data.close()
        for conn in self.idle:
            conn.close()
        self.idle.clear()
        self.selector.close()
