import textwrap
import time
from pathlib import Path

import pytest

from loglines.config import load
from loglines.shipping.book import Book
from loglines.shipping.periods import DAY, day_start, text
from tests.support.ingress import Ingress

SITE = Path(__file__).with_name("plugins") / "site.py"
TODAY = day_start(int(time.time()))
START = TODAY - 3 * DAY  # three finished days to ship
SECTION = "worker_ship"


@pytest.fixture
def ingress():
    with Ingress() as i:
        yield i


@pytest.fixture
def instance(tmp_path, redis_server, prefix, ingress):
    """Write loglines.cfg with a shipper section; returns the loaded Config."""

    def make(target="post", extra="", max_attempts=5, collectors=SITE, url=None):
        where = f"folder = {tmp_path / 'target'}" if target == "folder" else (
            f"url = {url or ingress.url}\nauth = basic\nusername = ship\n"
            "password = s3cret-ingress")
        cfg = tmp_path / "loglines.cfg"
        cfg.write_text(textwrap.dedent(f"""
            [queues]
            prefix = {prefix}
            block_timeout = 0.2
            consumer_timeout = 2
            heartbeat_interval = 0.2
            [[ship]]
            max_attempts = {max_attempts}
            retry_delay = 0.05
            retry_max_delay = 0.2
            [redis]
            port = {redis_server.port}
            [{SECTION}]
            kind = shipper
            target = {target}
            collectors = {collectors}
            groups = site
            period = day
            start = {text(START)}
            settle = 0
            interval = 1
            max_package_bytes = 1000
        """) + textwrap.dedent(where) + "\n" + textwrap.dedent(extra))
        return load(cfg)

    return make


def book_of(config, redis_client):
    return Book(redis_client, config.queues.prefix, SECTION)


# The notification stand-ins of tests/notify, for the dead letters of ship jobs.
from tests.notify.conftest import rq_queue_name, run_jobs, webhook  # noqa: E402, F401
