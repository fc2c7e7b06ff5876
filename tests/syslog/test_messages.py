"""From frame to queue message: service by tag, the token, dead-letter entries."""

import json

from loglines.inputs.syslog.framing import INCOMPLETE, OK, TOO_LONG, Frame
from loglines.inputs.syslog.messages import Converter


def frame(raw):
    return Frame(OK, raw.encode(), len(raw))


def convert(converter, raw):
    outcome = converter.convert(frame(raw) if isinstance(raw, str) else raw, "10.0.0.1", "tcp")
    payload = outcome.payload and json.loads(outcome.payload)
    return outcome.counter, payload, outcome.error


def test_message_with_metadata_and_service_by_tag():
    c = Converter("default.example", {"nginx": "repo.example.ac.uk"})
    assert convert(c, "<13>Jan  2 03:04:05 web1 nginx: the line") == ("lines", {
        "service": "repo.example.ac.uk", "logline": "the line", "syslog_host": "web1",
        "syslog_tag": "nginx", "syslog_peer": "10.0.0.1"}, None)
    assert convert(c, "<13>Jan  2 03:04:05 web1 apache: x")[1]["service"] == "default.example"


def test_token_at_the_start_is_stripped():
    c = Converter("s", token="s3cret")
    assert convert(c, "<13>Jan  2 03:04:05 h t: s3cret  the line")[1]["logline"] == "the line"
    assert convert(c, "<13>Jan  2 03:04:05 h t: the line") == ("rejected_token", None, None)
    assert convert(c, "<13>Jan  2 03:04:05 h t: s3cre the line")[0] == "rejected_token"


def test_token_in_structured_data_is_not_kept():
    c = Converter("s", token="s3cret")
    _, got, _ = convert(c, '<13>1 - h t - - [auth@1 token="s3cret"][x@2 a="b"] line')
    assert got["logline"] == "line" and got["syslog_sd"] == {"auth@1": {}, "x@2": {"a": "b"}}
    _, got, _ = convert(c, "<13>1 - h t - - [s3cret@41058] line")  # Loggly style
    assert got["logline"] == "line" and "syslog_sd" not in got
    assert convert(c, '<13>1 - h t - - [auth@1 token="wrong"] line')[0] == "rejected_token"


def test_bad_input_is_dead_lettered_with_a_prefix_and_reason():
    c = Converter("s")
    counter, payload, error = convert(c, "\x16\x03\x01 binary junk")
    assert counter == "malformed" and error.startswith("malformed: no <PRI> header")
    assert payload == {"service": "s", "logline": "\x16\x03\x01 binary junk",
                       "syslog_peer": "10.0.0.1"}
    counter, payload, error = convert(c, Frame(TOO_LONG, b"<13>xxxx", 100000))
    assert counter == "line_too_long" and payload["logline"] == "<13>xxxx"
    assert error == "line_too_long: 100000 bytes from 10.0.0.1 over tcp"
    assert convert(c, Frame(INCOMPLETE, b"<13>x", 5))[0] == "incomplete"
    assert convert(c, "<13>Jan  2 03:04:05 h t: ")[0] == "malformed"


def test_with_a_token_only_bad_input_showing_it_is_kept_and_never_the_token():
    c = Converter("s", token="s3cret")
    assert convert(c, Frame(TOO_LONG, b"<13>xxxx", 100000))[0] == "rejected_token"
    counter, payload, _ = convert(c, Frame(TOO_LONG, b"<13>h t: s3cret xxx", 100000))
    assert counter == "line_too_long" and payload["logline"] == "<13>h t: [token] xxx"
