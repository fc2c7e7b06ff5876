"""The sending loop (pooled.py, connection.py) against real local trackers:
many requests in flight on few connections, answers cut anywhere, trackers
that close, answer late or never, TLS, and a stop mid-stream."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time

import pytest

from loglines.outputs.delivery import MatomoClient
from loglines.outputs.delivery.http1 import MAX_BODY_BYTES
from tests.delivery.raw_tracker import RawTracker, answer_in_pieces, self_signed


@pytest.fixture
def trackers():
    made = []

    def make(*args, **kwargs):
        tracker = RawTracker(*args, **kwargs)
        made.append(tracker)
        return tracker

    yield make
    for tracker in made:
        tracker.close()


def numbered(n):
    return [(i, {"n": str(i)}) for i in range(n)]


def number(path):
    return int(path.rsplit("=", 1)[1])


@pytest.mark.timeout(20)
def test_many_requests_in_flight_on_few_connections_come_back_as_they_finish(
        server, make_client):
    """Event 0 is answered last though sent first, and 1 after the quick
    rest: outcomes are handed over in the order the answers come, on no
    more connections than ``concurrency``."""
    delays = {0: 0.8, 1: 0.4}
    server.script = lambda path: (200, b"", delays.get(number(path), 0.0))
    client = make_client(server.url(), concurrency=4)
    order = [o.key for group in client.stream(numbered(40)) for o in group]
    assert sorted(order) == list(range(40))
    assert order[-1] == 0 and order[-2] == 1
    assert server.max_in_flight >= 2  # the slow ones were in flight with the rest
    assert len(server.client_ports) <= 4


@pytest.mark.timeout(20)
def test_an_answer_that_never_comes_holds_up_only_its_own_connection(trackers, make_client):
    def script(path, sock):
        if number(path) == 0:
            time.sleep(5)  # never answers before the client gives up
            return False
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        return True

    tracker = trackers(script)
    client = make_client(tracker.url(), concurrency=2, timeout=0.3, timeout_ceiling=0.6)
    started = time.monotonic()
    got = [(o.key, time.monotonic() - started, o) for group in client.stream(numbered(20))
           for o in group]
    assert [key for key, _, _ in got[:-1]] == list(range(1, 20))  # all before the timeout
    key, elapsed, outcome = got[-1]
    assert key == 0 and 0.55 <= elapsed < 2.5
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, True, None)
    assert "timed out" in outcome.error
    assert client.late.slowest == 0.6 and client.late.holding_back
    after = client.send_many([(n, {"n": str(50 + n)}) for n in range(2)])
    assert all(o.ok for o in after)  # the hung connection is not the next one's


@pytest.mark.timeout(20)
def test_a_late_answer_is_waited_for_and_counted_once(trackers, make_client):
    def script(path, sock):
        time.sleep(0.5)  # after timeout, before the ceiling
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        return True

    tracker = trackers(script)
    client = make_client(tracker.url(), concurrency=2, timeout=0.2, timeout_ceiling=2.0)
    outcomes = client.send_many(numbered(4))
    assert all(o.ok for o in outcomes) and len(tracker.paths) == 4
    assert client.late.holding_back and 0.5 <= client.late.slowest < 2.0


CHUNKED = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5;ext=1\r\nERROR\r\n", b"13\r\n: not logged, sorry\r\n", b"0\r\n",
           b"Trailer: x\r\n\r\n")


@pytest.mark.timeout(20)
def test_a_chunked_answer_read_across_many_reads_and_the_connection_kept(trackers, make_client):
    tracker = trackers(answer_in_pieces(*CHUNKED))
    client = make_client(tracker.url(), concurrency=1)
    first, second = client.send_many(numbered(2))
    assert (first.ok, first.temporary, first.status) == (False, True, 200)
    assert "ERROR: not logged, sorry" in first.error  # the whole body, chunks joined
    assert second.error == first.error.replace("n=0", "n=1")
    assert len(tracker.client_ports) == 1  # read to its exact end, so reused


@pytest.mark.timeout(20)
@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_a_body_over_the_cap_is_cut_and_its_connection_dropped(trackers, make_client, framing):
    big = b"x" * (MAX_BODY_BYTES * 4)
    heads = {
        "length": b"Content-Length: %d\r\n\r\n" % len(big),
        "chunked": b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(big),
        "close": b"\r\n",
    }

    def script(path, sock):
        sock.sendall(b"HTTP/1.1 503 Busy\r\n" + heads[framing])
        with contextlib.suppress(OSError):  # the client stopped reading and closed
            sock.sendall(big)
        return framing != "close"

    tracker = trackers(script)
    client = make_client(tracker.url(), concurrency=1)
    outcomes = client.send_many(numbered(3))
    assert all((o.status, o.temporary) == (503, True) for o in outcomes)
    assert outcomes[0].error == "tracker answered HTTP 503: " + "x" * 200 + "..."
    assert len(tracker.client_ports) == 3  # never reused after a cut body


@pytest.mark.timeout(20)
def test_a_connection_the_tracker_closes_while_idle_within_a_stream_is_replaced(
        trackers, make_client):
    """The rate limit keeps the connection idle between requests of one
    stream, long enough for the tracker to close it: the next request goes
    on a new connection, and every event is delivered."""
    def script(path, sock):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.05)
        return False  # closed while idle, without saying so in the answer

    tracker = trackers(script)
    client = make_client(tracker.url(), concurrency=2, ratelimit=8.0)
    outcomes = client.send_many(numbered(5))
    assert [o.ok for o in outcomes] == [True] * 5
    assert len(tracker.client_ports) == 5


@pytest.mark.timeout(20)
def test_stop_mid_stream_starts_nothing_more_and_answers_what_was_sent(server, make_client):
    server.script = lambda path: (200, b"", 0.1)
    client = make_client(server.url(), concurrency=2)
    stop = threading.Event()
    got, stopped_at = [], None
    for group in client.stream(numbered(50), stop=stop):
        got += [o.key for o in group]
        if stopped_at is None:
            stop.set()
            stopped_at = time.monotonic()
    assert time.monotonic() - stopped_at < 0.5  # the requests in flight, no more
    assert 1 <= len(got) <= 4 and sorted(got) == list(range(len(got)))
    assert len(server.paths) == len(got)  # every request sent got its outcome


@pytest.mark.timeout(20)
def test_leaving_the_stream_early_leaves_no_answer_for_the_next_request(server, make_client):
    server.script = lambda path: (404, f"about {path}".encode(), 0.05 * (number(path) % 3))
    client = make_client(server.url(), concurrency=4)
    groups = client.stream(numbered(40))
    next(groups)
    groups.close()  # answers still on their way on some connections
    outcomes = client.send_many([(n, {"n": str(100 + n)}) for n in range(8)])
    for n, outcome in enumerate(outcomes):
        assert f"n={100 + n}" in outcome.error  # each its own answer, none left over


@pytest.mark.timeout(20)
@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",  # bare LFs
    b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n folded\r\n\r\n",
])
def test_a_malformed_answer_is_a_temporary_failure(trackers, make_client, answer):
    def script(path, sock):
        sock.sendall(answer)
        return False

    tracker = trackers(script)
    client = make_client(tracker.url(), concurrency=1)
    outcomes = client.send_many(numbered(2))
    assert all((o.ok, o.temporary, o.status) == (False, True, None) for o in outcomes)
    assert outcomes[0].error.startswith("MalformedAnswer: ")


@pytest.mark.timeout(20)
def test_https_with_a_trusted_certificate_keeps_its_connections(
        trackers, make_client, tmp_path, monkeypatch):
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tracker = trackers(tls=context)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # what create_default_context trusts
    client = make_client(tracker.url(), concurrency=2)
    for _ in range(3):
        assert all(o.ok for o in client.send_many(numbered(10)))
    assert len(tracker.paths) == 30 and len(tracker.client_ports) <= 2
    monkeypatch.delenv("SSL_CERT_FILE")
    untrusting = make_client(tracker.url(), concurrency=1)
    [outcome] = untrusting.send_many(numbered(1))
    assert (outcome.ok, outcome.temporary) == (False, True)
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error


@pytest.mark.timeout(20)
def test_a_matomo_bulk_reply_in_chunks_is_judged(trackers, make_client):
    reply = b'{"status": "success", "tracked": 3, "invalid": 0}'
    tracker = trackers(answer_in_pieces(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"%x\r\n%s\r\n" % (10, reply[:10]), b"%x\r\n%s\r\n0\r\n\r\n" % (len(reply) - 10,
                                                                        reply[10:])))
    client = make_client(tracker.url("/matomo.php"), MatomoClient, idsite=1, bulk_size=3)
    events = [(n, {"url_tim": "2024-01-01T00:00:00Z", "svc_dat": f"https://r/{n}"})
              for n in range(6)]
    outcomes = client.send_many(events)
    assert [o.ok for o in outcomes] == [True] * 6
    assert tracker.paths == ["/matomo.php", "/matomo.php"] and len(tracker.client_ports) == 1


@pytest.mark.timeout(20)
def test_a_reset_within_the_body_keeps_the_status(trackers, make_client):
    """The tracker answered 200 and then reset the connection mid-body: the
    status says it counted the event, so it is not sent again."""
    def script(path, sock):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
        time.sleep(0.05)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False  # closed with a reset, not a FIN

    tracker = trackers(script)
    client = make_client(tracker.url(), concurrency=1)
    outcomes = client.send_many(numbered(2))
    assert [(o.ok, o.status) for o in outcomes] == [(True, 200)] * 2
    assert len(tracker.client_ports) == 2
