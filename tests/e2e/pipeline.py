"""A whole loglines instance under a real supervisord, for end-to-end tests:
a temp instance directory, free ports, the embedded Redis as a supervised
program, and a local HTTP server as the tracker."""

import shutil
import subprocess
import sys
import textwrap
import xmlrpc.client
from pathlib import Path

from loglines.config import load
from loglines.queue import QueueStore
from loglines.redis_connection import connect
from tests.support.redis_server import free_port
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLUGIN = ROOT / "tests/workers/plugins/simple.py"
PASSWORD = "e2e-pass%word"




class Pipeline:
    password = PASSWORD
    prefix = "e2e"
    def __init__(self, home, tracker_url, extra=""):
        self.home = Path(home)
        self.web_port = free_port()
        self.redis_port = free_port()
        self.tracker_url = tracker_url
        self.log = self.home / "logs/access.log"
        self.process = None
        (self.home / "plugins").mkdir(parents=True)
        shutil.copy(PLUGIN, self.home / "plugins/simple.py")
        self.log.parent.mkdir(parents=True)
        self.log.touch()
        self.cfg = self.home / "loglines.cfg"
        self.cfg.write_text(self.config_text(extra))
        self.config = load(self.cfg)
        self.redis_password = self.config.redis_settings().password  # generated and kept

    def config_text(self, extra):
        return textwrap.dedent(f"""
            [supervisor]
            port = 127.0.0.1:{self.web_port}
            username = tester
            password = {self.password}
            nodaemon = true
            [queues]
            prefix = e2e
            consumer_timeout = 4
            heartbeat_interval = 1
            block_timeout = 0.5
            retry_delay = 0.2
            retry_max_delay = 1
            [redis]
            managed = true
            port = {self.redis_port}
            [process_redis]
            [logger_logfilewatcher]
            logfile = logs/access*.log
            servicename = repo.example.ac.uk
            pushto = loglines
            start_at = beginning
            batch_size = 50
            [worker_broker]
            listento = loglines
            fanout = pirus2
            [worker_pirus2]
            listento = pirus2
            repository_plugin = simple
            endpoint_url = {self.tracker_url}
            timeout = 2
            connect_timeout = 1
            numprocs = 2
            batch_size = 20
            success_queue = articlelog
            other_queue = otherlog
            [logger_articlelogger]
            listento = articlelog
            logfile = out/articles.log
            [logger_otherlogger]
            listento = otherlog
            logfile = out/other.log
        """) + textwrap.dedent(extra)

    def loglines(self, *args, check=True):
        return subprocess.run([str(BIN / "loglines"), "--config", str(self.cfg), *args],
                              cwd=self.home, capture_output=True, text=True, check=check)

    def supervisorctl(self, *args):
        conf = str(self.home / "supervisord.conf")
        return subprocess.run([str(BIN / "supervisorctl"), "-c", conf, *args], cwd=self.home,
                              capture_output=True, text=True)

    def start(self, settled=None):
        """Generate the supervisord config, start supervisord and wait until
        ``settled()`` (default: every program RUNNING)."""
        self.loglines("supervisor-config")
        self.process = subprocess.Popen(
            [str(BIN / "supervisord"), "-c", str(self.home / "supervisord.conf")],
            cwd=self.home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(settled or self.all_running, timeout=60), self.states()
        return self

    def start_allowing_fatal(self, program="process_broken"):
        """Start, expecting ``program`` to end FATAL and every other RUNNING."""

        def settled():
            states = self.states()
            return bool(states) and all(
                p["statename"] == ("FATAL" if p["name"] == program else "RUNNING")
                for p in states.values())

        return self.start(settled)

    def stop(self):
        if self.process is None:
            return
        try:
            self.rpc().supervisor.shutdown()
        except (OSError, xmlrpc.client.Error):
            self.process.terminate()
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def rpc(self):
        return xmlrpc.client.ServerProxy(
            f"http://tester:{self.password.replace('%', '%25')}@127.0.0.1:{self.web_port}/RPC2")

    def states(self):
        try:
            processes = self.rpc().supervisor.getAllProcessInfo()
            return {p["group"] + ":" + p["name"]: p for p in processes}
        except (OSError, xmlrpc.client.Error):
            return {}

    def all_running(self):
        states = self.states()
        return bool(states) and all(p["statename"] == "RUNNING" for p in states.values())

    def store(self):
        return QueueStore(connect(self.config.redis_settings()), self.prefix,
                          self.config.queue_policy, consumer_timeout=4)

    def write(self, *lines, path=None):
        with open(path or self.log, "a") as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()

    def worker_log(self, name):
        return "".join(p.read_text(errors="replace")
                       for p in sorted((self.home / "var/log").glob(f"{name}*.log")))

    def quiet(self, store, names=("loglines", "pirus2", "articlelog", "otherlog")):
        """Nothing left in flight or waiting in the pipeline's queues."""
        for name in names:
            s = store.queue(name).stats()
            if s.ready or s.inflight or s.delayed:
                return False
        return True
