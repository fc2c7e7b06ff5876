"""Records posted by the standard library's own handlers are kept in the
store with their logrec, once each however often they come, and the usage
pipeline still gets its log line."""

import json
import logging
import logging.handlers
import queue as stdlib_queue
from urllib.parse import urlencode

from sqlalchemy import select

from loglines.inputs import own_records
from loglines.store.schema import records
from tests.records.conftest import RECORD, app_logger, records_config
from tests.support.queues import drain
from tests.workers.conftest import run_worker


def test_the_http_handler_s_records_are_stored_with_data_and_meta(pipeline):
    handler = pipeline.handler()
    logger = app_logger("shop.checkout", handler)
    try:
        logger.warning("paid %s for %s", "12.50", "item 7", extra={"status": 206, "user": "bob"})
        logger.info("plain")
    finally:
        logger.removeHandler(handler)
    pipeline.store()
    first, second = pipeline.rows()
    assert (first["name"], first["level"], first["message"]) == (
        "shop.checkout", logging.WARNING, "paid 12.50 for item 7")
    assert first["logrec"]["data"] == {"status": 206, "user": "bob"}
    meta = first["logrec"]["meta"]
    assert meta["threadName"] == "MainThread" and meta["funcName"].startswith("test_the_http")
    assert isinstance(meta["lineno"], int) and meta["module"] == "test_keeping"
    assert (second["level"], second["message"], second["logrec"]["data"]) == (
        logging.INFO, "plain", {})
    # The usage pipeline's messages, as before, under the same ids.
    usage = drain(pipeline.endpoint.queue)
    assert [m["logline"] for m in usage] == ["paid 12.50 for item 7", "plain"]
    assert [m["id"] for m in usage] == [first["id"], second["id"]]


def test_the_queue_handler_setup_chronologer_recommends_delivers_every_record(pipeline):
    """QueueHandler in the application, QueueListener sending through
    HTTPHandler from its own thread: logging never waits for the network."""
    q = stdlib_queue.Queue()
    listener = logging.handlers.QueueListener(q, pipeline.handler())
    logger = app_logger("worker.jobs", logging.handlers.QueueHandler(q))
    listener.start()
    try:
        for n in range(20):
            logger.error("job %d failed", n, extra={"job": n})
    finally:
        listener.stop()
        logger.handlers.clear()
    pipeline.store()
    rows = pipeline.rows()
    assert sorted(r["logrec"]["data"]["job"] for r in rows) == list(range(20))
    assert {r["message"] for r in rows} == {f"job {n} failed" for n in range(20)}


def form(msg, **extra):
    record = logging.LogRecord("app", logging.WARNING, "app.py", 3, msg, (), None)
    return urlencode({**record.__dict__, **extra}).encode()


def test_a_post_sent_again_and_an_item_delivered_again_are_stored_once(pipeline):
    e = pipeline.endpoint
    body = form("once", order="17")
    answers = [e.post(RECORD, body) for _ in range(2)]
    assert [a[0] for a in answers] == [201, 201]
    assert answers[0][2]["id"] == answers[1][2]["id"]
    queue = e.ctx.queue("records")
    [payload] = set(drain(queue, decode=False))  # two items, one record
    queue.push([payload, payload])
    pipeline.store()
    [row] = pipeline.rows()
    assert (row["id"], row["message"], row["logrec"]["data"]) == (
        answers[0][2]["id"], "once", {"order": 17})
    queue.push([payload])  # delivered again after it was stored
    pipeline.store()
    assert len(pipeline.rows()) == 1


def test_a_json_bulk_body_is_answered_per_record_and_207_when_some_failed(pipeline):
    e = pipeline.endpoint
    good = {"name": "api", "levelno": 40, "levelname": "ERROR", "msg": "%s timed out",
            "args": ["db"], "created": 1764590400.25, "lineno": 9, "tenant": {"id": 3}}
    body = json.dumps([good, {"nomsg": 1}, "text", {**good, "msg": "other"}]).encode()
    status, _, answer = e.post(RECORD, body, {"Content-Type": "application/json"})
    assert status == 207 and answer["accepted"] == 2
    assert [a["status"] for a in answer["records"]] == [201, 400, 400, 201]
    assert answer["records"][1]["error"].startswith("record 2: no msg or message text")
    pipeline.store()
    rows = pipeline.rows()
    assert [(r["message"], r["t_ms"], r["level"]) for r in rows] == [
        ("db timed out", 1764590400250, 40), ("other", 1764590400250, 40)]
    assert rows[0]["logrec"] == {"data": {"tenant": {"id": 3}}, "meta": {"lineno": 9}}
    assert [r["id"] for r in rows] == [answer["records"][0]["id"], answer["records"][3]["id"]]


def test_ndjson_with_broken_lines_keeps_the_good_ones(pipeline):
    e = pipeline.endpoint
    lines = [json.dumps({"msg": "a", "name": "x"}), "{broken", "", json.dumps({"msg": "b"})]
    status, _, answer = e.post(RECORD, "\n".join(lines).encode(),
                               {"Content-Type": "application/x-ndjson"})
    assert status == 207
    assert [a["status"] for a in answer["records"]] == [201, 400, 201]
    assert answer["records"][1]["error"].startswith("line 2: not JSON")
    status, _, answer = e.post(RECORD, b"{broken\n[1", {"Content-Type": "application/x-ndjson"})
    assert status == 400 and answer["accepted"] == 0
    pipeline.store()
    assert [r["message"] for r in pipeline.rows()] == ["a", "b"]


def test_hostile_bodies_get_a_clear_answer_and_store_nothing(pipeline):
    e = pipeline.endpoint
    json_type = {"Content-Type": "application/json"}
    status, _, answer = e.post(RECORD, b"[" * 200_000, json_type)
    assert (status, answer["error"]) == (400, "the body is nested too deeply")
    deep = {"msg": "deep"}
    for _ in range(40):
        deep = {"a": deep}
    status, _, answer = e.post(RECORD, json.dumps({"msg": "x", "extra": deep}).encode(),
                               json_type)
    assert status == 400 and "nested more than 16 levels" in answer["error"]
    status, _, answer = e.post(RECORD, b"x" * 2_000_000, json_type)
    assert status == 413
    status, _, answer = e.post(RECORD, b'"just text"', json_type)
    assert status == 400 and "neither a record" in answer["error"]
    status, _, answer = e.post(RECORD, b'{"msg": "x", "ratio": NaN}', json_type)
    assert (status, answer["error"]) == (400, "NaN and infinities are not JSON numbers")
    pipeline.store()
    assert pipeline.rows() == []
    status, _, answer = e.post(RECORD, b'{"msg": "a\\u0000b\\ud800", "k\\u0000": "v"}',
                               json_type)
    assert status == 201
    pipeline.store()
    [row] = pipeline.rows()
    assert (row["message"], row["logrec"]["data"]) == ("a\ufffdb\ufffd", {"k\ufffd": "v"})
    assert drain(e.ctx.queue("records")) == []


def test_an_item_that_is_not_a_record_is_dead_lettered(pipeline):
    queue = pipeline.endpoint.ctx.queue("records")
    queue.push([b'{"id": "nope"}', b"not json"])
    pipeline.store()
    assert pipeline.rows() == []
    dead = {d.payload: d.error for d in queue.dead_items()}
    assert dead[b"not json"].startswith("not a log record (not JSON")
    assert dead[b'{"id": "nope"}'] == "not a log record ('id' missing or not str)" or \
        "'t_ms' missing" in dead[b'{"id": "nope"}']


def test_own_warnings_of_every_program_are_kept_as_records(tmp_path, redis_server, prefix,
                                                           store_engine, store_url):
    """own_warnings = true in the records section: another program's root
    logger sends its WARNING and above (not INFO) to the records queue."""
    config = records_config(tmp_path, redis_server, prefix, store_url,
                            worker="own_warnings = true")
    handler = own_records.install(config, "logger_http", config.redis_settings())
    assert own_records.install(config, "worker_records", config.redis_settings()) is None
    try:
        log = logging.getLogger("loglines.worker_http")
        log.info("not kept")
        log.warning("Redis is unavailable (%s): answering 503", "refused")
        try:
            raise OSError("disk full")
        except OSError:
            log.exception("writing failed")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert handler.unflushed == 0
    run_worker(config, "worker_records")
    with store_engine.connect() as conn:
        rows = conn.execute(select(records).order_by(records.c.t_ms)).all()
    assert [(r.name, r.level) for r in rows] == [("loglines.worker_http", 30),
                                                 ("loglines.worker_http", 40)]
    assert rows[0].message == "Redis is unavailable (refused): answering 503"
    assert rows[1].message.startswith("writing failed\nTraceback")
    assert rows[1].message.endswith("OSError: disk full")
    assert rows[0].logrec["data"]["host"] == handler.service
    assert rows[0].logrec["meta"]["funcName"].startswith("test_own_warnings_of_every")
