"""httpingest against clients that try to hold it open: headers sent a byte
at a time, more connections than it serves, two Content-Length headers, an
``args`` too large for literal_eval to read cheaply."""

import resource
import shutil
import socket
import subprocess
import time

import pytest

from loglines.inputs.http.records import MAX_LITERAL, literal
from tests.ingest.conftest import basic
from tests.support.queues import drain
from tests.support.waiting import wait_for

LINES = "/api/v1/lines"


def _ended(sock):
    try:
        return sock.recv(1000) == b""
    except (TimeoutError, ConnectionError):
        return True


def test_headers_sent_a_byte_at_a_time_are_cut_at_header_timeout(endpoint):
    # read_timeout is 1 s: each byte comes well within it, the whole never does.
    e = endpoint("header_timeout = 2")
    request = b"POST /api/v1/lines HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    with e.connect() as slow:
        started = time.monotonic()
        for byte in request:
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                break  # cut: the point
            slow.settimeout(0.5)
            try:
                if slow.recv(1000, socket.MSG_PEEK) == b"":
                    break
            except TimeoutError:
                pass
            if time.monotonic() - started > 15:
                break
        elapsed = time.monotonic() - started
        assert _ended(slow)
    assert 2 <= elapsed < 5, elapsed


def test_connections_past_max_connections_get_503_at_once(endpoint):
    e = endpoint("max_connections = 3")
    held = [e.connect() for _ in range(3)]
    try:
        for sock in held:
            sock.sendall(b"POST /api/v1/li")  # stalled in its request line
        # Accepted in order: by the fourth, the three are counted.
        with e.connect() as extra:
            extra.settimeout(5)
            started = time.monotonic()
            answer = extra.recv(1000)
        # Not held until a header deadline: turned away as it came.
        assert time.monotonic() - started < 3
        assert answer.startswith(b"HTTP/1.1 503 ") and b"too many connections" in answer
    finally:
        for sock in held:
            sock.close()
    # Once they are gone the endpoint serves again (until it has noticed,
    # a post is still turned away, and may find the connection closed).
    def served():
        try:
            return e.post(LINES, b"after\n")[0] == 202
        except OSError:
            return False

    assert wait_for(served, timeout=10)
    assert [m["logline"] for m in drain(e.queue)] == ["after"]


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2) to read the backlog")
def test_the_listen_backlog_is_not_socketservers_5(endpoint):
    e = endpoint()
    listing = subprocess.run(["ss", "-ltnH", f"sport = :{e.port}"], capture_output=True,
                             text=True, check=True).stdout.split()
    assert int(listing[2]) >= 128  # Send-Q of a listening socket: its backlog


def test_two_content_length_headers_are_refused(endpoint):
    e = endpoint()
    with e.connect() as sock:
        sock.sendall(b"POST /api/v1/lines HTTP/1.1\r\nHost: x\r\nAuthorization: "
                     + basic()["Authorization"].encode()
                     + b"\r\nContent-Length: 4\r\nContent-Length: 10\r\n\r\nabc\n")
        sock.settimeout(10)
        answer = b"".join(iter(lambda: sock.recv(1000), b""))
    assert answer.startswith(b"HTTP/1.1 400 ") and b"more than once" in answer
    assert drain(e.queue) == []


def test_a_refusal_reaches_a_client_still_sending_its_body(endpoint):
    """413 is answered before the body is read; the endpoint then drops what
    still comes instead of resetting the connection, which would lose it."""
    e = endpoint()  # max_body = 4096
    body = b"x" * 12_000_000  # far more than the socket buffers hold
    with e.connect() as sock:
        sock.sendall(b"POST /api/v1/lines HTTP/1.1\r\nHost: x\r\nAuthorization: "
                     + basic()["Authorization"].encode()
                     + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        sock.settimeout(10)
        answer = b"".join(iter(lambda: sock.recv(1000), b""))
    assert answer.startswith(b"HTTP/1.1 413 ") and b"over max_body" in answer


def test_a_huge_args_literal_is_not_read():
    huge = "(" + "[" * 10 + "1, " * (2 * 1024 * 1024) + "]" * 10 + ",)"
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.process_time()
    assert literal(huge) is None
    assert time.process_time() - started < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before.ru_maxrss < 200_000
    small = "(" + "1, " * (MAX_LITERAL // 4) + ")"
    assert len(literal(small)) == MAX_LITERAL // 4  # what fits is still read
