"""uvicorn serving the app in a thread of its own.

Not in the main thread: there uvicorn would take SIGTERM and SIGINT for
itself, and a worker's signals belong to its StopFlag. The worker's main
thread watches the flag and asks uvicorn to exit; the requests under way
get ``grace`` seconds to finish. The socket is bound here, before uvicorn
runs, so that a port in use is an OSError for the caller, not a line that
uvicorn logs before it leaves its thread.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from ..errors import LoglinesError

GRACE = 5.0  # seconds the requests under way get at a stop
START_TIMEOUT = 30.0

# uvicorn tells each step of starting and stopping at INFO; loglines logs
# one line per notable event, and its errors (a traceback) stay visible.
logging.getLogger("uvicorn.error").setLevel(logging.WARNING)


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (port 0: a free one)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


class ApiServer:
    def __init__(self, app, host="127.0.0.1", port=0, grace=GRACE):
        self.sock = bind(host, port)
        self.server = uvicorn.Server(uvicorn.Config(
            app, log_config=None, access_log=False, server_header=False, lifespan="off",
            timeout_graceful_shutdown=grace))
        self.grace = grace
        self.thread = threading.Thread(target=self._run, name="api", daemon=True)
        self.failed = None

    @property
    def address(self):
        return self.sock.getsockname()[:2]

    @property
    def url(self):
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def _run(self):
        try:
            self.server.run(sockets=[self.sock])
        except BaseException as err:  # SystemExit too: uvicorn's way out of a failed start
            self.failed = err

    def start(self):
        """Serve; returns once uvicorn accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise LoglinesError(f"the API server did not start: {self.failed!r}")
            time.sleep(0.01)
        return self

    def running(self):
        return self.thread.is_alive()

    def stop(self):
        """Stop accepting, let the requests under way finish, then return."""
        self.server.should_exit = True
        self.thread.join(self.grace + 5)
        self.sock.close()
        return not self.thread.is_alive()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
