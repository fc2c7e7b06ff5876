"""Reading what logging's HTTPHandler sends: formatted as getMessage would,
with the arguments read as literals only."""

import logging
from urllib.parse import urlencode

import pytest

from loglines.inputs.http import records


def form(msg, args=(), **extra):
    record = logging.LogRecord("app", logging.INFO, "f.py", 1, msg, args, None)
    return urlencode({**record.__dict__, **extra}).encode()


@pytest.mark.parametrize("msg, args, expected", [
    ("%s and %d", ("a", 2), "a and 2"),
    ("%(who)s read %(n)03d", ({"who": "bob", "n": 7},), "bob read 007"),
    ("100%% sure %s", ("yes",), "100% sure yes"),
    ("plain", (), "plain"),
    ("%-10s|", ("left",), "left      |"),
])
def test_the_message_is_formatted_as_logging_does(msg, args, expected):
    assert records.parse(form(msg, args), max_width=1000).message == expected


def test_a_message_already_formatted_is_taken_as_it_is():
    body = form("%s", ("ignored",), message="as formatted by another handler")
    assert records.parse(body, 1000).message == "as formatted by another handler"


def test_logger_and_level_come_along():
    record = records.parse(form("x"), 1000)
    assert (record.logger, record.level) == ("app", "INFO")


@pytest.mark.parametrize("args_text", ["__import__('os').system('true')", "(1,) + (2,)",
                                       "(" * 100_000, "[1, 2]", "'text'"])
def test_anything_but_a_tuple_or_dict_literal_leaves_msg_unformatted(args_text):
    body = urlencode({"msg": "value %s", "args": args_text}).encode()
    assert records.parse(body, 1000).message == "value %s"


@pytest.mark.parametrize("body", [b"garbage", b"\xc3(", b"name=x", b"&".join([b"a=1"] * 500)])
def test_not_a_record_is_malformed(body):
    with pytest.raises(records.MalformedRecord):
        records.parse(body, 1000)
