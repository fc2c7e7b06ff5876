"""TrackerClient against a real local HTTP server (conftest.py)."""

from __future__ import annotations

import base64
import socket
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from loglines.errors import DeliveryError
from loglines.outputs.delivery import InvalidClientSettings, Outcome, TrackerClient

PARAMS = {
    "url_ver": "Z39.88-2004",
    "req_dat": "Mozilla/5.0 (Ünï; ✓)",
    "svc_dat": "https://repo/a b&c=d",
    "rfr_dat": "",
}
# Spelled out rather than computed, so a change of encoding is seen.
QUERY = (
    "url_ver=Z39.88-2004&req_dat=Mozilla%2F5.0+%28%C3%9Cn%C3%AF%3B+%E2%9C%93%29"
    "&svc_dat=https%3A%2F%2Frepo%2Fa+b%26c%3Dd&rfr_dat="
)


def send_one(client, params=PARAMS, key="k"):
    [outcome] = client.send_many([(key, params)])
    return outcome


def test_exact_query_string_in_given_order(server, make_client):
    client = make_client(server.url("/counter/"))
    pairs = list(reversed(list(PARAMS.items())))
    first, second = client.send_many([("a", PARAMS), ("b", pairs)])
    assert first.url == server.url("/counter/") + "?" + QUERY
    assert f"/counter/?{QUERY}" in server.paths
    [other] = [path for path in server.paths if path != f"/counter/?{QUERY}"]
    assert parse_qsl(urlsplit(other).query, keep_blank_values=True) == pairs
    assert second.url == server.url() + "?" + urlsplit(other).query


def test_endpoint_with_a_query_string_gets_the_params_appended(server, make_client):
    client = make_client(server.url("/counter/?site=7"))
    outcome = send_one(client)
    assert server.paths == [f"/counter/?site=7&{QUERY}"]
    assert outcome.ok


def test_user_agent_header(server, make_client):
    send_one(make_client(server.url(), user_agent="loglines/9.9 (+https://example.org)"))
    assert server.headers[0]["user-agent"] == "loglines/9.9 (+https://example.org)"


def test_200_is_ok(server, make_client):
    outcome = send_one(make_client(server.url()), key=("q", 1))
    assert outcome == Outcome(("q", 1), True, False, 200, None, outcome.url)
    assert outcome.to_error() is None


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_temporary_statuses(server, make_client, status):
    outcome = send_one(make_client(server.url(f"/status/{status}/")))
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, True, status)
    assert f"HTTP {status}" in outcome.error
    assert outcome.to_error().temporary is True


@pytest.mark.parametrize("status", [400, 404, 410])
def test_permanent_statuses_carry_status_and_body(server, make_client, status):
    outcome = send_one(make_client(server.url(f"/status/{status}/")))
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, False, status)
    assert outcome.error.startswith(f"tracker answered HTTP {status}: answer {status} to /status/")
    error = outcome.to_error()
    assert isinstance(error, DeliveryError) and error.temporary is False


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_keeps_the_event_and_says_where_it_points(server, make_client, status):
    """The endpoint moved: a configuration error, not the event's fault, so
    the event is kept (temporary) and the error names the new address."""
    outcome = send_one(make_client(server.url(f"/redirect/{status}/")))
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, True, status)
    assert "https://new.tracker.example/counter/" in outcome.error
    assert "endpoint_url" in outcome.error


def test_an_accepted_status_whose_body_says_error_is_not_delivered(server, make_client):
    outcome = send_one(make_client(server.url("/says-error/")))
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, True, 200)
    assert "ERROR: the request could not be logged" in outcome.error
    # The check is the target's default and can be set, or switched off.
    assert send_one(make_client(server.url("/says-error/"), failure_body="")).ok
    assert send_one(make_client(server.url("/says-error/"), failure_body="nothing")).ok
    assert send_one(make_client(server.url())).ok  # an empty body is no failure


def test_accepted_status_is_configurable(server, make_client):
    client = make_client(server.url("/status/204/"), accepted_status=(200, 204))
    assert send_one(client).ok
    strict = make_client(server.url("/status/204/"))
    assert not send_one(strict).ok


def test_long_error_body_is_cut_and_client_goes_on(server, make_client):
    client = make_client(server.url("/big/"), concurrency=1)
    first, second = client.send_many([(1, {"a": "1"}), (2, {"a": "2"})])
    assert first.status == second.status == 500 and first.temporary
    assert first.error == "tracker answered HTTP 500: " + "x" * 200 + "..."


def test_outcomes_keep_the_order_of_events(server, make_client):
    server.script = lambda path: (503 if int(path.rsplit("=", 1)[1]) % 3 else 200, b"", 0.0)
    client = make_client(server.url(), concurrency=4)
    outcomes = client.send_many([(n, {"n": str(n)}) for n in range(30)])
    assert [o.key for o in outcomes] == list(range(30))
    assert [o.ok for o in outcomes] == [n % 3 == 0 for n in range(30)]


def test_empty_batch(server, make_client):
    assert make_client(server.url()).send_many([]) == []
    assert server.paths == []


@pytest.mark.timeout(10)
def test_read_timeout_is_temporary(server, make_client):
    client = make_client(server.url("/sleep/1500/"), timeout=0.2)
    outcome = send_one(client)
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, True, None)
    assert "timed out" in outcome.error


def test_answers_after_the_timeout_are_waited_for_with_fewer_requests_in_flight(
        server, make_client):
    """A tracker answering in 0.6 s to a 0.3 s timeout: every event is
    delivered once (none given up and sent again), and after the first
    late answers fewer requests are in flight; answers on time bring them
    back."""
    client = make_client(server.url("/sleep/600/"), timeout=0.3, timeout_ceiling=2.0,
                         concurrency=4)
    outcomes = client.send_many([(n, PARAMS) for n in range(10)])
    assert all(o.ok for o in outcomes) and len(server.paths) == 10
    assert max(server.in_flight_seen[:4]) == 4  # the first wave, before anything was late
    assert max(server.in_flight_seen[4:]) <= 2
    assert client.late.holding_back and client.late.slowest >= 0.6
    server.script = lambda path: (200, b"", 0.0)  # the tracker is quick again
    assert all(o.ok for o in client.send_many([(n, PARAMS) for n in range(8)]))
    assert client.late.allowed == 4 and not client.late.holding_back


@pytest.mark.timeout(10)
def test_no_answer_by_the_ceiling_is_a_temporary_failure(server, make_client):
    client = make_client(server.url("/sleep/3000/"), timeout=0.3, timeout_ceiling=1.0)
    started = time.monotonic()
    outcome = send_one(client)
    assert 0.9 <= time.monotonic() - started < 2.5  # waited past timeout, to the ceiling
    assert (outcome.ok, outcome.temporary) == (False, True) and "timed out" in outcome.error
    assert client.late.slowest == 1.0


def test_without_a_ceiling_the_timeout_stays_as_set(server, make_client):
    client = make_client(server.url("/sleep/800/"), timeout=0.5)
    assert [send_one(client).ok for _ in range(2)] == [False, False]


@pytest.mark.timeout(10)
def test_connection_refused_is_temporary(make_client):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        port = sock.getsockname()[1]
        outcome = send_one(make_client(f"http://127.0.0.1:{port}/counter/"))
    assert (outcome.ok, outcome.temporary, outcome.status) == (False, True, None)
    assert "refused" in outcome.error.lower()


def test_keep_alive_reuses_connections(server, make_client):
    client = make_client(server.url(), concurrency=2)
    for batch in range(3):
        outcomes = client.send_many([(n, {"b": str(batch), "n": str(n)}) for n in range(40)])
        assert all(o.ok for o in outcomes)
    assert len(server.paths) == 120
    assert len(server.client_ports) <= 2


def test_a_connection_the_tracker_closed_while_idle_is_replaced(server, make_client):
    """Without the check before reuse, the request after an idle pause is
    written to a closed connection and fails as a temporary error."""
    client = make_client(server.url("/hang-up/"), concurrency=1)
    for n in range(4):
        assert send_one(client, {"n": str(n)}).ok
        time.sleep(0.1)  # idle: the tracker's close reaches the client
    assert len(server.paths) == 4
    assert len(server.client_ports) == 4


def test_requests_are_in_flight_in_parallel(server, make_client):
    client = make_client(server.url("/sleep/200/"), concurrency=8)
    outcomes = client.send_many([(n, {"n": str(n)}) for n in range(16)])
    assert all(o.ok for o in outcomes)
    assert 1 < server.max_in_flight <= 8
    assert len(server.client_ports) <= 8


def test_rate_limit_schedules_with_the_injected_clock(server, make_client):
    slept = []
    # The clock stands still, so every request but the first is told to wait
    # for its own slot, 1/5 s after the previous one, whatever thread sends it.
    client = make_client(server.url(), ratelimit=5.0, now=lambda: 100.0, sleep=slept.append)
    outcomes = client.send_many([(n, {"n": str(n)}) for n in range(10)])
    assert all(o.ok for o in outcomes) and len(server.paths) == 10
    assert sorted(slept) == pytest.approx([0.2 * n for n in range(1, 10)])


def test_dry_run_writes_urls_and_sends_nothing(server, make_client, tmp_path):
    path = tmp_path / "dry.txt"
    client = make_client(server.url("/counter/"), dry_run_file=path)
    first = client.send_many([(1, PARAMS), (2, {"token_auth": "s3cret", "idsite": "5"})])
    second = client.send_many([(3, {"a": "b"})])
    assert server.paths == []
    assert path.read_text(encoding="utf-8").splitlines() == [
        server.url("/counter/") + "?" + QUERY,
        server.url("/counter/") + "?token_auth=REDACTED&idsite=5",
        server.url("/counter/") + "?a=b",
    ]
    for outcome in first + second:
        assert (outcome.ok, outcome.temporary, outcome.status, outcome.error) == (
            True,
            False,
            None,
            None,
        )


def test_token_auth_is_sent_but_never_shown(server, make_client):
    server.script = lambda path: (400, f"bad request {path}".encode(), 0.0)
    client = make_client(server.url("/piwik.php"))
    outcome = send_one(client, {"idsite": "5", "token_auth": "s3cr/et", "rec": "1"})
    assert server.paths == ["/piwik.php?idsite=5&token_auth=s3cr%2Fet&rec=1"]
    assert outcome.url == server.url("/piwik.php") + "?idsite=5&token_auth=REDACTED&rec=1"
    assert outcome.error.startswith("tracker answered HTTP 400: bad request /piwik.php?idsite=5")
    assert "s3cr" not in outcome.error and "REDACTED" in outcome.error


def test_userinfo_is_sent_as_basic_auth_and_never_shown(server, make_client):
    endpoint = f"http://alice:pa%40ss@127.0.0.1:{server.port}/status/404/"
    outcome = send_one(make_client(endpoint), {"a": "b"})
    expected = "Basic " + base64.b64encode(b"alice:pa@ss").decode()
    assert server.headers[0]["authorization"] == expected
    assert outcome.url == f"http://REDACTED@127.0.0.1:{server.port}/status/404/?a=b"
    assert "alice" not in outcome.error and "pa@ss" not in outcome.error


@pytest.mark.parametrize(
    "endpoint, kwargs",
    [
        ("ftp://tracker.example/counter/", {}),
        ("/counter/", {}),
        ("http://tracker.example:99999/", {}),
        ("http://tracker.example/", {"concurrency": 0}),
        ("http://tracker.example/", {"timeout": 0}),
        ("http://tracker.example/", {"ratelimit": -1}),
        ("http://tracker.example/", {"accepted_status": ()}),
        ("http://tracker.example/", {"user_agent": "lögl\n"}),
        ("http://tracker.example/", {"dry_run_file": "/no/such/folder/dry.txt"}),
        ("http://tracker.example/zähler/", {}),  # the request line is ASCII
        ("http://tracker.example/a b/", {}),  # a space would end the target
    ],
)
def test_misuse_is_refused_at_construction(endpoint, kwargs):
    with pytest.raises(InvalidClientSettings) as info:
        TrackerClient(endpoint, **kwargs)
    assert isinstance(info.value, DeliveryError) and isinstance(info.value, ValueError)
    assert info.value.temporary is False


def test_bad_endpoint_error_does_not_repeat_the_password():
    with pytest.raises(InvalidClientSettings) as info:
        TrackerClient("ftp://bob:hunter2@tracker.example/")
    assert "hunter2" not in str(info.value)


def test_a_bug_in_the_sending_loop_is_raised_in_the_caller_without_hanging(server, make_client):
    """A bug while an answer is judged, with other requests in flight: raised
    where the caller iterates, and the connections it left are not reused
    with an answer still unread on them."""
    client = make_client(server.url(), concurrency=4)
    original = client._outcome

    def buggy(item, *answer):
        if item[0] == 5:
            raise RuntimeError("bug in the sending loop")
        return original(item, *answer)

    client._outcome = buggy
    with pytest.raises(RuntimeError, match="bug in the sending loop"):
        client.send_many([(n, {"n": str(n)}) for n in range(40)])
    client._outcome = original
    outcomes = client.send_many([(n, {"after": str(n)}) for n in range(8)])
    assert all(o.ok for o in outcomes)  # the client is still usable
    assert [o.url.rsplit("=", 1)[1] for o in outcomes] == [str(n) for n in range(8)]
