"""A tracker that answers with exactly the bytes a test gives it: chunked
bodies cut anywhere, bodies over the cap, bare LFs, no answer at all, a
close after a pause. A real TCP server on a free port of 127.0.0.1, with
optional TLS, one thread per connection."""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable

# script(path, sock) answers one request by writing to ``sock`` (and
# sleeping, or not answering); it returns whether to read the next request
# on the same connection.
Script = Callable[[str, socket.socket], bool]
_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")


def ok(path: str, sock: socket.socket) -> bool:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    return True


class RawTracker:
    def __init__(self, script: Script = ok, tls: ssl.SSLContext | None = None):
        self.script = script
        self.tls = tls
        self.lock = threading.Lock()
        self.paths: list[str] = []
        self.client_ports: set[int] = set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str = "/counter/") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.open:
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                sock, address = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.client_ports.add(address[1])
                self.open.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
                with self.lock:
                    self.open.append(sock)
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pending += data
                head, _, pending = pending.partition(b"\r\n\r\n")
                length = _LENGTH.search(head)
                while length and len(pending) < int(length[1]):
                    pending += sock.recv(65536)  # a POST's body, which no script reads
                pending = pending[int(length[1]):] if length else pending
                path = head.split(b" ", 2)[1].decode()
                with self.lock:
                    self.paths.append(path)
                if not self.script(path, sock):
                    return
        except OSError:
            return
        finally:
            sock.close()


def answer_in_pieces(*pieces: bytes, pause: float = 0.02) -> Script:
    """Write ``pieces`` one by one with a pause between: the client reads
    each answer across several reads."""

    def script(path, sock):
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(pause)
        return True

    return script


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, made by the openssl command."""
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key
