"""httpingest over real sockets: lines and logging records reach the queue,
whole or not at all, behind Basic auth and size limits; a full queue or a
Redis outage is a 503; a slow client holds only its own connection."""

import http.client
import logging
import logging.handlers
import socket
import time
from urllib.parse import urlencode

import pytest

from loglines.errors import ConfigError
from loglines.queue.keys import Keyspace
from tests.ingest.conftest import PASSWORD, USER, Endpoint, basic, write_config
from tests.support.queues import drain
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for

LINES = "/api/v1/lines"
RECORD = "/api/v1/record"


def record_form(msg, args=(), **fields):
    """What logging.handlers.HTTPHandler posts for a record."""
    record = logging.LogRecord("app.downloads", logging.WARNING, __file__, 1, msg, args, None)
    return urlencode({**record.__dict__, **fields})


def test_the_standard_http_handler_delivers_the_formatted_message(endpoint):
    e = endpoint()
    handler = logging.handlers.HTTPHandler(f"127.0.0.1:{e.port}", RECORD, method="POST",
                                           secure=False, credentials=(USER, PASSWORD))
    logger = logging.getLogger("tests.ingest.app")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("download of %s by %s", "/files/42/paper.pdf", "192.0.2.1")
        logger.warning("%(who)s read %(what)s", {"who": "alice", "what": "/items/7"})
    finally:
        logger.removeHandler(handler)
    got = drain(e.queue)
    assert [m["logline"] for m in got] == ["download of /files/42/paper.pdf by 192.0.2.1",
                                          "alice read /items/7"]
    first = got[0]
    assert first["service"] == "repo.example.ac.uk"
    assert first["source"] == "http:127.0.0.1"
    assert (first["logger"], first["level"]) == ("tests.ingest.app", "WARNING")
    assert abs(first["received"] - time.time()) < 60


def test_a_record_is_answered_201_with_the_id_it_is_queued_under(endpoint):
    e = endpoint()
    status, _, body = e.post(RECORD, record_form("hello %s", ("world",)),
                             {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 201
    [message] = drain(e.queue)
    assert message["id"] == body["id"]
    assert message["logline"] == "hello world"


@pytest.mark.parametrize("msg, args_text, expected", [
    ("width bomb %999999999s", "('x',)", "width bomb %999999999s"),
    ("star %*s", "(5, 'x')", "star %*s"),
    ("not literal %s", "(__import__('os').getpid(),)", "not literal %s"),
    ("wrong count %s %s", "('one',)", "wrong count %s %s"),
    ("no args %s", "None", "no args %s"),
])
def test_arguments_are_never_evaluated_and_never_blow_up(endpoint, msg, args_text, expected):
    e = endpoint()
    assert e.post(RECORD, record_form(msg, args=args_text))[0] == 201
    assert [m["logline"] for m in drain(e.queue)] == [expected]


def test_lines_are_queued_with_their_source(endpoint):
    e = endpoint()
    body = b"first line\r\nsecond line\n\ncaf\xc3\xa9 \xff\n"
    status, _, answer = e.post(LINES, body)
    assert (status, answer) == (202, {"queued": 3})
    got = drain(e.queue)
    assert [m["logline"] for m in got] == ["first line", "second line", "caf\u00e9 \ufffd"]
    assert {m["source"] for m in got} == {"http:127.0.0.1"}
    assert {m["service"] for m in got} == {"repo.example.ac.uk"}


def test_a_line_over_max_line_size_refuses_the_whole_body(endpoint):
    e = endpoint()
    status, _, answer = e.post(LINES, b"fine\n" + b"x" * 300 + b"\nfine too\n")
    assert status == 400
    assert "line 2" in answer["error"]
    assert e.queue.stats().ready == 0


@pytest.mark.parametrize("headers", [basic(USER, "wrong"), basic("nobody", PASSWORD),
                                     {"Authorization": "Bearer x"}, {"Authorization": "Basic !"},
                                     {}])
def test_without_the_right_credentials_401(endpoint, headers):
    e = endpoint()
    status, got, answer = e.post(LINES, b"a line\n", headers, auth=False)
    assert status == 401
    assert got["WWW-Authenticate"].startswith("Basic ")
    assert "error" in answer
    assert e.queue.stats().ready == 0


def test_an_oversized_body_is_refused_before_it_is_sent(endpoint):
    e = endpoint()
    conn = http.client.HTTPConnection("127.0.0.1", e.port, timeout=10)
    conn.putrequest("POST", LINES)
    for name, value in basic().items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", "4097")  # max_body is 4096
    conn.endheaders()  # and no body: the server must answer without waiting for it
    started = time.monotonic()
    response = conn.getresponse()
    assert response.status == 413
    assert time.monotonic() - started < 0.9  # under read_timeout: it did not read
    conn.close()


def test_no_content_length_is_411(endpoint):
    e = endpoint()
    with e.connect() as s:
        s.sendall(b"POST /api/v1/lines HTTP/1.1\r\nHost: x\r\nAuthorization: "
                  + basic()["Authorization"].encode() + b"\r\n\r\n")
        assert s.recv(1000).startswith(b"HTTP/1.1 411 ")


@pytest.mark.parametrize("body", [b"no equals sign", b"\xff\xfe=1", b"name=x&levelname=INFO"])
def test_malformed_record_is_400(endpoint, body):
    e = endpoint()
    status, _, answer = e.post(RECORD, body)
    assert status == 400
    assert answer["error"]


def test_unknown_path_404_and_other_methods_405(endpoint):
    e = endpoint()
    assert e.post("/api/v1/nothing", b"x")[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", e.port, timeout=10)
    conn.request("GET", LINES, headers=basic())
    response = conn.getresponse()
    assert (response.status, response.getheader("Allow")) == (405, "POST")
    conn.close()


def test_a_full_queue_is_503_and_nothing_is_half_queued(endpoint):
    e = endpoint(queues="[[loglines]]\ncap = 3")
    assert e.queue.push(['"a"', '"b"', '"c"']).accepted
    status, headers, _ = e.post(LINES, b"one\ntwo\n")
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert e.queue.stats().ready == 3
    drain(e.queue)
    assert e.post(LINES, b"one\ntwo\n")[0] == 202
    assert e.queue.stats().ready == 2


def test_redis_down_is_503(tmp_path, prefix):
    config = write_config(tmp_path, prefix, free_port())  # nothing listens there
    with Endpoint(config) as e:
        status, headers, _ = e.post(LINES, b"a line\n")
    assert status == 503
    assert "Retry-After" in headers


def test_an_unexpected_error_is_500_json_without_traceback(endpoint, redis_client, prefix):
    e = endpoint()
    redis_client.set(Keyspace(prefix).queue("loglines").ready, "not a list")
    status, _, answer = e.post(LINES, b"a line\n")
    assert status == 500
    assert "Traceback" not in answer["error"]


def test_a_slow_client_does_not_block_others_and_is_timed_out(endpoint):
    e = endpoint()
    with e.connect() as slow:
        slow.sendall(b"POST /api/v1/lines HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                     + b"Authorization: " + basic()["Authorization"].encode()
                     + b"\r\n\r\npartial")
        started = time.monotonic()
        assert e.post(LINES, b"quick\n")[0] == 202
        assert time.monotonic() - started < 0.9
        slow.settimeout(10)
        answer = slow.recv(1000)
        assert answer.startswith(b"HTTP/1.1 408 ")
    with e.connect() as stalled:  # not even a complete request line
        stalled.sendall(b"POST /api/v1/li")
        stalled.settimeout(10)
        assert wait_for(lambda: _closed(stalled), timeout=10)
    assert [m["logline"] for m in drain(e.queue)] == ["quick"]


def _closed(sock):
    try:
        return sock.recv(1000) == b""
    except (TimeoutError, ConnectionError):
        return True


def test_no_password_refuses_to_start_with_one_line(tmp_path, redis_server, prefix):
    with pytest.raises(ConfigError) as err:  # `loglines check` says it too
        write_config(tmp_path, prefix, redis_server.port, environ={"INGEST_TEST_PASSWORD": ""})
    assert len(err.value.problems) == 1
    assert "[logger_http] password" in err.value.problems[0]


def test_it_stops_on_ctx_stop_and_counts(endpoint, store):
    e = endpoint()
    e.post(LINES, b"a\nb\n")
    e.post(LINES, b"x", auth=False)
    e.post(LINES, b"x" * 300)
    e.__exit__(None, None, None)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", e.port), timeout=1).close()
    counts = store.counts("logger_http")
    assert counts["lines"] == 2 and counts["rejected_auth"] == 1 and counts["malformed"] == 1
