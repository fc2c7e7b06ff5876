"""The throwaway loglines instance of a chaos run: the real pipeline under a
real supervisord with the embedded Redis, delivering through the eprints
plugin (wrapped so that marked lines make it raise) to the chaos tracker,
and keeping the statistics in a PostgreSQL of the run's own."""

import shutil
import textwrap

from tests.e2e.pipeline import ROOT, Pipeline

CHAOS_PLUGIN = '''\
"""eprints, except that a line holding POISON-RAISE makes it raise."""
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "chaos_eprints", os.path.join(os.path.dirname(__file__), "eprints.py"))
eprints = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eprints)
get_openurl_params = eprints.get_openurl_params
check_config = eprints.check_config


def parseline(jmsg, c=None, worker_section=None):
    if "POISON-RAISE" in jmsg:
        raise RuntimeError("a poison line, by design of the chaos run")
    return eprints.parseline(jmsg, c, worker_section)
'''


class ChaosInstance(Pipeline):
    password = "chaos-password"
    prefix = "chaos"

    def __init__(self, home, tracker_url, store_url):
        self.store_url = store_url
        super().__init__(home, tracker_url)
        shutil.copy(ROOT / "plugins/eprints.py", self.home / "plugins/eprints.py")
        (self.home / "plugins/chaos.py").write_text(CHAOS_PLUGIN)

    def config_text(self, extra):
        return textwrap.dedent(f"""
            [supervisor]
            port = 127.0.0.1:{self.web_port}
            username = tester
            password = {self.password}
            nodaemon = true
            [queues]
            prefix = chaos
            consumer_timeout = 6
            heartbeat_interval = 1
            block_timeout = 0.5
            retry_delay = 0.2
            retry_max_delay = 4
            [redis]
            managed = true
            port = {self.redis_port}
            [process_redis]
            startretries = 100
            [store]
            url = {self.store_url}
            [logger_logfilewatcher]
            logfile = logs/access.log
            servicename = repo.example.ac.uk
            pushto = loglines
            start_at = beginning
            batch_size = 500
            startretries = 100
            [worker_broker]
            listento = loglines
            fanout = pirus2
            startretries = 100
            [worker_pirus2]
            listento = pirus2
            repository_plugin = chaos
            endpoint_url = {self.tracker_url}
            base_url = https://repo.example.ac.uk
            oai_prefix = repo.example.ac.uk
            # Short enough that the hanging tracker costs seconds, long enough
            # that a loaded machine's slow answers are rarely taken for none
            # (an answer after the timeout is an event delivered twice).
            timeout = 5
            connect_timeout = 1
            numprocs = 2
            batch_size = 50
            success_queue = articlelog
            other_queue = otherlog
            stats_queue = stats
            startretries = 100
            [worker_stats]
            kind = stats
            listento = stats
            startretries = 100
            [logger_articlelogger]
            listento = articlelog
            logfile = out/articles.log
            startretries = 100
            [logger_otherlogger]
            listento = otherlog
            logfile = out/other.log
            startretries = 100
        """)
