import textwrap
import threading

import pytest

from loglines.config import load
from loglines.inputs.syslog.receiver import Syslogd
from loglines.runtime.context import WorkerContext
from tests.support.redis_server import free_port as support_free_port


def free_port():
    """A port free for both TCP and UDP on 127.0.0.1."""
    return support_free_port(udp=True)


class Running:
    """The syslogd worker running in a thread, as under supervisord; stopped
    (ctx.stop, as SIGTERM does) on leaving the block."""

    def __init__(self, config):
        section = config.program("logger_syslog")
        self.ctx = WorkerContext(config, section, redis_settings=config.redis_settings())
        self.port = section.options.port
        self.daemon = Syslogd(self.ctx)
        self.queue = self.ctx.queue(section.options.pushto)
        self.result = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        self.result = self.daemon.run()

    def __enter__(self):
        self.thread.start()
        assert self.daemon.listening.wait(10), "syslogd did not start listening"
        return self

    def stop(self, timeout=15):
        self.ctx.stop.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "syslogd did not stop"
        self.ctx.close()

    def __exit__(self, *exc):
        if self.thread.is_alive():
            self.stop()

    def counts(self):
        """What the worker counted so far (the pusher flushes twice a second)."""
        return self.ctx.store.counts("logger_syslog")


@pytest.fixture
def syslogd(tmp_path, redis_server, prefix):
    """``syslogd(**options)``: a running syslogd with these section options."""

    def make(queues="", **options):
        options = {"servicename": "repo.example.ac.uk", "pushto": "loglines",
                   "port": free_port(), **options}
        lines = "\n".join(f"{k} = {v}" for k, v in options.items())
        cfg = tmp_path / "loglines.cfg"
        cfg.write_text(f"[queues]\nprefix = {prefix}\n{textwrap.dedent(queues).strip()}\n"
                       f"[redis]\nport = {redis_server.port}\n"
                       f"[logger_syslog]\nkind = syslogd\n{lines}\n")
        return Running(load(cfg))

    return make

