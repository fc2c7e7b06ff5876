"""Event URLs and their redacted copies (pure functions, no network)."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from loglines.outputs.delivery.urls import Endpoint, encode_query, scrub


def test_params_are_appended_in_order():
    event = Endpoint("https://irus.example/counter/").event_url([("b", "2"), ("a", "1 &=")])
    assert event.target == "/counter/?b=2&a=1+%26%3D"
    assert event.shown == "https://irus.example/counter/?b=2&a=1+%26%3D"
    assert event.secrets == ()


def test_existing_query_and_bare_host():
    assert Endpoint("http://t.example/c?x=1").event_url({"a": "b"}).target == "/c?x=1&a=b"
    assert Endpoint("http://t.example").event_url({"a": "b"}).target == "/?a=b"
    assert Endpoint("http://t.example/c?").event_url({"a": "b"}).target == "/c?a=b"
    assert Endpoint("http://t.example/c?x=1").event_url({}).target == "/c?x=1"


def test_token_auth_in_endpoint_and_params_is_redacted():
    endpoint = Endpoint("https://m.example/piwik.php?token_auth=abcd&idsite=3")
    event = endpoint.event_url({"token_auth": "wx yz", "rec": "1"})
    assert event.target == "/piwik.php?token_auth=abcd&idsite=3&token_auth=wx+yz&rec=1"
    assert event.shown == (
        "https://m.example/piwik.php?token_auth=REDACTED&idsite=REDACTED&token_auth=REDACTED"
        "&rec=1"
    )  # every value of the configured query: any may be a key (apikey=...)
    assert set(event.secrets) == {"abcd", "wx yz", "wx+yz"}


def test_userinfo_becomes_a_header_and_is_redacted():
    endpoint = Endpoint("https://u:p%3Aw@t.example:8443/c/")
    assert endpoint.origin == "https://t.example:8443"
    assert endpoint.headers == {"authorization": "Basic dTpwOnc="}
    assert endpoint.event_url({"a": "b"}).shown == "https://REDACTED@t.example:8443/c/?a=b"


def test_scrub_replaces_longest_secrets_first():
    assert scrub("x=wx+yz y=wx yz", ["wx", "wx+yz", "wx yz"]) == "x=REDACTED y=REDACTED"


def test_status_error_scrubs_before_it_cuts_the_body():
    from loglines.outputs.delivery.outcome import status_error

    token = "s3cr3t-token-0123456789"
    body = ("x" * 190 + token + " echoed").encode()
    text = status_error(503, body, [token])
    assert "s3cr3t" not in text and "REDACTED"[:5] in text


def test_the_endpoint_as_logged_keeps_no_secret():
    from loglines.outputs.delivery.urls import Endpoint

    shown = Endpoint("https://user:pa55@tracker.example/counter/?token_auth=t0k&x=1").shown
    assert "pa55" not in shown and "t0k" not in shown and "user" not in shown
    assert shown.startswith("https://REDACTED@tracker.example/counter/?")


@given(st.lists(st.tuples(st.text(), st.one_of(st.text(), st.integers()))))
def test_encode_query_is_urlencode_with_a_cache(pairs):
    assert encode_query(pairs) == urlencode(pairs)
    assert encode_query(pairs) == urlencode(pairs)  # the second time from the cache
