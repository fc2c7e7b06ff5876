"""RFC 5424 and RFC 3164 (as senders write it), and what is malformed."""

import pytest

from loglines.inputs.syslog.parse import Malformed, Message, parse

LINE = '1.2.3.4 - - [01/Jan/2025:00:00:00 +0000] "GET /id/eprint/1 HTTP/1.1" 200 5 "-" "UA"'


@pytest.mark.parametrize("raw, host, tag", [
    (f"<190>Jan  2 03:04:05 web1 nginx: {LINE}", "web1", "nginx"),  # nginx access_log syslog:
    (f"<13>Dec 31 23:59:59 web1 apache[1234]: {LINE}", "web1", "apache"),
    (f"<13>2025-01-01T00:00:00.123+00:00 web1 repo: {LINE}", "web1", "repo"),  # rsyslog
    (f"<13>Jan  2 03:04:05 nginx: {LINE}", "", "nginx"),  # no hostname (local /dev/log)
    (f"<13>nginx[7]: {LINE}", "", "nginx"),  # no timestamp
    (f"<13>Jan  2 03:04:05 web1 {LINE}", "web1", ""),  # no tag
])
def test_rfc3164(raw, host, tag):
    assert parse(raw.encode()) == Message(host, tag, LINE)


def test_rfc5424_with_structured_data_and_bom():
    raw = ('<165>1 2025-01-01T00:00:00Z web1 nginx 99 ID47 [exampleSDID@32473 iut="3" '
           'eventSource="App\\"x\\]\\\\"][auth@1 token="s3"] \ufeff' + LINE)
    assert parse(raw.encode()) == Message("web1", "nginx", LINE, {
        "exampleSDID@32473": {"iut": "3", "eventSource": 'App"x]\\'}, "auth@1": {"token": "s3"},
    }, 5424)


def test_rfc5424_nil_values():
    assert parse(b"<13>1 - - - - - - " + LINE.encode()) == Message("", "", LINE, {}, 5424)
    assert parse(b"<13>1 - host app - - -") == Message("host", "app", "", {}, 5424)


def test_invalid_utf8_is_replaced_not_refused():
    assert parse(b"<13>Jan  2 03:04:05 h t: caf\xe9").text == "caf\ufffd"


@pytest.mark.parametrize("raw, reason", [
    (b"GET / HTTP/1.1", "no <PRI> header"),
    (b"\x00\xff\xfe\x16\x03\x01 junk", "no <PRI> header"),
    (b"<999>Jan  2 03:04:05 h t: x", "PRI 999 out of range"),
    (b"<13>1 2025-01-01T00:00:00Z host", "RFC 5424 header cut short"),
    (b"<13>1 - h a - - [no-end x=\"1\" msg", "bad RFC 5424 structured data"),
    (b"<13>1 - h a - - nosd msg", "bad RFC 5424 structured data"),
])
def test_malformed(raw, reason):
    with pytest.raises(Malformed, match=reason):
        parse(raw)
