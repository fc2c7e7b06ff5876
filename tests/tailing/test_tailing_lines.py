"""LineSplitter: cutting bytes into lines, on its own (no files)."""

from loglines.inputs.files.lines import (
    INCOMPLETE_LINE,
    LINE_TOO_LONG,
    REJECT_PREFIX_BYTES,
    Block,
    Line,
    LineSplitter,
    Rejected,
    line_start_pattern,
)

REAL = b'203.0.113.9 - - [01/Dec/2026:10:00:00 +0000] "GET /id/eprint/1/a.pdf HTTP/1.1" 200 9'


def pop_all(splitter):
    items = []
    while (item := splitter.pop()) is not None:
        items.append(item)
    return items


def test_only_complete_lines_are_handed_out():
    splitter = LineSplitter("f", 0, 100)
    splitter.feed(b"one\ntw")
    assert pop_all(splitter) == [Line("one", "f", 0, 4)]
    splitter.feed(b"o\n")
    assert pop_all(splitter) == [Line("two", "f", 4, 4)]
    assert splitter.consumed == splitter.end == 8


def test_crlf_loses_its_cr_but_size_counts_it():
    splitter = LineSplitter("f", 10, 100)
    splitter.feed(b"a\r\nb\n")
    assert pop_all(splitter) == [Line("a", "f", 10, 3), Line("b", "f", 13, 2)]


def test_invalid_utf8_becomes_replacement_characters():
    splitter = LineSplitter("f", 0, 100)
    splitter.feed(b"caf\xc3\xa9 \xff\xfe!\n")
    assert pop_all(splitter)[0].text == "café \ufffd\ufffd!"


def test_long_line_with_its_newline_in_the_buffer_is_rejected():
    splitter = LineSplitter("f", 0, 5)
    splitter.feed(b"12345\n123456\nok\n")
    items = pop_all(splitter)
    assert items == [
        Line("12345", "f", 0, 6),
        Rejected(LINE_TOO_LONG, "f", 6, 7, "123456"),
        Line("ok", "f", 13, 3),
    ]


def test_long_line_is_skipped_without_being_kept():
    splitter = LineSplitter("f", 0, 100)
    splitter.feed(b"x" * 150)
    assert splitter.pop() is None
    for _ in range(100):
        splitter.feed(b"y" * 1000)
        assert splitter.pop() is None
        assert splitter.buffered == 0
    splitter.feed(b"yy\nnext\n")
    reject, line = pop_all(splitter)
    assert reject.reason == LINE_TOO_LONG
    assert (reject.offset, reject.size) == (0, 150 + 100_000 + 3)
    assert reject.prefix == "x" * 150
    assert line == Line("next", "f", reject.size, 5)
    assert splitter.consumed == splitter.end


def test_reject_prefix_is_bounded():
    splitter = LineSplitter("f", 0, 10)
    splitter.feed(b"z" * 5000 + b"\n")
    (reject,) = pop_all(splitter)
    assert reject.prefix == "z" * REJECT_PREFIX_BYTES


def test_finish_hands_out_buffered_lines_then_rejects_the_unfinished_one():
    splitter = LineSplitter("f", 0, 100)
    splitter.feed(b"a\nb\npart")
    assert splitter.pop() == Line("a", "f", 0, 2)
    assert splitter.finish() == [
        Line("b", "f", 2, 2),
        Rejected(INCOMPLETE_LINE, "f", 4, 4, "part"),
    ]


def test_finish_during_a_skip_rejects_the_long_line():
    splitter = LineSplitter("f", 0, 3)
    splitter.feed(b"abcdef")
    assert splitter.pop() is None
    assert splitter.finish() == [Rejected(LINE_TOO_LONG, "f", 0, 6, "abcdef")]


def take_all(splitter, max_lines, max_bytes):
    """Lines (from their blocks) and rejects of one take, in order."""
    items = []
    for item in splitter.take(max_lines, max_bytes):
        items += item.lines() if isinstance(item, Block) else [item]
    return items


def pop_up_to(splitter, max_lines, max_bytes):
    """What a caller of pop within the same limits gets."""
    items, size = [], 0
    while len(items) < max_lines and size < max_bytes:
        item = splitter.pop()
        if item is None:
            break
        items.append(item)
        size += item.size
    return items


DATA = (b"one\r\nt\"w\\o\n" + b"x" * 12 + b"\ncaf\xc3\xa9 \xff\n\n" + b"y" * 30 + b"\nlast\npart")


def test_take_hands_out_what_pop_would_in_blocks():
    for max_lines in (1, 2, 3, 100):
        for max_bytes in (1, 5, 13, 26, 1000):
            for chunk in (1, 7, len(DATA)):
                popped, taken = LineSplitter("f", 3, 10), LineSplitter("f", 3, 10)
                got, want = [], []
                for i in range(0, len(DATA), chunk):
                    popped.feed(DATA[i:i + chunk])
                    taken.feed(DATA[i:i + chunk])
                    while True:  # in step: when a skip starts decides the reject's prefix
                        got.append(take_all(taken, max_lines, max_bytes))
                        want.append(pop_up_to(popped, max_lines, max_bytes))
                        if not got[-1]:
                            break
                    assert taken.consumed == popped.consumed
                assert got == want
                assert pop_all(popped) == []
                assert [i for i in taken.finish_blocks()] == popped.finish()


def test_a_block_is_cut_around_an_over_long_line():
    splitter = LineSplitter("f", 0, 3)
    splitter.feed(b"a\nbb\ntoolong\nc\n")
    first, reject, last = splitter.take(10, 1000)
    assert first == Block("f", 0, [b"a", b"bb"], 5)
    assert reject == Rejected(LINE_TOO_LONG, "f", 5, 8, "toolong")
    assert last == Block("f", 13, [b"c"], 2)
    assert last.lines() == [Line("c", "f", 13, 2)]


# A line glued to the end of an over-long one (a writer that died mid-line,
# a blob dumped into the log) is cut off it and kept; only the bytes before
# it are rejected, and the offsets stay contiguous for the checkpoint.


def test_a_line_glued_to_a_skipped_one_is_kept():
    splitter = LineSplitter("f", 0, 1000, line_start_pattern(None))
    for _ in range(50):
        splitter.feed(b"x" * 100_000)  # 5 MB without a newline
        assert splitter.pop() is None
    assert splitter.buffered < 2000
    splitter.feed(REAL + b"\n" + REAL + b"\n")
    reject, glued, after = pop_all(splitter)
    assert reject == Rejected(LINE_TOO_LONG, "f", 0, 5_000_000, "x" * REJECT_PREFIX_BYTES)
    assert glued == Line(REAL.decode(), "f", 5_000_000, len(REAL) + 1)
    assert after.offset == glued.offset + glued.size and after.text == REAL.decode()
    assert splitter.consumed == splitter.end


def test_a_line_glued_to_a_long_one_in_the_buffer_is_kept_by_pop_and_take():
    junk = b"\x00junk" * 800
    data = b"ok\n" + junk + REAL + b"\nnext\n"
    popper = LineSplitter("f", 0, 1000, line_start_pattern(None))
    popper.feed(data)
    popped = pop_all(popper)
    assert [type(i).__name__ for i in popped] == ["Line", "Rejected", "Line", "Line"]
    assert popped[1] == Rejected(LINE_TOO_LONG, "f", 3, 4000, junk[:256].decode())
    assert popped[2] == Line(REAL.decode(), "f", 4003, len(REAL) + 1)
    taker = LineSplitter("f", 0, 1000, line_start_pattern(None))
    taker.feed(data)
    taken = taker.take(100, 1 << 20)
    assert [i for b in taken for i in (b.lines() if isinstance(b, Block) else [b])] == popped
    assert taker.consumed == popper.consumed == len(data)


def test_a_line_glued_after_the_limit_stays_rejected_whole():
    """Only the last max_line_size bytes are searched: a start further back
    would make a line over the limit."""
    splitter = LineSplitter("f", 0, 300, line_start_pattern(None))
    splitter.feed(b"x" * 400 + REAL + b"/" * 300 + b"\n")
    [reject] = pop_all(splitter)
    assert reject.size == 400 + len(REAL) + 301


def test_without_a_line_start_the_whole_line_is_rejected():
    for pattern in (None, line_start_pattern("")):
        splitter = LineSplitter("f", 0, 1000, pattern)
        splitter.feed(b"x" * 5000 + REAL + b"\n")
        assert [type(i) for i in pop_all(splitter)] == [Rejected]


def test_the_default_line_start_does_not_cut_inside_digits_or_a_request():
    pattern = line_start_pattern(None)
    assert pattern.search(b"x" + REAL).start() == 1
    assert pattern.search(b"[2001:db8::7 - - [01/Dec/2026:10:00:00 +0000]").start() == 1
    assert pattern.search(b"99" + REAL) is None  # which digits are the address's?
    assert pattern.search(b'"GET /?ip=1.2.3.4 HTTP/1.1" 200 9 "-" "1.2.3.4 x"') is None
