"""docs/tracker-protocol.md (which lines are usage events, the nine IRUS keys, the
plugin contract), rule by rule, through the plugins."""

import hashlib
import hmac
import json

import pytest

from loglines.errors import ConfigError
from loglines.usage import irus

from .helpers import FIREFOX, HOST, SECTION, evaluate, expected, line, plugin, view

PDF = "/1234/1/paper.pdf"


def test_all_nine_keys_on_every_event_and_nothing_else():
    for name, path in (("eprints", PDF), ("eprints", "/1234/"),
                       ("dspace", "/handle/1/2"), ("fedora", "/objects/a:1/datastreams/PDF")):
        params, _ = evaluate(name, line(path))
        assert tuple(params) == irus.KEYS
        assert params["url_ver"] == "Z39.88-2004"


def test_url_tim_is_the_time_of_the_line_not_of_sending():
    params, _ = evaluate("eprints", line(PDF, time="31/Dec/1999:23:59:59 -0500"))
    assert params["url_tim"] == "2000-01-01T04:59:59Z"


@pytest.mark.parametrize(("keys", "req_id"), [
    ({}, "192.0.2.10"),
    ({"req_id": "ip"}, "192.0.2.10"),
    ({"req_id": "urn"}, "urn:ip:192.0.2.10"),
    ({"req_id": "hash", "req_id_salt": "s3cret"},
     hmac.new(b"s3cret", b"192.0.2.10", hashlib.sha256).hexdigest()),
])
def test_req_id_modes(keys, req_id):
    assert evaluate("eprints", line(PDF), view(**keys))[0]["req_id"] == req_id


def test_req_id_ipv6_and_hash_needs_a_salt():
    assert evaluate("eprints", line(PDF, ip="2001:DB8::1"))[0]["req_id"] == "2001:db8::1"
    with pytest.raises(ConfigError, match=r"\[worker_pirus2\] req_id_salt: required"):
        evaluate("eprints", line(PDF), view(req_id="hash"))
    with pytest.raises(ConfigError, match="req_id: expected one of ip, urn, hash"):
        evaluate("eprints", line(PDF), view(req_id="mac"))


def test_req_dat_is_the_raw_header_without_the_log_quotes():
    agent = r'Mozilla/5.0 (compatible; \"Zotero\" like) Firefox/128.0'
    params, _ = evaluate("eprints", line(PDF, agent=agent))
    assert params["req_dat"] == 'Mozilla/5.0 (compatible; "Zotero" like) Firefox/128.0'
    assert irus.dash_is_empty("-") == "" and irus.dash_is_empty(None) == ""


def test_rfr_dat_is_the_referer_or_empty_for_a_dash():
    assert evaluate("eprints", line(PDF, referer="-"))[0]["rfr_dat"] == ""
    referer = "https://www.google.com/search?q=paper"
    assert evaluate("eprints", line(PDF, referer=referer))[0]["rfr_dat"] == referer


def test_the_oai_prefix_is_configuration_not_the_http_host():
    config = view(base_url="https://eprints.example.ac.uk/", oai_prefix="eprints.example.org",
                  rfr_id="eprints.example.ac.uk")
    params, _ = evaluate("eprints", line(PDF), config, service="backend-7.internal")
    assert params["rft.artnum"] == "oai:eprints.example.org:1234"
    assert params["svc_dat"] == "https://eprints.example.ac.uk/1234/1/paper.pdf"
    assert params["rfr_id"] == "eprints.example.ac.uk"


def test_defaults_come_from_base_url_then_from_the_service():
    params, _ = evaluate("eprints", line(PDF), view(base_url="http://repo.example.org:8080"))
    assert (params["rfr_id"], params["rft.artnum"], params["svc_dat"]) == (
        "repo.example.org", "oai:repo.example.org:1234", "http://repo.example.org:8080" + PDF)
    params, _ = evaluate("eprints", line(PDF), service=" ora.bodleian.ox.ac.uk ")
    assert params["svc_dat"] == "https://ora.bodleian.ox.ac.uk" + PDF
    params, pl = evaluate("eprints", line(PDF), service=None)
    assert (params, pl["excluded"]) == ({}, "no_base_url")


def test_base_url_must_be_a_url():
    with pytest.raises(ConfigError, match="base_url: expected an http"):
        evaluate("eprints", line(PDF), view(base_url="repo.example.ac.uk"))


@pytest.mark.parametrize(("status", "sent"), [
    (200, True), (304, True), (206, False), (301, False), (302, False), (403, False),
    (404, False), (416, False), (500, False), (503, False),
])
def test_only_200_and_304_count(status, sent):
    params, pl = evaluate("eprints", line(PDF, status=status))
    assert bool(params) is sent
    if not sent:
        assert pl["excluded"] == f"status_{status}"


@pytest.mark.parametrize("method", ["HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PROPFIND"])
def test_only_get_counts(method):
    params, pl = evaluate("eprints", line(PDF, method=method))
    assert (params, pl["excluded"]) == ({}, f"method_{method}")


@pytest.mark.parametrize("agent", ["", "-", "x", "GoogleBot", "googlebot", "Wget/1.21"])
def test_robots_empty_and_dash_agents_are_not_sent(agent):
    params, pl = evaluate("eprints", line(PDF, agent=agent))
    assert (params, pl["excluded"]) == ({}, "robot")


def test_double_clicks_are_left_to_the_tracker():
    first = evaluate("eprints", line(PDF, time="17/Oct/2010:03:04:42 +0000"))[0]
    second = evaluate("eprints", line(PDF, time="17/Oct/2010:03:04:52 +0000"))[0]
    assert first and second and first["url_tim"] != second["url_tim"]


def test_extra_message_keys_are_ignored_and_non_events_are_falsy():
    module = plugin("eprints")
    text = json.dumps({"service": HOST, "logline": line(PDF), "source": "/var/log/x",
                       "offset": 1234, "read_at": 1.5})
    assert module.get_openurl_params(view(), SECTION, module.parseline(text)) == \
        expected(PDF, "Request", "1234")
    pl = module.parseline(json.dumps({"service": HOST, "logline": line("/about")}))
    assert not module.get_openurl_params(view(), SECTION, pl)


def test_a_bare_configparser_works_with_defaults():
    from configparser import ConfigParser

    c = ConfigParser()
    c.read_string(f"[{SECTION}]\nlistento = pirus2\n")
    module = plugin("eprints")
    pl = module.parseline(json.dumps({"service": HOST, "logline": line(PDF, agent=FIREFOX)}))
    assert module.get_openurl_params(c, SECTION, pl) == expected(PDF, "Request", "1234")
    assert module.get_openurl_params(ConfigParser(), "no_section", dict(pl))["rfr_id"] == HOST
