"""Slow, huge, junk and idle clients cannot stall the others or grow memory;
a full queue pauses reading without losing anything; a stop flushes."""

import threading
import time

from tests.support.queues import drain
from tests.support.waiting import wait_for

from .senders import (
    LINE,
    closed_by_peer,
    connect,
    dribble,
    newline,
    octets,
    rfc3164,
    tcp_send,
    udp_send,
)


def arrives(running, n, timeout=10):
    return wait_for(lambda: running.queue.stats().ready >= n, timeout=timeout)


def test_a_slowloris_does_not_stall_others_and_is_closed_when_idle(syslogd):
    stop = threading.Event()
    with syslogd(cleanup_timeout=1.0) as running:
        slow = connect(running.port)
        idle = connect(running.port)
        idle.sendall(b"<13>half a mess")
        message = newline(rfc3164("slow"))  # a byte every 50 ms: about 2 s
        sender = threading.Thread(target=dribble, args=(slow, message, 0.05, stop))
        sender.start()
        for n in range(5):
            tcp_send(running.port, newline(rfc3164(LINE.format(n=n))))
        assert arrives(running, 5, timeout=1)  # while the slow one is still sending
        assert sender.is_alive()
        assert closed_by_peer(idle, wait=4)  # idle past cleanup_timeout: closed
        sender.join()
        assert not closed_by_peer(slow, wait=0.1)  # slow but never idle that long: kept
        slow.close()
        assert arrives(running, 6, timeout=2)
        assert wait_for(lambda: running.counts().get("idle_closed") == 1)
        assert wait_for(lambda: running.counts().get("incomplete") == 1)
    assert drain(running.queue)[-1]["logline"] == "slow"
    [dead] = running.queue.dead_items()
    assert dead.error.startswith("incomplete:") and "half a mess" in dead.payload.decode()


def test_a_huge_line_without_newline_is_skipped_with_bounded_memory(syslogd):
    with syslogd(max_line_size=4096) as running:
        buffered = []
        chunk = b"A" * 65536
        with connect(running.port) as huge:
            huge.sendall(b"<13>Jan  2 03:04:05 h nginx: ")
            for _ in range(400):  # 25 MiB, no newline
                huge.sendall(chunk)
                buffered.append(running.daemon.server.buffered)
            tcp_send(running.port, newline(rfc3164("meanwhile")))  # others are served
            assert arrives(running, 1, timeout=5)
            huge.sendall(b"\n" + newline(rfc3164("after the long one")))
            assert arrives(running, 2, timeout=5)
        assert max(buffered) <= 4096
        assert wait_for(lambda: running.counts().get("line_too_long") == 1)
    assert [m["logline"] for m in drain(running.queue)] == ["meanwhile", "after the long one"]
    [dead] = running.queue.dead_items()
    assert dead.error.startswith(f"line_too_long: {29 + 400 * 65536} bytes")
    assert len(dead.payload) < 1024


def test_binary_junk_is_counted_and_the_connection_goes_on(syslogd):
    junk = bytes(range(256)) * 64  # 16 KiB, newlines and digits included
    with syslogd() as running:
        with connect(running.port) as sock:
            sock.sendall(junk + b"\n" + newline(rfc3164("after junk")))
            assert arrives(running, 1, timeout=5)
        assert wait_for(lambda: running.counts().get("malformed", 0) >= 1)
        got = drain(running.queue)
    assert got[-1]["logline"] == "after junk"


def test_connections_past_max_connections_are_refused_others_keep_working(syslogd):
    with syslogd(max_connections=20) as running:
        socks = [connect(running.port) for _ in range(60)]
        try:
            assert wait_for(lambda: running.counts().get("connections_refused") == 40)
            open_ = [s for s in socks if not closed_by_peer(s, wait=0.05)]
            assert len(open_) == 20
            open_[7].sendall(newline(rfc3164("from an admitted connection")))
            assert arrives(running, 1, timeout=5)
            for s in open_[:5]:
                s.close()
            assert wait_for(lambda: len(running.daemon.server.connections) == 15)
            tcp_send(running.port, newline(rfc3164("from a new connection")))
            assert arrives(running, 2, timeout=5)
        finally:
            for s in socks:
                s.close()
    assert [m["logline"] for m in drain(running.queue)] == [
        "from an admitted connection", "from a new connection"]


def test_a_full_queue_pauses_reading_and_loses_nothing(syslogd):
    total = 1000
    data = b"".join(octets(rfc3164(f"line {n}")) for n in range(total))
    with syslogd(queues="[[loglines]]\ncap = 100", queued_events=200, batch_size=50,
                 recv_size=4096) as running:
        server, outbox = running.daemon.server, running.daemon.outbox
        sender = threading.Thread(target=tcp_send, args=(running.port, data))
        sender.start()
        assert wait_for(lambda: server.paused, timeout=5)
        held = []
        for _ in range(10):
            held.append(len(outbox))
            time.sleep(0.05)
        # UDP cannot be paused: what the outbox has no room for is dropped, and counted.
        udp_send(running.port, *(rfc3164(f"udp {n}", tag="udp") for n in range(50)))
        assert wait_for(lambda: running.counts().get("dropped_udp_overflow", 0) > 0)
        got = []
        while len(got) < total + 50 - running.counts()["dropped_udp_overflow"]:
            assert arrives(running, 1, timeout=10), f"stuck after {len(got)}"
            got += drain(running.queue)
        sender.join()
    # Over the outbox by at most what one read chunk holds (about 40 bytes a message).
    assert max(held) <= 200 + 4096 // 30
    assert [m["logline"] for m in got if m["syslog_tag"] == "nginx"] == [
        f"line {n}" for n in range(total)]


def test_a_stop_flushes_what_is_held_even_into_a_full_queue(syslogd):
    total = 500
    with syslogd(queues="[[loglines]]\ncap = 10", batch_size=20) as running:
        tcp_send(running.port, b"".join(newline(rfc3164(f"line {n}")) for n in range(total)))
        assert wait_for(lambda: running.queue.stats().ready + len(running.daemon.outbox)
                        == total, timeout=5)
        started = time.monotonic()
        running.stop()
        assert time.monotonic() - started < 5
        assert running.result == 0
    assert [m["logline"] for m in drain(running.queue)] == [f"line {n}" for n in range(total)]
