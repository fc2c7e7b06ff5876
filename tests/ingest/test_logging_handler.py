"""LoglinesHandler: records reach the queue in batches; the application never
waits for Redis; an outage is waited out, a full buffer is counted."""

import logging
import logging.config
import re
import time
from pathlib import Path

import pytest

from loglines.inputs.logging_handler import LoglinesHandler
from loglines.queue import QueuePolicy, QueueStore
from tests.support.queues import drain
from tests.support.redis_server import RedisServer, free_port
from tests.support.waiting import wait_for

README = Path(__file__).resolve().parents[2] / "README.md"

# The example of the README, run as it is written (only the Redis address and
# the key prefix are this test's own).
README_EXAMPLE = '''\
import logging.config

logging.config.dictConfig({
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(message)s"}},
    "handlers": {
        "loglines": {
            "class": "loglines.inputs.logging_handler.LoglinesHandler",
            "formatter": "line",
            "queue": "loglines",
            "service": "repo.example.ac.uk",
            "redis_url": "redis://127.0.0.1:6390/0",
            "prefix": "loglines",
            "maxsize": 10000,
            "close_timeout": 5,
        },
    },
    "root": {"level": "INFO", "handlers": ["loglines"]},
})

logging.getLogger("repo.access").info(
    '192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "GET /files/42/paper.pdf HTTP/1.1" '
    '200 5120 "-" "Mozilla/5.0"')
'''


@pytest.fixture
def root_logging():
    """Put the root logger back as it was after a test configured it."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield root
    for handler in root.handlers:
        if isinstance(handler, LoglinesHandler):
            handler.close()
    root.handlers[:], level = saved
    root.setLevel(level)



def make(redis_port, prefix, **kw):
    return LoglinesHandler(service="repo.example.ac.uk", redis_url=f"redis://127.0.0.1:"
                           f"{redis_port}/0", prefix=prefix, **kw)


def app_logger(handler, name="app"):
    logger = logging.getLogger(f"tests.ingest.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_the_readme_example_delivers_records(redis_server, prefix, store, root_logging):
    example = README_EXAMPLE.replace("redis://127.0.0.1:6390/0",
                                     f"redis://127.0.0.1:{redis_server.port}/0")
    example = example.replace('"prefix": "loglines"', f'"prefix": "{prefix}"')
    exec(compile(example, "README example", "exec"), {})
    queue = store.queue("loglines")
    assert wait_for(lambda: queue.stats().ready == 1, timeout=10)
    assert drain(queue) == [{
        "service": "repo.example.ac.uk", "source": "logging:repo.access",
        "logline": '192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] "GET /files/42/paper.pdf '
                   'HTTP/1.1" 200 5120 "-" "Mozilla/5.0"'}]


def test_the_readme_shows_the_tested_example():
    text = README.read_text(encoding="utf-8")
    if "LoglinesHandler" not in text:
        pytest.skip("README.md has no LoglinesHandler section yet")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert README_EXAMPLE in blocks


def test_records_arrive_in_batches_and_close_flushes(redis_server, prefix, store):
    handler = make(redis_server.port, prefix, batch_size=100, flush_interval=30)
    logger = app_logger(handler)
    for i in range(250):
        logger.info("record %d", i)
    queue = store.queue("loglines")
    assert wait_for(lambda: queue.stats().ready == 200, timeout=10)  # two full batches
    handler.close()  # the last 50 wait for flush_interval, or for close
    assert handler.unflushed == 0
    assert [m["logline"] for m in drain(queue)] == [f"record {i}" for i in range(250)]


def test_the_app_never_blocks_while_redis_is_down_and_overflow_is_counted(prefix, capsys):
    handler = make(free_port(), prefix, maxsize=1000, close_timeout=0.5)
    logger = app_logger(handler)
    started = time.monotonic()
    for i in range(20_000):
        logger.info("record %d", i)
    assert time.monotonic() - started < 10  # a bound, not a benchmark: no wait on Redis
    assert handler.dropped >= 19_000 - handler.batch_size
    handler.close()
    assert handler.unflushed > 0
    err = capsys.readouterr().err
    assert "log records dropped" in err
    assert "could not be sent" in err


def test_records_logged_during_an_outage_arrive_when_redis_is_back(tmp_path, prefix):
    server = RedisServer(tmp_path).start()
    handler = make(server.port, prefix, flush_interval=0.05)
    logger = app_logger(handler)
    client = server.client()
    store = QueueStore(client, prefix, lambda name: QueuePolicy())
    queue = store.queue("loglines")
    try:
        logger.info("before")
        assert wait_for(lambda: queue.stats().ready == 1, timeout=10)
        server.stop()
        for i in range(10):
            logger.info("during %d", i)
        time.sleep(0.5)  # the thread tries, fails and backs off meanwhile
        server.start()
        assert wait_for(lambda: queue.stats().ready == 11, timeout=20)
        assert handler.dropped == 0
        assert [m["logline"] for m in drain(queue)] == ["before"] + [
            f"during {i}" for i in range(10)]
    finally:
        handler.close()
        client.close()
        server.stop()


def test_a_full_queue_makes_the_thread_wait_not_drop(redis_server, prefix, make_store):
    handler = make(redis_server.port, prefix, cap=5, flush_interval=0.05)
    logger = app_logger(handler)
    queue = make_store().queue("loglines")
    assert queue.push(['"x"'] * 5).accepted
    for i in range(3):
        logger.info("waiting %d", i)
    time.sleep(0.5)
    assert queue.stats().ready == 5
    drain(queue)
    assert wait_for(lambda: queue.stats().ready == 3, timeout=10)
    handler.close()
    assert handler.dropped == 0
    assert [m["logline"] for m in drain(queue)] == [f"waiting {i}" for i in range(3)]
