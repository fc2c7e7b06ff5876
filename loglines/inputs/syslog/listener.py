"""Accepting TCP connections ourselves.

asyncio's ``create_server`` wraps every accepted socket in a transport
before the protocol can refuse it, and closes a refused one only a loop
iteration later; under a flood of connections past ``max_connections`` the
descriptors pile up until accept() fails, and asyncio then logs a traceback
per failed accept. Here a socket past the limit is closed the moment it is
accepted, and running out of descriptors pauses accepting for a second
with one counted warning.
"""

from __future__ import annotations

import errno
import socket

BACKLOG = 128  # also the most sockets accepted in one go
RETRY_ACCEPT = 1.0  # seconds without accepting after running out of descriptors
OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


class Listener:
    """Calls ``take(sock)`` with each accepted socket; ``out_of_resources(err)``
    when accept() fails for want of descriptors or memory."""

    def __init__(self, loop, host, port, take, out_of_resources):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.create_server((host, port), family=family, backlog=BACKLOG)
        self.sock.setblocking(False)
        self.loop = loop
        self.take = take
        self.out_of_resources = out_of_resources
        self.retry = None
        loop.add_reader(self.sock.fileno(), self._ready)

    def close(self):
        if self.retry is not None:
            self.retry.cancel()
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()

    def _ready(self):
        for _ in range(BACKLOG):
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                self._failed(err)
                return
            self.take(conn)

    def _failed(self, err):
        if err.errno not in OUT_OF_RESOURCES:
            return  # the client went away before accept (ECONNABORTED and the like)
        self.loop.remove_reader(self.sock.fileno())
        self.retry = self.loop.call_later(RETRY_ACCEPT, self._resume)
        self.out_of_resources(err)

    def _resume(self):
        self.retry = None
        self.loop.add_reader(self.sock.fileno(), self._ready)
