"""req_id's address: X-Forwarded-For believed only as far as our own proxies."""

import pytest

from loglines.usage.client_ip import ClientIP, normalise, parse_ip
from loglines.usage.robots import compile_networks

from .helpers import evaluate, line, view

PROXIES = ClientIP(compile_networks(["10.0.0.0/8", "2001:db8:ffff::/48"], "trusted_proxies"))


@pytest.mark.parametrize(("peer", "xff", "client"), [
    # The client wrote "1.2.3.4" itself: the proxy appended the real address.
    ("10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
    ("10.0.0.2", "1.2.3.4, 8.8.8.8, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
    ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
    ("10.0.0.2", "2001:db8:1::7", "2001:db8:1::7"),
    ("2001:db8:ffff::1", "198.51.100.4:51234, [2001:db8:2::9]:443", "2001:db8:2::9"),
    ("10.0.0.2", "198.51.100.4:51234", "198.51.100.4"),
    ("10.0.0.2", "unknown, 198.51.100.4", "198.51.100.4"),
    ("10.0.0.2", "198.51.100.4, unknown", "10.0.0.2"),  # junk: stop at the last good hop
    ("10.0.0.2", "-", "10.0.0.2"),
    ("10.0.0.2", None, "10.0.0.2"),
    ("10.0.0.2", "10.0.0.9, 10.0.0.8", "10.0.0.9"),  # all ours: the farthest
    # Not from a trusted proxy: the header is the client's word, ignored.
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
    ("2001:DB8:0:0:0:0:0:1", "1.2.3.4", "2001:db8::1"),
    ("::ffff:192.0.2.1", "1.2.3.4", "192.0.2.1"),
    ("crawler.example.org", "1.2.3.4", "crawler.example.org"),  # HostnameLookups on
])
def test_right_most_untrusted_address(peer, xff, client):
    assert PROXIES(peer, xff) == client


def test_without_trusted_proxies_the_header_is_ignored():
    assert ClientIP()("10.0.0.2", "1.2.3.4") == "10.0.0.2"


def test_parse_and_normalise():
    assert str(parse_ip(" [2001:db8::1]:8080 ")) == "2001:db8::1"
    assert parse_ip("999.1.1.1") is None and parse_ip("") is None
    assert normalise("2001:0db8::0001") == "2001:db8::1"


XFF_FORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" "%{X-Forwarded-For}i"'


def test_a_plugin_behind_a_proxy_reports_the_client_not_the_spoofed_address():
    config = view(log_format=f"'{XFF_FORMAT}'", trusted_proxies="10.0.0.0/8, 127.0.0.1")
    spoofed = line("/1234/1/paper.pdf", ip="10.0.0.2") + ' "6.6.6.6, 203.0.113.9"'
    params, _ = evaluate("eprints", spoofed, config)
    assert params["req_id"] == "203.0.113.9"
    ipv6 = line("/1234/1/paper.pdf", ip="127.0.0.1") + ' "2001:db8:1::7"'
    assert evaluate("eprints", ipv6, config)[0]["req_id"] == "2001:db8:1::7"
    direct = line("/1234/1/paper.pdf", ip="198.51.100.4") + ' "6.6.6.6"'
    assert evaluate("eprints", direct, config)[0]["req_id"] == "198.51.100.4"
