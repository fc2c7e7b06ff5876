"""What the API refuses, over real HTTP: a malformed parameter is a 400
naming it, an unknown statistic a 404, a missing or wrong password a 401
(the health check stays open), a store gone away a 503 of one line that
names no database, then answers again once it is back."""

import logging

import pytest
from sqlalchemy import create_engine

from loglines.api.app import create_app
from loglines.api.failures import UNAVAILABLE
from loglines.api.server import ApiServer
from loglines.stats.builtin import BUILTIN
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from tests.api.conftest import PASSWORD, USER, Api, basic, fill, get, write_config
from tests.support.postgres import PostgresServer
from tests.support.waiting import wait_for

DAILY = "/api/v1/stats/item_metrics_daily"


@pytest.mark.parametrize("path, parameter", [
    (f"{DAILY}?after=2025-13", "after"),
    (f"{DAILY}?after=yesterday", "after"),
    (f"{DAILY}?after=2025-12-32", "after"),
    (f"{DAILY}?before=2025-1", "before"),
    (f"{DAILY}?before=%D9%A2%D9%A0%D9%A2%D9%A5-12", "before"),  # Arabic-Indic digits
    (f"{DAILY}?item=a%00b", "item"),
    (f"{DAILY}?page=0", "page"),
    (f"{DAILY}?page=two", "page"),
    (f"{DAILY}?page=99999999999999999999", "page"),
    (f"{DAILY}?per_page=0", "per_page"),
    (f"{DAILY}?per_page=10001", "per_page"),
    (f"{DAILY}?format=xml", "format"),
    ("/api/v1/top?month=2025-12-01", "month"),
    ("/api/v1/top?month=2025-00", "month"),
    ("/api/v1/top?order=Downloads", "order"),
    ("/api/v1/top?limit=0", "limit"),
    ("/api/v1/top?limit=1001", "limit"),
    ("/api/v1/top?limit=1.5", "limit"),
])
def test_a_malformed_parameter_is_a_400_naming_it(api, path, parameter):
    got = api().get(path)
    assert got.status == 400
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    assert body.keys() == {"error", "parameter"}
    assert body["parameter"] == parameter
    assert body["error"].startswith(parameter)
    assert "pattern" not in body["error"]  # said in words, not as a regular expression


def test_the_400_says_what_is_expected(api):
    a = api()
    assert a.get(f"{DAILY}?after=2025-13").json()["error"] == (
        "after must be YYYY-MM or YYYY-MM-DD, not '2025-13'")
    long = a.get(f"{DAILY}?page={'9' * 100}").json()["error"]
    assert len(long) < 150  # a long value is cut, not repeated whole


def test_an_unknown_statistic_or_path_is_a_404_in_json(api):
    a = api()
    got = a.get("/api/v1/stats/downloads_by_planet")
    assert got.status == 404
    assert got.json() == {"error": "no statistic named 'downloads_by_planet' here; "
                                   "GET /api/v1/stats/ lists them"}
    nowhere = a.get("/api/v2/everything")
    assert (nowhere.status, nowhere.json()) == (404, {"error": "not found"})


PATHS = ["/api/v1/stats/", DAILY, "/api/v1/top", "/api/v1/coverage", "/openapi.json",
         "/docs", "/api/v1/nothing"]


@pytest.mark.parametrize("headers", [{}, basic(USER, "wrong"), basic("nobody", PASSWORD),
                                     {"Authorization": "Basic !!"},
                                     {"Authorization": "Bearer " + PASSWORD}])
def test_with_a_password_every_path_but_health_needs_it(api, headers):
    a = api(api=f"username = {USER}\npassword = ${{API_TEST_PASSWORD}}")
    for path in PATHS:
        got = a.get(path, headers, auth=False)
        assert (got.status, got.json()) == (401, {"error": "authentication required"}), path
        assert got.headers["www-authenticate"].startswith("Basic ")
    health = a.get("/api/v1/health", headers, auth=False)
    assert (health.status, health.json()["ok"]) == (200, True)
    assert a.get(DAILY).status == 200  # with the right ones
    assert a.get("/openapi.json").status == 200


def test_without_a_password_reads_are_open(api):
    a = api()
    assert a.get(DAILY, auth=False).status == 200
    assert "securitySchemes" not in a.get("/openapi.json").json()["components"]


def test_the_password_is_never_shown(api, caplog):
    caplog.set_level(logging.DEBUG)
    a = api(api=f"username = {USER}\npassword = ${{API_TEST_PASSWORD}}")
    seen = [a.get(p, basic(USER, "wrong"), auth=False).text for p in PATHS]
    seen += [a.get(p).text for p in PATHS]
    assert PASSWORD not in "".join(seen) + caplog.text + repr(a.section)


def test_the_health_check_says_whether_the_store_is_migrated(tmp_path, redis_server, prefix):
    """Served, then the tables vanish (an operator pointing at an empty
    database, say): health says not migrated, reads answer 503."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    engine = open_engine(url)
    upgrade(engine)
    fill(engine)
    config = write_config(tmp_path, redis_server.port, prefix, url)
    with Api(config) as a:
        assert a.get("/api/v1/health").json() == {"ok": True, "reachable": True,
                                                  "migrated": True, "store": "ok"}
        with engine.begin() as conn:
            for table in ("stat_counts", "alembic_version"):
                conn.exec_driver_sql(f"DROP TABLE {table}")
        health = a.get("/api/v1/health")
        assert (health.status, health.json()) == (503, {
            "ok": False, "reachable": True, "migrated": False, "store": "not migrated"})
        got = a.get(DAILY)
        assert (got.status, got.json()) == (503, {"error": UNAVAILABLE})
    engine.dispose()


def test_a_store_gone_away_is_a_503_until_it_is_back(tmp_path, redis_server, prefix, caplog):
    server = PostgresServer(durable=True).start()
    try:
        url = server.url(server.create_database())
        engine = open_engine(url)
        upgrade(engine)
        fill(engine)
        engine.dispose()
        caplog.set_level(logging.INFO)
        with Api(write_config(tmp_path, redis_server.port, prefix, url)) as a:
            before = a.get(DAILY).json()
            assert before["total"] == 3
            server.kill()
            answers = [a.get(path) for path in (DAILY, DAILY, "/api/v1/stats/", "/api/v1/top",
                                                "/api/v1/coverage")]
            for got in answers:
                assert (got.status, got.json()) == (503, {"error": UNAVAILABLE})
                assert got.headers["retry-after"] == "5"
            health = a.get("/api/v1/health")
            assert (health.status, health.json()) == (503, {
                "ok": False, "reachable": False, "migrated": False, "store": "unreachable"})
            # a malformed parameter is still the client's fault, store or no store
            assert a.get(f"{DAILY}?page=0").status == 400
            server.restart()
            assert wait_for(lambda: a.get(DAILY).status == 200, timeout=30)
            assert a.get(DAILY).json() == before
        warnings = [r for r in caplog.records if "answering 503" in r.getMessage()]
        assert len(warnings) == 1  # one line per outage, not one per request
        assert "unreachable" in warnings[0].getMessage()
        assert "the store answers again" in caplog.text
        assert server.password not in caplog.text
        assert "SELECT" not in "".join(g.text for g in answers) + warnings[0].getMessage()
    finally:
        server.stop()


def test_every_connection_busy_is_a_503_not_a_500(store_engine):
    """The pool's last connection held elsewhere for longer than the pool
    waits: the request is told to come back, as for an outage."""
    fill(store_engine)
    busy = create_engine(store_engine.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(busy, BUILTIN.values())
    with ApiServer(app) as server, busy.connect():
        got = get(server.url, DAILY)
        assert (got.status, got.json()) == (503, {"error": UNAVAILABLE})
    busy.dispose()


@pytest.mark.parametrize("path", ["/api/v1/stats/%0A", "/api/v1/coverage%0A",
                                  "/api/v1/stats/item_metrics_daily%0D", "/api/v1/top%00"])
def test_a_path_with_a_control_character_is_nobodys(api, path):
    """Not routed as the path without it (Starlette's patterns end in $)."""
    got = api().get(path)
    assert (got.status, got.json()) == (404, {"error": "not found"})
