import textwrap
import threading
from pathlib import Path

import pytest

from loglines.config import load
from loglines.runtime.context import WorkerContext
from tests.support.tracker import Tracker

PLUGIN = Path(__file__).with_name("plugins") / "simple.py"


@pytest.fixture
def tracker():
    with Tracker() as t:
        yield t


@pytest.fixture
def instance(tmp_path, redis_server, prefix, tracker):
    """Write loglines.cfg for this test; returns a function making worker contexts."""

    def make(extra="", queues="", endpoint=None, plugin=PLUGIN, watch=""):
        cfg = tmp_path / "loglines.cfg"
        cfg.write_text(textwrap.dedent(f"""
            [queues]
            prefix = {prefix}
            block_timeout = 0.2
            {textwrap.dedent(queues).strip()}
            [redis]
            port = {redis_server.port}
            [worker_broker]
            listento = loglines
            fanout = pirus2, copy
            [worker_pirus2]
            listento = pirus2
            repository_plugin = {plugin}
            endpoint_url = {endpoint or tracker.url}
            success_queue = articlelog
            other_queue = otherlog
            url_ver = Z39.88-2004-test
            {textwrap.dedent(extra).strip()}
            [logger_watch]
            logfile = logs/access*.log
            servicename = repo.example.ac.uk
            pushto = loglines
            start_at = beginning
            max_line_size = 1024
            batch_size = 5
            {textwrap.dedent(watch).strip()}
            [logger_articlelogger]
            listento = articlelog
            logfile = logs/articles.log
        """))
        return load(cfg)

    return make


def worker_context(config, section, burst=True):
    return WorkerContext(config, config.program(section), redis_settings=config.redis_settings(),
                         burst=burst)


def run_worker(config, section, burst=True):
    from importlib import import_module

    ctx = worker_context(config, section, burst)
    module = import_module(f"loglines.workers.{config.program(section).kind}")
    try:
        return module.run(ctx)
    finally:
        ctx.close()


class Background:
    """A worker running in a thread until stopped, as under supervisord."""

    def __init__(self, config, section):
        from importlib import import_module

        self.ctx = worker_context(config, section, burst=False)
        module = import_module(f"loglines.workers.{config.program(section).kind}")
        self.thread = threading.Thread(target=module.run, args=(self.ctx,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.ctx.stop.set()
        self.thread.join(timeout=30)
        self.ctx.close()
        assert not self.thread.is_alive()
