"""The HTTP side of the ingest endpoint, on the standard library's server.

One thread per connection, each with a socket timeout, so a slow or
stalled client holds only its own thread and is dropped after
``read_timeout``; the request line and headers must arrive within
``header_timeout`` (``deadlines``), the body at a minimum rate. Past
``max_connections`` a new connection is answered 503 and closed at once,
without a thread. Every answer, errors included, is a JSON body; an
unexpected exception is logged and answered 500, never shown to the client.
"""

import logging
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import simplejson as json

from ...errors import LoglinesError
from .app import UNAUTHORIZED, Answer, error
from .deadlines import HeaderDeadlines

MIN_RATE = 64 * 1024  # bytes/s a body must average after the first read_timeout
CHUNK = 64 * 1024
REFUSED_TOLD_EVERY = 60.0  # seconds between two warnings of refused connections
# A refusal sent before its body was read (413, 401, ...) is followed by a
# lingering close, as web servers do: closing with the body unread would
# reset the connection and could take the answer with it. Bounded, so a
# client cannot hold the thread with it.
LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * 1024 * 1024
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
         b"Retry-After: 1\r\nConnection: close\r\nContent-Length: 45\r\n\r\n"
         b'{"error": "too many connections; try again"}\n')

ROUTES = {
    "/api/v1/record": lambda app, body, client, kind: app.record(body, client, kind),
    "/api/v1/lines": lambda app, body, client, kind: app.lines(body, client),
}


class ClientGone(LoglinesError):
    """The client closed the connection or stopped sending: nobody to answer."""


class IngestServer(ThreadingHTTPServer):
    daemon_threads = True  # a stalled connection never keeps the process alive
    block_on_close = False
    request_queue_size = 128  # the listen backlog; socketserver's 5 drops bursts

    def __init__(self, address, app, max_body, read_timeout, log=None, *,
                 header_timeout=10.0, max_connections=64):
        self.app = app
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.deadlines = HeaderDeadlines(header_timeout)
        self.log = log or logging.getLogger(__name__)
        self._active = 0
        self._idle = threading.Condition()
        self._refused, self._refused_told = 0, -REFUSED_TOLD_EVERY
        super().__init__(address, IngestHandler)
        self.deadlines.start()

    def process_request(self, request, client_address):
        with self._idle:
            busy = self._active >= self.max_connections
            if not busy:
                self._active += 1
        if busy:
            self._refuse(request, client_address)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done()
            raise

    def _refuse(self, request, client_address):
        """Answered from the accepting thread: a short write, never a wait.
        Told once a minute at most: a flood must not fill the log too."""
        self._refused += 1
        now = time.monotonic()
        if now - self._refused_told >= REFUSED_TOLD_EVERY:
            self.log.warning("%d connection(s) refused (the last from %s): %d open already "
                             "(max_connections)", self._refused, client_address[0],
                             self.max_connections)
            self._refused, self._refused_told = 0, now
        try:
            request.setblocking(False)
            request.send(_BUSY)
        except OSError:
            pass
        self.shutdown_request(request)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.deadlines.arrived(request)
            self._done()

    def _done(self):
        with self._idle:
            self._active -= 1
            self._idle.notify_all()

    def server_close(self):
        self.deadlines.stop()
        super().server_close()

    def wait_idle(self, timeout):
        """Wait for the requests being answered to finish; True if they did."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    def handle_error(self, request, client_address):
        # Reached only by errors outside a request's own handling (a reset
        # while answering): one line, no traceback on stderr.
        self.log.info("connection from %s ended abruptly", client_address[0], exc_info=False)


class IngestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "loglines-ingest"
    sys_version = ""

    def setup(self):
        self.timeout = self.server.read_timeout  # StreamRequestHandler sets the socket's
        super().setup()
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK hold every answer ~40 ms
        # (the benchmark measured 2k lines/s at 100 lines per POST).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self):
        self.server.deadlines.waiting(self.connection)
        self._body_read = self._body_unread = False
        super().handle_one_request()

    def finish(self):
        super().finish()
        if self._body_unread:
            self._linger()

    def _declares_a_body(self):
        headers = getattr(self, "headers", None)
        if headers is None:
            return False  # the request line itself was refused
        if "chunked" in headers.get("Transfer-Encoding", "").lower():
            return True
        return any(not n.strip().isdigit() or int(n) > 0
                   for n in headers.get_all("Content-Length") or [])

    def _linger(self):
        """Read and drop what the client still sends, after our last byte,
        for at most LINGER_SECONDS or LINGER_BYTES."""
        sock = self.connection
        try:
            sock.shutdown(socket.SHUT_WR)
            deadline, dropped = time.monotonic() + LINGER_SECONDS, 0
            while dropped < LINGER_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                sock.settimeout(left)
                chunk = sock.recv(CHUNK)
                if not chunk:
                    return
                dropped += len(chunk)
        except OSError:
            return  # gone, or timed out: nothing more to save

    def do_POST(self):
        self.server.deadlines.arrived(self.connection)
        self._serve()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_POST

    def _serve(self):
        try:
            answer = self._answer()
        except ClientGone as err:
            self.server.log.info("%s: %s; dropped", self.client_address[0], err)
            self.close_connection = True
            return
        except Exception:
            self.server.log.exception("answering %s %s", self.command, self.path)
            answer = error(500, "internal error; the server's log has the details")
        if answer.counter:
            self.server.app.count(answer.counter)
        self._send(answer)

    def _answer(self):
        app = self.server.app
        if not app.credentials.check(self.headers.get("Authorization")):
            return UNAUTHORIZED
        route = ROUTES.get(urlsplit(self.path).path)
        if route is None:
            return error(404, f"no such endpoint; POST to {' or '.join(ROUTES)}")
        if self.command != "POST":
            return error(405, "only POST is allowed here", Allow="POST")
        body = self._body()
        if isinstance(body, Answer):
            return body
        return route(app, body, self.client_address[0], self.headers.get("Content-Type"))

    def _body(self):
        """The body, or the Answer refusing it; checked before it is read."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return error(411, "chunked bodies are not accepted; send Content-Length")
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1:
            # Two framings of one body: a proxy in front may pick the other.
            return error(400, "Content-Length is given more than once", "malformed")
        length = lengths[0] if lengths else None
        if length is None:
            return error(411, "Content-Length is required")
        if not length.strip().isdigit():
            return error(400, "Content-Length is not a number", "malformed")
        length = int(length)
        if length > self.server.max_body:
            return error(413, f"the body is over max_body ({self.server.max_body} bytes)",
                         "too_large")
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(HTTPStatus.CONTINUE)
            self.end_headers()
        return self._read(length)

    def _read(self, length):
        # The socket timeout bounds each wait; the deadline bounds a client
        # that sends a byte now and then to keep a thread forever.
        deadline = time.monotonic() + self.server.read_timeout + length / MIN_RATE
        chunks, left = [], length
        try:
            while left:
                chunk = self.rfile.read1(min(left, CHUNK))
                if not chunk:
                    raise ClientGone(f"body ended {left} bytes short of Content-Length")
                chunks.append(chunk)
                left -= len(chunk)
                if left and time.monotonic() > deadline:
                    raise TimeoutError
            self._body_read = True
        except TimeoutError:
            self.close_connection = True
            return error(408, "the body did not arrive in time")
        except ConnectionError as err:
            raise ClientGone(str(err)) from None
        return b"".join(chunks)

    def handle_expect_100(self):
        return True  # 100 Continue is sent by _body, once the request passed the checks

    def send_error(self, code, message=None, explain=None):
        """Errors of the request line and headers, answered in JSON too."""
        self.close_connection = True
        self._send(error(int(code), message or HTTPStatus(code).phrase))

    def _send(self, answer):
        data = json.dumps(answer.body).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.status >= 400:
            # The body may be unread: the connection cannot carry another request.
            self.send_header("Connection", "close")  # sets close_connection too
            self._body_unread = not self._body_read and self._declares_a_body()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        self.server.log.debug("%s %s %s", self.client_address[0], self.requestline, code)

    def log_message(self, format, *args):
        self.server.log.info("%s: %s", self.client_address[0], format % args)
