"""The faults of a chaos run, on a timeline scaled to its duration:
SIGKILL of random workers, supervisorctl stop/start, Redis killed twice,
the store's PostgreSQL killed once, the tracker down (503), then hanging,
then answering after the delivery timeout, then back."""

import os
import random
import signal
import time
import urllib.request
import xmlrpc.client


class Faults:
    def __init__(self, instance, tracker_url, duration, kills, stops, seed=1, postgres=None):
        self.instance = instance
        self.postgres = postgres
        self.control = tracker_url.split("/counter/")[0]
        self.duration = duration
        self.rng = random.Random(seed)
        self.kill_every = duration / max(1, kills)
        self.stop_every = duration / max(1, stops)
        self.kills = self.stops = self.redis_restarts = self.store_restarts = 0
        self.errors = []  # a fault that could not be made is a failed run, not a quiet one
        self.events = sorted([
            (0.15 * duration, self.tracker, "503"),
            (0.30 * duration, self.kill_redis, None),
            (0.45 * duration, self.tracker, "hang"),
            (0.50 * duration, self.kill_postgres, None),
            (0.60 * duration, self.kill_redis, None),
            (0.75 * duration, self.tracker, "slow"),  # answers after the timeout
            (0.85 * duration, self.tracker, "ok"),
        ], key=lambda e: e[0])

    def tracker(self, mode):
        urllib.request.urlopen(f"{self.control}/_mode?m={mode}", timeout=10).read()

    def workers(self, states=("RUNNING",)):
        processes = self.instance.states()
        return [(n, p) for n, p in processes.items()
                if "process_redis" not in n and p["statename"] in states and p["pid"]]

    def kill_one(self):
        # A process still starting is killed too: a crash right after a
        # restart is a fault worth having.
        running = self.workers(("RUNNING", "STARTING"))
        if not running:  # every worker is being restarted: wait for one
            time.sleep(0.2)
            running = self.workers(("RUNNING", "STARTING"))
        if running:
            _, process = self.rng.choice(running)
            try:
                os.kill(process["pid"], signal.SIGKILL)
                self.kills += 1
            except ProcessLookupError:
                pass

    def stop_start_one(self):
        running = self.workers()
        if not running:
            return
        name, _ = self.rng.choice(running)
        rpc = self.instance.rpc().supervisor
        try:
            rpc.stopProcess(name)
            time.sleep(self.rng.uniform(0.5, 2.0))
            rpc.startProcess(name)
            self.stops += 1
        except xmlrpc.client.Fault:
            pass  # it was being restarted after a kill meanwhile

    def kill_redis(self, _):
        process = self.instance.states().get("process_redis:process_redis")
        if process and process["pid"]:
            os.kill(process["pid"], signal.SIGKILL)  # `loglines redis` exec'd redis-server
            self.redis_restarts += 1

    def kill_postgres(self, _):
        """SIGKILL the store's PostgreSQL; it is back three seconds later."""
        if self.postgres is None:
            return
        self.postgres.kill()
        time.sleep(3)
        self.postgres.restart()
        self.store_restarts += 1

    def run(self, done):
        start = time.monotonic()
        next_kill, next_stop = self.kill_every, self.stop_every
        pending = list(self.events)
        while not done.is_set() and time.monotonic() - start < self.duration:
            now = time.monotonic() - start
            while pending and pending[0][0] <= now:
                _, action, arg = pending.pop(0)
                self._do(action, arg)
            # A stop/start blocks this loop for seconds: kills catch up after it.
            while now >= next_kill:
                self.kill_one()
                next_kill += self.kill_every
            if now >= next_stop:
                self.stop_start_one()
                next_stop += self.stop_every
            time.sleep(0.05)
        for _, action, arg in pending:
            if action == self.tracker:
                self._do(action, arg)
        self._do(self.tracker, "ok")

    def _do(self, action, arg):
        try:
            action(arg)
        except Exception as err:
            self.errors.append(f"{action.__name__}({arg}): {type(err).__name__}: {err}")
            print(f"FAULT FAILED: {self.errors[-1]}", flush=True)
