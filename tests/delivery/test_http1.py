"""The HTTP/1.1 answer reader on bytes alone: cut anywhere, it reads the
same answer; what it does not understand it refuses."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loglines.outputs.delivery.http1 import (
    MAX_BODY_BYTES,
    AnswerReader,
    MalformedAnswer,
    header_block,
    request_line,
)

ANSWERS = [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, b"hello", True),
    (b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"3\r\nnot\r\nA;x=y\r\n found at \r\n0\r\nX-Trailer: 1\r\n\r\n", 404, b"not found at ", True),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 204, b"", True),
    (b"HTTP/1.1 302 Found\r\nLocation: https://new/\r\nContent-Length: 0\r\n\r\n", 302, b"",
     True),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, b"ok", False),
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 200, b"ok", False),
]


def read(pieces):
    reader = AnswerReader()
    done = False
    for piece in pieces:
        assert not done  # complete only at the end
        done = reader.feed(piece)
    if not done:
        done = reader.eof()
    assert done
    return reader


@given(st.sampled_from(ANSWERS), st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_an_answer_cut_anywhere_reads_the_same(answer, cuts):
    raw, status, body, reusable = answer
    points = sorted({min(c, len(raw)) for c in cuts} | {0, len(raw)})
    pieces = [raw[a:b] for a, b in itertools.pairwise(points) if b > a]
    reader = read(pieces)
    assert reader.answer().status == status and reader.answer().body == body
    assert reader.reusable is reusable
    if status == 302:
        assert reader.answer().location == "https://new/"


def test_a_close_delimited_body_ends_at_the_close_and_is_not_reused():
    reader = read([b"HTTP/1.1 200 OK\r\n\r\npart one, ", b"part two"])
    assert reader.answer().body == b"part one, part two" and not reader.reusable


def test_bytes_after_the_answer_make_the_connection_unusable():
    reader = AnswerReader()
    assert reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert not reader.reusable


def test_the_body_is_kept_up_to_the_cap_and_no_further():
    reader = AnswerReader()
    head = b"HTTP/1.1 500 X\r\nContent-Length: %d\r\n\r\n" % (10 * MAX_BODY_BYTES)
    assert not reader.feed(head + b"x" * 1000)
    assert reader.feed(b"x" * (2 * MAX_BODY_BYTES))  # complete once past the cap
    assert len(reader.answer().body) == MAX_BODY_BYTES + 1 and not reader.reusable


def test_a_close_after_the_status_keeps_the_status():
    reader = AnswerReader()
    assert not reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    assert reader.eof() and reader.answer() == (200, b"abc", None)


def test_a_close_before_any_answer_is_a_reset():
    with pytest.raises(ConnectionResetError):
        AnswerReader().eof()


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    b"HTTP/2 200\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX: 1\r\n folded\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n",
    b"HTTP/1.1 200 OK\r\nX: " + b"y" * (70 * 1024),
])
def test_what_is_not_a_strict_answer_is_refused(raw):
    with pytest.raises(MalformedAnswer):
        AnswerReader().feed(raw)


@pytest.mark.parametrize("target", ["/a b", "/a\r\nX: y", "/ä", ""])
def test_a_request_target_cannot_split_the_request_line(target):
    with pytest.raises(ValueError):
        request_line("GET", target)


@pytest.mark.parametrize("headers", [{"User-Agent": "a\r\nX-Injected: 1"}, {"Bad Name": "x"},
                                     {"User-Agent": "ü"}])
def test_a_header_cannot_start_another(headers):
    with pytest.raises(ValueError):
        header_block("tracker.example", headers)


def test_the_header_block():
    assert header_block("t.example:8080", {"User-Agent": "loglines/1"}) == (
        b"Host: t.example:8080\r\nAccept-Encoding: identity\r\nUser-Agent: loglines/1\r\n\r\n")
