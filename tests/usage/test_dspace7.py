"""DSpace 7+ downloads: the item's handle from the REST API (a local server)."""

import socket

import pytest

from loglines.usage import TemporaryLookupError

from .helpers import HOST, evaluate, expected, line, view

UUID = "3f0c1f1e-0c35-4d43-a7a5-6bd1c2f7c0de"
CONTENT = f"/server/api/core/bitstreams/{UUID}/content"
BUNDLE = f"/server/api/core/bitstreams/{UUID}/bundle"


def test_a_file_of_the_original_bundle_is_a_request_of_its_item(dspace_api):
    dspace_api.bitstreams[UUID] = ("ORIGINAL", "123456789/42", True)
    params, pl = evaluate("dspace", line(CONTENT), view(dspace_rest_url=dspace_api.url))
    assert params == expected(CONTENT, "Request", "123456789/42")
    assert pl["item"] == "123456789/42"


def test_repeated_downloads_ask_the_api_once(dspace_api):
    dspace_api.bitstreams[UUID] = ("ORIGINAL", "123456789/42", True)
    config = view(dspace_rest_url=dspace_api.url)
    for second in range(10):
        params, _ = evaluate("dspace", line(CONTENT, time=f"17/Oct/2010:03:04:{second:02d} +0000"),
                             config)
        assert params["rft.artnum"] == f"oai:{HOST}:123456789/42"
    upper = CONTENT.replace(UUID, UUID.upper())
    assert evaluate("dspace", line(upper), config)[0]["rft.artnum"].endswith("123456789/42")
    assert dspace_api.hits[BUNDLE] == 1


def test_the_item_is_followed_through_its_link_when_not_embedded(dspace_api):
    dspace_api.bitstreams[UUID] = ("ORIGINAL", "123456789/43", False)
    params, _ = evaluate("dspace", line(CONTENT), view(dspace_rest_url=dspace_api.url))
    assert params["rft.artnum"] == f"oai:{HOST}:123456789/43"
    assert sum(n for path, n in dspace_api.hits.items() if path.endswith("/item")) == 1


@pytest.mark.parametrize(("answer", "reason"), [
    (("THUMBNAIL", "123456789/42", True), "not_original_bundle"),
    (("TEXT", "123456789/42", True), "not_original_bundle"),
    (("LICENSE", "123456789/42", True), "not_original_bundle"),
    (404, "bitstream_not_found"),
    (403, "lookup_http_403"),
])
def test_other_bundles_and_missing_bitstreams_are_not_events(dspace_api, answer, reason):
    dspace_api.bitstreams[UUID] = answer
    config = view(dspace_rest_url=dspace_api.url)
    for _ in range(3):
        params, pl = evaluate("dspace", line(CONTENT), config)
        assert (params, pl["excluded"]) == ({}, reason)
    assert dspace_api.hits[BUNDLE] == 1  # a non-event is cached too


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_an_api_error_is_a_temporary_failure_and_is_not_cached(dspace_api, status):
    dspace_api.bitstreams[UUID] = status
    config = view(dspace_rest_url=dspace_api.url)
    with pytest.raises(TemporaryLookupError, match=f"HTTP {status}"):
        evaluate("dspace", line(CONTENT), config)
    dspace_api.bitstreams[UUID] = ("ORIGINAL", "123456789/42", True)  # the API is back
    params, _ = evaluate("dspace", line(CONTENT), config)
    assert params["rft.artnum"] == f"oai:{HOST}:123456789/42"
    assert dspace_api.hits[BUNDLE] == 2


def test_a_timeout_is_a_temporary_failure(dspace_api):
    dspace_api.bitstreams[UUID] = "slow"
    dspace_api.slow_seconds = 0.5
    config = view(dspace_rest_url=dspace_api.url, lookup_timeout="0.1")
    with pytest.raises(TemporaryLookupError, match="Timeout"):
        evaluate("dspace", line(CONTENT), config)


def test_a_connection_error_is_a_temporary_failure():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = view(dspace_rest_url=f"http://127.0.0.1:{port}/server")
    with pytest.raises(TemporaryLookupError, match="ConnectionError"):
        evaluate("dspace", line(CONTENT), config)


def test_robots_and_head_requests_cost_no_lookup(dspace_api):
    config = view(dspace_rest_url=dspace_api.url)
    for logline, reason in ((line(CONTENT, agent="Googlebot/2.1"), "robot"),
                            (line(CONTENT, method="HEAD"), "method_HEAD"),
                            (line(CONTENT, status=206), "status_206")):
        assert evaluate("dspace", logline, config)[1]["excluded"] == reason
    assert not dspace_api.hits


def test_the_rest_url_defaults_to_the_site_and_the_path_before_api(dspace_api):
    dspace_api.bitstreams[UUID] = ("ORIGINAL", "123456789/42", True)
    base = dspace_api.url.removesuffix("/server")
    params, _ = evaluate("dspace", line(CONTENT), view(base_url=base, oai_prefix=HOST))
    assert params["svc_dat"] == base + CONTENT
    assert params["rft.artnum"] == f"oai:{HOST}:123456789/42"
    assert dspace_api.hits[BUNDLE] == 1
