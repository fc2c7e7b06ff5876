"""The records pipeline on real servers: an httpingest endpoint pushing to
``records``, the records worker storing into a real store (SQLite or
PostgreSQL), and helpers to read what was stored."""

import logging
import logging.handlers
import textwrap

import pytest
from sqlalchemy import select

from loglines.config import load
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from loglines.store.schema import records
from tests.ingest.conftest import ENV, PASSWORD, USER, Endpoint
from tests.support.redis_server import free_port
from tests.workers.conftest import run_worker

RECORD = "/api/v1/record"


def records_config(tmp_path, redis_server, prefix, store_url, worker="", http="", api=""):
    cfg = tmp_path / "loglines.cfg"
    cfg.write_text(textwrap.dedent("""
        [queues]
        prefix = {prefix}
        block_timeout = 0.2
        [redis]
        port = {redis_port}
        [store]
        url = {store_url}
        [logger_http]
        kind = httpingest
        pushto = loglines
        records_queue = records
        servicename = repo.example.ac.uk
        port = {port}
        username = {user}
        password = ${{INGEST_TEST_PASSWORD}}
        max_body = 1048576
        max_line_size = 4096
        {http}
        [worker_records]
        kind = records
        listento = records
        flush_interval = 0
        {worker}
        [worker_stats]
        kind = stats
        listento = stats
        [worker_api]
        kind = api
        port = {api_port}
        {api}
    """).format(prefix=prefix, redis_port=redis_server.port, store_url=store_url,
                port=free_port(), api_port=free_port(), user=USER, http=http, worker=worker,
                api=api))
    return load(cfg, environ=ENV)


class Pipeline:
    """The endpoint running; ``store()`` runs the records worker in burst mode."""

    def __init__(self, config, engine):
        self.config = config
        self.engine = engine
        self.endpoint = Endpoint(config)

    def store(self):
        assert run_worker(self.config, "worker_records") == 0

    def rows(self):
        with self.engine.connect() as conn:
            return [r._asdict() for r in conn.execute(select(records).order_by(records.c.seq))]

    def handler(self, **kw):
        return logging.handlers.HTTPHandler(f"127.0.0.1:{self.endpoint.port}", RECORD,
                                            method="POST", secure=False,
                                            credentials=(USER, PASSWORD), **kw)


@pytest.fixture
def pipeline(tmp_path, redis_server, prefix, store_url):
    engine = open_engine(store_url)
    upgrade(engine)
    p = Pipeline(records_config(tmp_path, redis_server, prefix, store_url), engine)
    with p.endpoint:
        yield p
    engine.dispose()


def app_logger(name, handler):
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return logger
