"""Parsing access-log lines: combined and common formats, LogFormat strings,
regexes, escaped quotes, IPv6, missing referers, and the reasons of rejections."""

import pytest

from loglines.errors import ConfigError
from loglines.usage.logline import UnparseableLine, compile_format, parse, split_request, unescape

COMBINED = compile_format("combined")
LINE = ('192.0.2.10 - - [17/Oct/2010:03:04:42 +0000] "GET /1234/1/paper.pdf HTTP/1.1" 200 '
        '280090 "https://scholar.google.com/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"')


def reject(fmt, text):
    with pytest.raises(UnparseableLine) as info:
        parse(fmt, text)
    return info.value.kind, info.value.detail


def test_combined_fields():
    f = parse(COMBINED, LINE + "\n")
    assert f["host"] == "192.0.2.10" and f["status"] == 200 and f["bytes"] == "280090"
    assert (f["method"], f["target"], f["protocol"]) == ("GET", "/1234/1/paper.pdf", "HTTP/1.1")
    assert f["referer"] == "https://scholar.google.com/"
    assert f["user_agent"] == "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    assert f["utc"] == "2010-10-17T03:04:42Z"


def test_ipv6_client_and_missing_referer_and_size():
    f = parse(COMBINED, '2001:db8::8a2e:370:7334 - alice [17/Oct/2010:03:04:42 +0000] '
                        '"GET / HTTP/2.0" 304 - "-" "curl/8.0"')
    assert f["host"] == "2001:db8::8a2e:370:7334" and f["user"] == "alice"
    assert f["referer"] == "-" and f["bytes"] == "-" and f["status"] == 304


def test_escaped_quotes_and_backslashes_in_the_user_agent_apache_style():
    f = parse(COMBINED, r'192.0.2.1 - - [17/Oct/2010:03:04:42 +0000] "GET /a\"b HTTP/1.1" '
                        r'200 1 "-" "Mozilla/5.0 \"quoted\" back\\slash"')
    assert f["user_agent"] == 'Mozilla/5.0 "quoted" back\\slash'
    assert f["target"] == '/a"b'


def test_nginx_hex_escapes_are_decoded_as_utf8():
    f = parse(COMBINED, r'192.0.2.1 - - [17/Oct/2010:03:04:42 +0000] "GET / HTTP/1.1" 200 1 '
                        r'"-" "say \x22caf\xC3\xA9\x22"')
    assert f["user_agent"] == 'say "café"'
    assert unescape(r"bad \xff byte") == "bad \ufffd byte"
    assert unescape("no escapes") == "no escapes"


def test_common_format_has_no_referer_or_agent():
    f = parse(compile_format("common"), LINE)  # extra fields at the end are ignored
    assert "user_agent" not in f and f["status"] == 200


def test_apache_logformat_with_x_forwarded_for_pasted_from_httpd_conf():
    fmt = compile_format(r'"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" '
                         r'\"%{X-Forwarded-For}i\""')
    f = parse(fmt, LINE + ' "203.0.113.9, 10.0.0.2"')
    assert f["x_forwarded_for"] == "203.0.113.9, 10.0.0.2"
    assert f["user_agent"].startswith("Mozilla")


def test_vhost_combined_and_logformat_with_method_and_path():
    f = parse(compile_format("vhost_combined"),
              'repo.example.ac.uk:443 ' + LINE.replace(" 280090 ", " 280500 "))
    assert f["vhost"] == "repo.example.ac.uk" and f["target"] == "/1234/1/paper.pdf"
    fmt = compile_format('%a %{%Y-%m-%dT%H:%M:%S%z}t %m %U%q %>s "%{User-Agent}i"')
    f = parse(fmt, '192.0.2.7 2010-10-17T04:04:42+01:00 GET /handle/1/2?show=full 200 "UA"')
    assert (f["remote_addr"], f["method"], f["target"]) == ("192.0.2.7", "GET",
                                                            "/handle/1/2?show=full")
    assert f["utc"] == "2010-10-17T03:04:42Z"


def test_a_regex_with_named_groups():
    fmt = compile_format(r"^(?P<host>\S+) \[(?P<time>[^\]]+)\] (?P<request>[^|]*)\|(?P<status>\d+)")
    f = parse(fmt, "192.0.2.1 [17/Oct/2010:03:04:42 +0000] GET /x HTTP/1.1|200")
    assert (f["target"], f["status"]) == ("/x", 200)
    assert reject(fmt, "nonsense")[0] == "format_mismatch"


@pytest.mark.parametrize("spec", ["%h %t %>s", r"(?P<host>\S+) (?P<time>x)", "(?P<unclosed"])
def test_a_format_without_the_needed_fields_is_a_config_error(spec):
    with pytest.raises(ConfigError, match="log_format"):
        compile_format(spec)


@pytest.mark.parametrize(("text", "kind", "detail"), [
    ("", "empty_line", "empty"),
    ("   ", "empty_line", "empty"),
    (LINE[:-12], "truncated_line", "no closing quote after %{User-agent}i"),
    (LINE[:60], "truncated_line", "no closing quote after %r"),
    (LINE[:43], "truncated_line", "the line ends before"),
    (LINE[:41], "truncated_line", "no closing bracket in %t"),
    (LINE.replace(" 200 ", " OK "), "format_mismatch", "%>s does not match at column"),
    (LINE.replace("[17/Oct", "17/Oct"), "format_mismatch", "%t does not match"),
    (LINE.replace("Oct", "Okt"), "bad_timestamp", "unknown month"),
    (LINE.replace("17/Oct", "31/Nov"), "bad_timestamp", "day is out of range"),
    (LINE.replace("+0000", "+0099"), "bad_timestamp", "bad UTC offset"),
])
def test_rejections_say_why(text, kind, detail):
    got_kind, got_detail = reject(COMBINED, text)
    assert got_kind == kind and detail in got_detail


@pytest.mark.parametrize(("request_line", "split"), [
    ("GET /a HTTP/1.1", ("GET", "/a", "HTTP/1.1")),
    ("GET /a b HTTP/1.0", ("GET", "/a b", "HTTP/1.0")),
    ("GET /old", ("GET", "/old", "")),
    ("-", ("", "", "")),
    ("\x16\x03\x01\x02\x00\x01", ("", "", "")),
    ("get / HTTP/1.1", ("", "", "")),
])
def test_request_lines(request_line, split):
    assert split_request(request_line) == split
