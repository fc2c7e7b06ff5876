"""MatomoClient against a real local HTTP server that speaks bulk tracking.

The fake Matomo records every POSTed JSON body and answers, by default, what
Matomo answers when it tracked everything; a test sets ``matomo.reply`` to
script the answer from the requests of each bulk.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from loglines.errors import DeliveryError
from loglines.outputs.delivery import InvalidClientSettings, MatomoClient
from loglines.outputs.delivery.matomo_params import cdt, verdicts

TOKEN = "0123456789abcdef0123456789abcdef"

# docs/tracker-protocol.md, "Worked examples": 1 (and 2 for the item page).
DOWNLOAD = {
    "url_ver": "Z39.88-2004",
    "url_tim": "2010-10-17T03:04:42Z",
    "req_id": "192.0.2.10",
    "req_dat": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "rft.artnum": "oai:repo.example.ac.uk:1234",
    "rfr_id": "repo.example.ac.uk",
    "rfr_dat": "https://scholar.google.com/",
    "svc_dat": "https://repo.example.ac.uk/1234/1/paper.pdf",
    "rft_dat": "Request",
}
PAGE = {**DOWNLOAD, "svc_dat": "https://repo.example.ac.uk/1234/", "rft_dat": "Investigation"}

# Spelled out rather than computed, so a change of mapping or encoding is seen.
COMMON_HEAD = "?idsite=5&rec=1&apiv=1&action_name=oai%3Arepo.example.ac.uk%3A1234"
COMMON_TAIL = (
    "&urlref=https%3A%2F%2Fscholar.google.com%2F"
    "&ua=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29+Firefox%2F128.0"
    "&cip=192.0.2.10&cdt=2010-10-17+03%3A04%3A42"
    "&cvar=%7B%221%22%3A%5B%22oaipmhID%22%2C%22oai%3Arepo.example.ac.uk%3A1234%22%5D%7D"
)
PDF = "https%3A%2F%2Frepo.example.ac.uk%2F1234%2F1%2Fpaper.pdf"
DOWNLOAD_REQUEST = f"{COMMON_HEAD}&url={PDF}&download={PDF}{COMMON_TAIL}"
PAGE_REQUEST = f"{COMMON_HEAD}&url=https%3A%2F%2Frepo.example.ac.uk%2F1234%2F{COMMON_TAIL}"


def tracked_all(requests, path):
    reply = {"status": "success", "tracked": len(requests), "invalid": 0}
    return 200, json.dumps(reply).encode(), 0.0


class FakeMatomo:
    def __init__(self):
        self.lock = threading.Lock()
        self.posts: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = self.max_in_flight = 0
        self.reply = tracked_all
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *args: None  # a client that timed out hung up
        self.port = self.httpd.server_address[1]

    def url(self, path="/piwik.php"):
        return f"http://127.0.0.1:{self.port}{path}"

    def sizes(self):
        return [len(post["requests"]) for post in self.posts]

    def _handler(self):
        matomo = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with matomo.lock:
                    matomo.posts.append(body)
                    matomo.headers.append({k.lower(): v for k, v in self.headers.items()})
                    matomo.in_flight += 1
                    matomo.max_in_flight = max(matomo.max_in_flight, matomo.in_flight)
                try:
                    status, answer, delay = matomo.reply(body["requests"], self.path)
                    time.sleep(delay)
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                finally:
                    with matomo.lock:
                        matomo.in_flight -= 1

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def matomo():
    fake = FakeMatomo()
    thread = threading.Thread(target=fake.httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


@pytest.fixture
def make_client(make_client):
    """The conftest's, making Matomo clients of site 5 unless told."""
    def make(endpoint, **kwargs):
        kwargs.setdefault("idsite", 5)
        return make_client(endpoint, MatomoClient, **kwargs)

    return make


def numbered(n, **extra):
    return {**DOWNLOAD, "svc_dat": f"https://repo.example.ac.uk/{n}/1/paper.pdf", **extra}


def states(outcomes):
    return [(o.ok, o.temporary) for o in outcomes]


def test_bulk_payload_has_the_exact_requests_and_the_token_once(matomo, make_client):
    client = make_client(matomo.url(), token_auth=TOKEN)
    outcomes = client.send_many([("d", DOWNLOAD), ("p", list(PAGE.items()))])
    assert matomo.posts == [{"requests": [DOWNLOAD_REQUEST, PAGE_REQUEST], "token_auth": TOKEN}]
    assert matomo.headers[0]["content-type"] == "application/json"
    assert matomo.headers[0]["user-agent"] == "loglines/0.1"
    assert [(o.key, o.ok, o.status, o.error) for o in outcomes] == [
        ("d", True, 200, None),
        ("p", True, 200, None),
    ]
    assert outcomes[0].url == matomo.url() + DOWNLOAD_REQUEST
    download = dict(parse_qsl(DOWNLOAD_REQUEST[1:]))
    assert download["cdt"] == "2010-10-17 03:04:42"
    assert json.loads(download["cvar"]) == {"1": ["oaipmhID", "oai:repo.example.ac.uk:1234"]}
    assert "download" not in dict(parse_qsl(PAGE_REQUEST[1:]))


def test_without_token_the_body_has_no_token_auth(matomo, make_client):
    make_client(matomo.url()).send_many([(1, DOWNLOAD)])
    assert list(matomo.posts[0]) == ["requests"]


def test_bulks_of_bulk_size_in_order(matomo, make_client):
    client = make_client(matomo.url(), bulk_size=100)
    outcomes = client.send_many([(n, numbered(n)) for n in range(250)])
    assert matomo.sizes() == [100, 100, 50]
    assert [o.key for o in outcomes] == list(range(250))
    assert all(o.ok for o in outcomes)
    assert all(f"%2F{n}%2F1%2Fpaper.pdf" in o.url for n, o in enumerate(outcomes))


def test_bulks_in_flight_in_parallel_keep_the_order(matomo, make_client):
    matomo.reply = lambda requests, path: (*tracked_all(requests, path)[:2], 0.2)
    client = make_client(matomo.url(), bulk_size=10, concurrency=4)
    outcomes = client.send_many([(n, numbered(n)) for n in range(80)])
    assert [o.key for o in outcomes] == list(range(80)) and all(o.ok for o in outcomes)
    assert 1 < matomo.max_in_flight <= 4


def short_when_marked(requests, path):
    """Tracks one fewer than sent in a bulk holding the event of item 666."""
    tracked = len(requests) - any("%2F666%2F" in r for r in requests)
    return 200, json.dumps({"status": "success", "tracked": tracked, "invalid": 0}).encode(), 0.0


def test_tracked_fewer_than_sent_is_a_temporary_failure_of_that_bulk_only(matomo, make_client):
    matomo.reply = short_when_marked
    client = make_client(matomo.url(), bulk_size=2)
    outcomes = client.send_many([(n, numbered(n)) for n in (1, 2, 666, 4, 5)])
    assert states(outcomes) == [(True, False)] * 2 + [(False, True)] * 2 + [(True, False)]
    assert outcomes[2].status == 200
    assert "tracked 1 of 2" in outcomes[2].error and outcomes[3].error == outcomes[2].error
    assert outcomes[2].to_error().temporary is True


def reply_with(reply):
    return lambda requests, path: (200, json.dumps(reply).encode(), 0.0)


def test_listed_invalid_requests_are_permanent_and_the_tracked_rest_done(matomo, make_client):
    matomo.reply = reply_with({"status": "success", "tracked": 2, "invalid": 1,
                               "invalid_indices": [1]})
    outcomes = make_client(matomo.url()).send_many([(n, numbered(n)) for n in range(3)])
    assert states(outcomes) == [(True, False), (False, False), (True, False)]
    assert "refused this request as invalid" in outcomes[1].error
    assert "tracked 2 of 3" in outcomes[1].error


def test_invalid_indices_that_do_not_account_for_the_rest(matomo, make_client):
    matomo.reply = reply_with({"tracked": 1, "invalid": 1, "invalid_indices": [0]})
    outcomes = make_client(matomo.url()).send_many([(n, numbered(n)) for n in range(3)])
    assert states(outcomes) == [(False, False), (False, True), (False, True)]


@pytest.mark.parametrize("indices", [[7], [-1], ["0"], [True], "0"])
def test_unusable_invalid_indices_leave_the_bulk_temporary(indices):
    reply = {"tracked": 1, "invalid": 1, "invalid_indices": indices}
    assert [v[:2] for v in verdicts(2, reply)] == [(False, True)] * 2


def test_a_redirected_bulk_is_kept_for_a_retry_and_says_where(matomo, make_client):
    matomo.reply = lambda requests, path: (302, b"moved", 0.0)
    outcomes = make_client(matomo.url()).send_many([(1, DOWNLOAD), (2, PAGE)])
    assert states(outcomes) == [(False, True)] * 2
    assert "a redirect to (no Location)" in outcomes[0].error


@pytest.mark.parametrize(
    "status, temporary", [(503, True), (500, True), (429, True), (408, True), (400, False),
                          (403, False), (404, False)]
)
def test_http_status_of_the_bulk(matomo, make_client, status, temporary):
    matomo.reply = lambda requests, path: (status, b'{"status":"error","tracked":0}', 0.0)
    outcomes = make_client(matomo.url()).send_many([(1, DOWNLOAD), (2, PAGE)])
    assert states(outcomes) == [(False, temporary)] * 2
    assert all(o.status == status for o in outcomes)
    assert outcomes[0].error.startswith(f"tracker answered HTTP {status}: {{\"status\":\"error\"")
    error = outcomes[0].to_error()
    assert isinstance(error, DeliveryError) and error.temporary is temporary


@pytest.mark.parametrize(
    "answer", [b"<html>maintenance</html>", b"", b"[1]", b'{"status":"success"}',
               b'{"tracked":"2"}', b'{"tracked":true}', b'{"tracked":1.5}']
)
def test_a_200_without_a_bulk_reply_is_temporary(matomo, make_client, answer):
    matomo.reply = lambda requests, path: (200, answer, 0.0)
    outcomes = make_client(matomo.url()).send_many([(1, DOWNLOAD), (2, PAGE)])
    assert states(outcomes) == [(False, True)] * 2
    assert outcomes[0].status == 200
    assert outcomes[0].error.startswith("not a Matomo bulk reply: tracker answered HTTP 200")


@pytest.mark.timeout(10)
def test_read_timeout_is_temporary(matomo, make_client):
    matomo.reply = lambda requests, path: (*tracked_all(requests, path)[:2], 1.5)
    outcomes = make_client(matomo.url(), timeout=0.2).send_many([(1, DOWNLOAD)])
    assert [(o.ok, o.temporary, o.status) for o in outcomes] == [(False, True, None)]
    assert "timed out" in outcomes[0].error


@pytest.mark.timeout(10)
def test_connection_refused_is_temporary(make_client):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        client = make_client(f"http://127.0.0.1:{sock.getsockname()[1]}/piwik.php")
        outcomes = client.send_many([(1, DOWNLOAD), (2, PAGE)])
    assert [(o.ok, o.temporary, o.status) for o in outcomes] == [(False, True, None)] * 2
    assert "refused" in outcomes[0].error.lower()


@pytest.mark.parametrize(
    "req_id, cip",
    [
        ("urn:ip:192.0.2.10", None),
        ("4f5e0c1d2b3a49586776a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", None),
        ("", None),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_cip_only_for_a_bare_ip(matomo, make_client, req_id, cip):
    make_client(matomo.url()).send_many([(1, {**DOWNLOAD, "req_id": req_id})])
    assert dict(parse_qsl(matomo.posts[0]["requests"][0][1:])).get("cip") == cip


def test_missing_keys_are_left_out(matomo, make_client):
    params = {"svc_dat": "https://repo.example.ac.uk/1234/", "rfr_dat": "", "req_dat": ""}
    make_client(matomo.url()).send_many([(1, params)])
    assert matomo.posts[0]["requests"] == [
        "?idsite=5&rec=1&apiv=1&url=https%3A%2F%2Frepo.example.ac.uk%2F1234%2F"
    ]


def test_unsendable_events_are_permanent_and_the_rest_is_sent(matomo, make_client):
    no_url = {k: v for k, v in DOWNLOAD.items() if k != "svc_dat"}
    bad_time = {**PAGE, "url_tim": "17/Oct/2010"}
    outcomes = make_client(matomo.url()).send_many(
        [(1, no_url), (2, DOWNLOAD), (3, bad_time), (4, PAGE)]
    )
    assert matomo.posts[0]["requests"] == [DOWNLOAD_REQUEST, PAGE_REQUEST]
    assert states(outcomes) == [(False, False), (True, False)] * 2
    assert "svc_dat" in outcomes[0].error and outcomes[0].status is None
    assert "url_tim" in outcomes[2].error
    assert outcomes[0].url == matomo.url()


def test_nothing_to_send_posts_nothing(matomo, make_client):
    client = make_client(matomo.url())
    assert client.send_many([]) == []
    assert [o.ok for o in client.send_many([(1, {"url_ver": "Z39.88-2004"})])] == [False]
    assert matomo.posts == []


@pytest.mark.parametrize(
    "url_tim, expected",
    [
        ("2010-10-17T03:04:42Z", "2010-10-17 03:04:42"),
        ("2009-04-01T01:14:27+01:00", "2009-04-01 00:14:27"),
        ("2009-04-01T01:14:27.250-05:30", "2009-04-01 06:44:27"),
        ("2010-10-17T03:04:42", "2010-10-17 03:04:42"),
    ],
)
def test_cdt_is_utc(url_tim, expected):
    assert cdt(url_tim) == expected


def test_dry_run_writes_redacted_bodies_and_sends_nothing(matomo, make_client, tmp_path):
    path = tmp_path / "dry.jsonl"
    client = make_client(matomo.url(), token_auth=TOKEN, bulk_size=2, dry_run_file=path)
    first = client.send_many([(1, DOWNLOAD), (2, PAGE), (3, DOWNLOAD)])
    second = client.send_many([(4, PAGE)])
    assert matomo.posts == []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"requests": [DOWNLOAD_REQUEST, PAGE_REQUEST], "token_auth": "REDACTED"},
        {"requests": [DOWNLOAD_REQUEST], "token_auth": "REDACTED"},
        {"requests": [PAGE_REQUEST], "token_auth": "REDACTED"},
    ]
    assert TOKEN not in path.read_text(encoding="utf-8")
    assert [(o.key, o.ok, o.temporary, o.status, o.error) for o in first + second] == [
        (n, True, False, None, None) for n in range(1, 5)
    ]


def test_token_is_redacted_from_everything_shown(matomo, make_client):
    # An error page echoing the body, the token straddling the 200-character cut.
    matomo.reply = lambda requests, path: (400, b"x" * 178 + f" token_auth={TOKEN}".encode(), 0)
    endpoint = matomo.url("/piwik.php?token_auth=" + TOKEN)
    outcomes = make_client(endpoint, token_auth=TOKEN).send_many([(1, DOWNLOAD)])
    assert matomo.posts[0]["token_auth"] == TOKEN
    shown = outcomes[0].url + outcomes[0].error
    assert TOKEN[:8] not in shown and "REDACTED" in outcomes[0].error
    assert outcomes[0].url == matomo.url("/piwik.php?token_auth=REDACTED&") + DOWNLOAD_REQUEST[1:]


@pytest.mark.parametrize(
    "endpoint, kwargs",
    [
        ("ftp://analytics.example/piwik.php", {}),
        ("/piwik.php", {}),
        ("http://analytics.example/", {"idsite": 0}),
        ("http://analytics.example/", {"idsite": "5"}),
        ("http://analytics.example/", {"idsite": True}),
        ("http://analytics.example/", {"bulk_size": 0}),
        ("http://analytics.example/", {"concurrency": 0}),
        ("http://analytics.example/", {"timeout": 0}),
        ("http://analytics.example/", {"token_auth": 1234}),
        ("http://analytics.example/", {"dry_run_file": "/no/such/folder/dry.jsonl"}),
    ],
)
def test_misuse_is_refused_at_construction(endpoint, kwargs):
    kwargs.setdefault("idsite", 5)
    with pytest.raises(InvalidClientSettings) as info:
        MatomoClient(endpoint, **kwargs)
    assert info.value.temporary is False
    assert "1234" not in str(info.value)
