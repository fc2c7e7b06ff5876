"""The queue message codec: every input's messages are the same text, and
every reader refuses the same malformed items."""

import json

import pytest

from loglines import json_codec, message
from loglines.errors import MalformedMessage
from loglines.inputs.files.lines import LineSplitter

SAMPLES = (b'a "quoted" \\path\\ line\ncaf\xc3\xa9 \xe2\x80\xa8\n\n',
           b"tab\there\nbell\x07\n", b"crlf\r\nnext\n", b"bad \xff\xfe utf-8\n")


def blocks(data):
    splitter = LineSplitter("/logs/\u00e9\"x\".log", 7, 1024)
    splitter.feed(data)
    return splitter.take(100, 10_000)


@pytest.mark.parametrize("data", SAMPLES)
def test_block_messages_are_those_of_its_lines(data):
    """Messages built from a block's bytes at once, or line by line when it
    holds control bytes or invalid UTF-8, are the same JSON."""
    [block] = blocks(data)
    got = [json.loads(m) for m in message.encode_block("s\u00e9rvice", block)]
    assert got == [json.loads(m) for m in message.encode_lines("s\u00e9rvice", block.lines())]
    assert got == [{"service": "s\u00e9rvice", "logline": line.text, "source": line.path,
                    "offset": line.offset} for line in block.lines()]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_tailer_fast_paths_write_the_text_encode_writes(data):
    """Byte for byte, so a replayed line and a tailed line are one message."""
    [block] = blocks(data)
    slow = [message.encode("s\u00e9rvice", line.text, source=line.path, offset=line.offset)
            for line in block.lines()]
    assert message.encode_lines("s\u00e9rvice", block.lines()) == slow
    fast = message.encode_block("s\u00e9rvice", block)
    assert [m if isinstance(m, str) else m.decode("utf-8") for m in fast] == slow


def test_encode_keeps_non_ascii_and_puts_the_2010_keys_first():
    text = message.encode("repo", "caf\u00e9", source="http:127.0.0.1", received=1.5)
    assert text == ('{"service": "repo", "logline": "caf\u00e9", "source": "http:127.0.0.1", '
                    '"received": 1.5}')


def test_read_carries_the_decoded_fields_to_a_second_decode():
    text = message.read(message.encode("repo", "a line").encode("utf-8"))
    assert isinstance(text, str) and json.loads(text) == text.fields
    assert message.decode(text) is text.fields  # not decoded again
    assert message.decode(str(text)) == text.fields  # a plain str is decoded


@pytest.mark.parametrize(("payload", "kind", "says"), [
    (b"\xff\xfe", "not_utf8", "payload is not UTF-8"),
    (b"{not json", "not_json", "payload is not JSON"),
    (b'{"no": "logline"}', "not_a_message", "payload is not a loglines message"),
    (b'{"service": "s", "logline": 3}', "not_a_message", "payload is not a loglines message"),
    (b'["service", "logline"]', "not_a_message", "payload is not a loglines message"),
])
def test_malformed_items_are_refused_with_their_reason(payload, kind, says):
    with pytest.raises(MalformedMessage) as caught:
        message.read(payload)
    assert caught.value.kind == kind and str(caught.value).startswith(says)


@pytest.mark.parametrize("data", SAMPLES)
def test_read_decodes_what_the_standard_library_decodes(data):
    """orjson does the decoding; a message it refuses (a lone surrogate
    escape, which JSON allows) decodes as it always did."""
    [block] = blocks(data)
    for m in message.encode_block("s\u00e9rvice", block):
        payload = m if isinstance(m, bytes) else m.encode("utf-8")
        assert message.read(payload).fields == json.loads(payload)
    escaped = b'{"service": "s", "logline": "bad \\udcff byte"}'
    assert message.read(escaped).fields["logline"] == "bad \udcff byte"


def test_the_codec_keeps_what_orjson_refuses():
    assert json_codec.loads('{"logline": "\\udcff", "n": NaN}')["logline"] == "\udcff"
    assert json.loads(json_codec.dumps({"a": "\udcff"})) == {"a": "\udcff"}
    assert json_codec.dumps({"a": "caf\u00e9", "n": 2**70}) == f'{{"a":"caf\u00e9","n":{2**70}}}'
    with pytest.raises(ValueError):
        json_codec.loads("{not json")


def test_orjson_decodes_the_usual_message(monkeypatch):
    """The fallback is for the rare text: a usual payload never reaches it
    (orjson takes no str subclass, so handing it the MessageText would)."""
    def refuse(*_):
        raise AssertionError("the standard library's decoder was called")
    monkeypatch.setattr(json_codec.json, "loads", refuse)
    assert message.read(message.encode("repo", "caf\u00e9 line").encode("utf-8")).fields[
        "logline"] == "caf\u00e9 line"
    assert message.decode(message.MessageText('{"logline": "x"}')) == {"logline": "x"}
