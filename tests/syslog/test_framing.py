"""RFC 6587 framing: octet counting and newline framing told apart per
message, long messages skipped with bounded memory."""

from hypothesis import given
from hypothesis import strategies as st

from loglines.inputs.syslog.framing import (
    INCOMPLETE,
    OK,
    PREFIX_BYTES,
    TOO_LONG,
    Decoder,
    Frame,
    datagram,
)


def ok(data):
    return Frame(OK, data, len(data))


def feed_all(decoder, *chunks):
    return [f for chunk in chunks for f in decoder.feed(chunk)]


def test_both_framings_mixed_on_one_stream():
    d = Decoder(100)
    stream = b"11 <13>one\ntwo<13>a\n<13>b\r\n\n8 <13>c dd"
    assert d.feed(stream) == [ok(b"<13>one\ntwo"), ok(b"<13>a"), ok(b"<13>b"), ok(b"<13>c dd")]


def test_frames_split_anywhere_come_out_whole():
    stream = b"9 <13>1 abc<13>line one\n13 <13>1 abcdefg"
    for cut in range(len(stream)):
        d = Decoder(100)
        got = feed_all(d, stream[:cut], stream[cut:])
        assert got == [ok(b"<13>1 abc"), ok(b"<13>line one"), ok(b"<13>1 abcdefg")], cut


def test_digits_without_a_space_are_a_line():
    # A sender that is neither resynchronises at the next newline.
    assert Decoder(100).feed(b"123abc\n12345678901234 x\n<13>y\n") == [
        ok(b"123abc"), ok(b"12345678901234 x"), ok(b"<13>y")]


def test_a_long_line_is_skipped_keeping_a_prefix():
    d = Decoder(1000)
    chunks = [b"<13>" + b"x" * 4096] + [b"y" * 4096] * 100 + [b"tail\n<13>after\n"]
    got = []
    for chunk in chunks:
        got += d.feed(chunk)
        assert d.buffered <= 1000
    size = 4 + 4096 * 101 + 4
    assert got == [Frame(TOO_LONG, (b"<13>" + b"x" * 4096)[:PREFIX_BYTES], size), ok(b"<13>after")]


def test_a_long_counted_message_is_skipped_without_buffering():
    d = Decoder(1000)
    body = b"<13>" + b"z" * 5000
    got = feed_all(d, b"5004 ", body[:3000], body[3000:], b"5 <13>k")
    assert got == [Frame(TOO_LONG, body[:PREFIX_BYTES], 5004), ok(b"<13>k")]
    assert d.buffered == 0


def test_a_line_of_exactly_the_limit_is_kept():
    line = b"<13>" + b"a" * 96
    assert Decoder(100).feed(line + b"\n") == [ok(line)]
    assert Decoder(99).feed(line + b"\n")[0].kind == TOO_LONG


def test_what_is_left_at_the_end():
    d = Decoder(100)
    d.feed(b"<13>last line without newline")
    assert d.close(eof=True) == ok(b"<13>last line without newline")
    d.feed(b"<13>cut by us")
    assert d.close(eof=False) == Frame(INCOMPLETE, b"<13>cut by us", 13)
    d.feed(b"20 <13>short")
    assert d.close().kind == INCOMPLETE
    assert d.close() is None


def test_datagrams():
    assert datagram(b"<13>hello\n", 100) == ok(b"<13>hello")
    assert datagram(b"x" * 300, 100) == Frame(TOO_LONG, b"x" * PREFIX_BYTES, 300)


@given(st.lists(st.binary(max_size=300), max_size=20), st.integers(1, 50))
def test_any_bytes_in_any_chunks_stay_bounded(chunks, size):
    d = Decoder(64)
    for chunk in chunks:
        for frame in d.feed(chunk):
            assert len(frame.data) <= max(64, PREFIX_BYTES)
        # A prefix is kept of a skipped line (max_line_size is at least that).
        assert d.buffered <= max(64, PREFIX_BYTES)
