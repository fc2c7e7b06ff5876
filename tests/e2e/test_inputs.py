"""Each input beyond files, under supervisord through to the tracker: an
eligible line sent by syslog, by HTTP and by the logging handler produces
exactly one tracker GET."""

import base64
import http.client
import logging
import socket
import uuid

import pytest

from loglines.inputs.logging_handler import LoglinesHandler
from tests.e2e.pipeline import Pipeline
from tests.support.redis_server import free_port
from tests.support.tracker import Tracker
from tests.support.waiting import wait_for

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def tracker():
    with Tracker() as t:
        yield t


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, tracker):
    syslog_port, http_port = free_port(), free_port()
    p = Pipeline(tmp_path_factory.mktemp("inputs"), tracker.url, extra=f"""
        [logger_syslog]
        kind = syslogd
        port = {syslog_port}
        servicename = repo.example.ac.uk
        pushto = loglines
        [logger_http]
        kind = httpingest
        port = {http_port}
        servicename = repo.example.ac.uk
        pushto = loglines
        password = ingest-secret
    """)
    p.syslog_port, p.http_port = syslog_port, http_port
    p.start()
    assert wait_for(lambda: listening(syslog_port) and listening(http_port), timeout=60)
    yield p
    p.stop()


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def sent(tracker, path):
    return [q for q in list(tracker.accepted) if q["svc_dat"] == path]


def test_a_line_over_syslog_tcp_is_one_event(pipeline, tracker):
    path = f"/syslog-{uuid.uuid4().hex[:8]}"
    body = f"GET {path} 200"
    message = f"<134>1 2026-11-22T10:00:00Z web nginx - - - {body}".encode()
    with socket.create_connection(("127.0.0.1", pipeline.syslog_port), timeout=10) as s:
        s.sendall(b"%d %s" % (len(message), message))
    assert wait_for(lambda: sent(tracker, path), timeout=60)
    wait_for(lambda: False, timeout=1.0)
    assert len(sent(tracker, path)) == 1


def test_lines_posted_over_http_are_one_event_each(pipeline, tracker):
    path = f"/http-{uuid.uuid4().hex[:8]}"
    conn = http.client.HTTPConnection("127.0.0.1", pipeline.http_port, timeout=10)
    auth = base64.b64encode(b"loglines:ingest-secret").decode()
    conn.request("POST", "/api/v1/lines", body=f"GET {path} 200\n".encode(),
                 headers={"Authorization": f"Basic {auth}"})
    assert conn.getresponse().status == 202
    assert wait_for(lambda: sent(tracker, path), timeout=60)
    wait_for(lambda: False, timeout=1.0)
    assert len(sent(tracker, path)) == 1


def test_a_record_from_the_logging_handler_is_one_event(pipeline, tracker):
    path = f"/logging-{uuid.uuid4().hex[:8]}"
    handler = LoglinesHandler(queue="loglines", service="repo.example.ac.uk",
                              redis_url=f"redis://:{pipeline.redis_password}@127.0.0.1:"
                                        f"{pipeline.redis_port}/0",
                              prefix=pipeline.prefix)
    logger = logging.getLogger(f"e2e.{path}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.warning("GET %s 200", path)
    handler.close()
    assert wait_for(lambda: sent(tracker, path), timeout=60)
    wait_for(lambda: False, timeout=1.0)
    assert len(sent(tracker, path)) == 1
