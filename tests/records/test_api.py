"""The record resource over HTTP on a real uvicorn: HEAD counts and
timelines in headers, pages newest first with a cursor, one record with
its logrec, 400s that point at the parameter (and the column of query=),
and Chronologer's roles with hashed passwords."""

import base64
import http.client
import json
import os
from urllib.parse import urlencode

import pytest

from loglines.errors import ConfigError
from loglines.records.users import Users, hash_password
from tests.api.conftest import Api
from tests.ingest.conftest import Endpoint, basic
from tests.records.conftest import RECORD, records_config
from tests.records.data import FIVE, keep


def call(api, method, path, params=None, user=None):
    host, port = api.url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {}
    if user:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(user).encode()).decode()
    try:
        conn.request(method, path + ("?" + urlencode(params) if params else ""), headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), json.loads(body) if body else None
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path, redis_server, prefix, store_engine, store_url):
    def start(api="", http=""):
        keep(store_engine)
        config = records_config(tmp_path, redis_server, prefix, store_url, api=api, http=http)
        running.append(Api(config).__enter__())
        return running[-1]

    running = []
    yield start
    for api in running:
        api.__exit__(None, None, None)


def test_head_counts_and_timelines_get_pages_and_one_record(served):
    api = served()
    status, headers, _ = call(api, "HEAD", RECORD, {"level": "WARNING"})
    assert (status, headers["x-record-count"]) == (200, "3")
    status, headers, _ = call(api, "HEAD", RECORD, {"group": "day", "timezone": "Europe/London"})
    assert headers["x-record-group"] == ("2025-03-29T00:00:00+00:00,2025-03-30T00:00:00+00:00,"
                                         "2025-03-31T00:00:00+01:00")
    assert headers["x-record-count"] == "1,3,1"
    status, headers, page = call(api, "GET", RECORD, {"left": 0, "right": 2})
    assert [r["message"] for r in page] == ["five", "four"]
    assert page[1] == {"id": FIVE[3]["id"], "ts": "2025-03-30T22:30:00.000+00:00",
                       "name": "other", "level": 50, "message": "four"}
    status, headers, page = call(api, "GET", RECORD, {"cursor": headers["x-record-next"],
                                                      "limit": 2})
    assert [r["message"] for r in page] == ["three", "two"]
    status, headers, page = call(api, "GET", RECORD, {"cursor": headers["x-record-next"],
                                                      "limit": 2})
    assert [r["message"] for r in page] == ["one"] and "x-record-next" not in headers
    status, _, page = call(api, "GET", RECORD, {"query": "data.status = 206 and meta.lineno > 20"})
    assert [r["message"] for r in page] == ["two"]
    status, _, one = call(api, "GET", f"{RECORD}/{FIVE[1]['id']}")
    assert status == 200 and one["logrec"] == {"data": {"status": 206},
                                               "meta": {"lineno": 25, "threadName": "Worker-1"}}
    assert call(api, "GET", f"{RECORD}/{'0' * 32}")[0] == 404


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_refusals_name_the_parameter_and_the_column(served):
    api = served()
    status, _, body = call(api, "GET", RECORD, {"query": "data.status = 206 ; DROP TABLE records"})
    assert (status, body["parameter"], body["column"]) == (400, "query", 19)
    assert body["error"] == "query: unexpected ';' at column 19"
    for params, parameter in [({"after": "soon"}, "after"), ({"left": -1}, "left"),
                              ({"group": "week"}, "group"), ({"timezone": "Nowhere/City",
                                                              "group": "day"}, "timezone"),
                              ({"cursor": "x", "left": 1}, "cursor"),
                              ({"left": 5, "right": 3}, "right")]:
        method = "HEAD" if "group" in params else "GET"
        status, _, body = call(api, method, RECORD, params)
        assert status == 400, params
        if body is not None:  # HEAD answers carry no body
            assert body["parameter"] == parameter
    assert call(api, "HEAD", RECORD)[1]["x-record-count"] == "5"


def test_a_nul_character_in_any_text_filter_is_refused_not_a_store_error(served):
    """PostgreSQL text cannot hold NUL: schemathesis found a name with one
    answered 500 from the store; every text filter refuses it first."""
    api = served()
    for param in ("after", "before", "level", "name", "query", "q", "cursor"):
        status, _, body = call(api, "GET", RECORD, {param: "a\x00b"})
        assert status in (400, 422), (param, status, body)
    status, _, _ = call(api, "HEAD", RECORD, {"group": "day", "timezone": "Europe/\x00"})
    assert status in (400, 422)
    assert call(api, "HEAD", RECORD)[1]["x-record-count"] == "5"


def users_file(tmp_path, mode=0o600):
    path = tmp_path / "record-users"
    path.write_text("# name:roles:hash\n" + "\n".join([
        f"app:writer:{hash_password('w-pass')}",
        f"ops:reader:{hash_password('r-pass')}",
        f"dev:reader,query:{hash_password('q-pass')}",
    ]) + "\n")
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_writers_post_readers_read_and_only_some_readers_query(served, tmp_path):
    path = users_file(tmp_path)
    api = served(api=f"users_file = {path}\npassword = api-own-secret",
                 http=f"users_file = {path}")
    q = {"query": "data.status = 206"}
    assert call(api, "GET", RECORD)[0] == 401
    assert call(api, "GET", RECORD, user=("ops", "wrong"))[0] == 401
    assert call(api, "GET", RECORD, user=("app", "w-pass"))[0] == 401  # a writer only
    assert call(api, "GET", RECORD, user=("ops", "r-pass"))[0] == 200
    status, _, body = call(api, "GET", RECORD, q, user=("ops", "r-pass"))
    assert (status, body["error"]) == (403, "query= needs the query role")
    assert call(api, "GET", RECORD, q, user=("dev", "q-pass"))[0] == 200
    assert call(api, "GET", RECORD, q, user=("loglines", "api-own-secret"))[0] == 200
    # The rest of the API keeps its own password: a record user is no one there.
    assert call(api, "GET", "/api/v1/stats/", user=("dev", "q-pass"))[0] == 401
    assert call(api, "GET", "/api/v1/stats/", user=("loglines", "api-own-secret"))[0] == 200
    with Endpoint(api.ctx.config) as ingest:
        body = urlencode({"msg": "posted by a writer", "name": "app"}).encode()
        assert ingest.post(RECORD, body, auth=False, headers=basic("app", "w-pass"))[0] == 201
        assert ingest.post(RECORD, body, auth=False, headers=basic("ops", "r-pass"))[0] == 401
        assert ingest.post(RECORD, body)[0] == 201  # the endpoint's own credential


def test_a_users_file_others_may_read_or_a_bad_entry_is_one_line(tmp_path):
    class Options:
        users, users_file = None, None

    o = Options()
    o.users_file = str(users_file(tmp_path, 0o644))
    with pytest.raises(ConfigError) as info:
        Users.from_options(o, tmp_path / "loglines.cfg", "worker_api")
    assert str(info.value).endswith("(mode 0644); chmod 600 it")
    assert "[worker_api] users_file:" in str(info.value)
    o.users_file, o.users = None, f"ok:reader:{hash_password('x')}; bad:admin:{'h' * 9}"
    with pytest.raises(ConfigError) as info:
        Users.from_options(o, "loglines.cfg", "logger_http")
    assert info.value.problems == [
        "loglines.cfg: [logger_http] users: entry 2 ('bad'): roles among writer, reader, query"]
    secret = "pass-word-Q7"
    users = Users.parse(f"ok:reader:{hash_password(secret)}", "here")
    assert users.authenticate("ok", secret).roles == {"reader"}
    assert users.authenticate("ok", secret).roles == {"reader"}  # remembered
    assert users.authenticate("ok", "y") is None and users.authenticate("no", secret) is None
    assert secret not in repr(vars(users))  # only hashes are kept
