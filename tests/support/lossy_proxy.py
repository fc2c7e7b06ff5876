"""A TCP proxy in front of a real Redis that can lose the reply of one request.

The request reaches Redis, which runs it; its reply is read from Redis and
thrown away, and the client's connection is closed: what a client sees
when the network fails between a command and its answer. Which request is
chosen by bytes it contains (a script's SHA, a consumer id), so the loss
is deterministic, not a matter of timing.
"""

import contextlib
import selectors
import socket
import threading


class LossyProxy:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lost = threading.Event()  # set once a reply has been lost
        self._lock = threading.Lock()
        self._markers = None
        self._closing = threading.Event()
        self._threads = []

    def lose_reply_to(self, *markers):
        """The next request containing every one of ``markers`` (bytes) runs
        in Redis, but its reply never reaches the client."""
        with self._lock:
            self._markers = markers
            self.lost.clear()

    def __enter__(self):
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc):
        self._closing.set()
        self.listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True, name="lossy-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept(self):
        self.listener.settimeout(0.1)
        while not self._closing.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            client.settimeout(None)
            self._spawn(self._pipe, client)

    def _armed_by(self, request):
        """True (and disarmed) if ``request`` is the one whose reply to lose."""
        with self._lock:
            if self._markers and all(m in request for m in self._markers):
                self._markers = None
                return True
        return False

    def _pipe(self, client):
        upstream = socket.create_connection(self.target)
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        request = b""  # what the client sent since Redis last answered
        doomed = False  # the request sent is the one whose reply is lost
        try:
            while not self._closing.is_set():
                for key, _ in sel.select(timeout=0.1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    if key.fileobj is client:
                        request += data
                        doomed = doomed or self._armed_by(request)
                        upstream.sendall(data)
                    elif doomed:
                        # Redis ran it and answered: drop the answer and the line.
                        self.lost.set()
                        return
                    else:
                        request = b""
                        client.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
