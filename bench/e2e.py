"""Figures 5-7: the whole pipeline under a real supervisord, end to end.

An instance like the shipped one (embedded Redis, the logfilewatcher
pushing straight into the queue of two pirus2 processes with the eprints
plugin, the two logfromqueue loggers; every setting at its default) on free
ports, delivering to the local tracker
of bench/servers.py. Started with an empty log; then the big file is linked
in beside it (the glob picks it up within 0.2 s) and the clock runs from
that instant to the tracker's arrival time of the last event.
"""

from __future__ import annotations

import os
import shutil
import textwrap
import time
from pathlib import Path

from bench import workload
from loglines.errors import QueueUnavailable
from tests.e2e.pipeline import PASSWORD, Pipeline
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]


class BenchPipeline(Pipeline):
    def __init__(self, home, tracker_url, target_lines=(), stats=False):
        self.target_lines = "\n".join(target_lines)
        self.stats = stats
        super().__init__(home, tracker_url)
        shutil.copy(ROOT / "plugins/eprints.py", self.home / "plugins/eprints.py")

    def config_text(self, extra):
        s = workload.SERVICE
        return textwrap.dedent(f"""
            [supervisor]
            port = 127.0.0.1:{self.web_port}
            username = tester
            password = {PASSWORD}
            nodaemon = true
            [queues]
            prefix = e2e
            [redis]
            managed = true
            port = {self.redis_port}
            [process_redis]
            priority = 10
            [logger_logfilewatcher]
            logfile = logs/access*.log
            servicename = {s}
            pushto = pirus2
            start_at = beginning
            [worker_pirus2]
            listento = pirus2
            repository_plugin = eprints
            base_url = https://{s}
            oai_prefix = {s}
            endpoint_url = {self.tracker_url}
            numprocs = 2
            success_queue = articlelog
            other_queue = otherlog
        """) + self.target_lines + (STATS if self.stats else "") + textwrap.dedent("""
            [logger_articlelogger]
            listento = articlelog
            logfile = out/articles.log
            [logger_otherlogger]
            listento = otherlog
            logfile = out/other.log
        """)


# pirus2's key and the worker section that keep the statistics (SQLite).
STATS = """
stats_queue = stats
[worker_stats]
kind = stats
listento = stats
"""

# The pirus2 keys of the Matomo bulk target (OpenAIRE UsageCounts).
MATOMO_TARGET = ("target = matomo", "idsite = 1")


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set) of a live process, in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:  # no psutil, or the process is gone
        return None


def worker_peaks(pipe: Pipeline) -> dict:
    peaks = {}
    for name, info in sorted(pipe.states().items()):
        if "redis" not in name and info.get("pid"):
            peaks[name.split(":")[-1]] = peak_rss_mb(info["pid"])
    return peaks


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_cpu(pipe: Pipeline) -> dict:
    """CPU seconds of every program of the pipeline (Redis included), by name."""
    return {name.split(":")[-1]: cpu_seconds(info["pid"])
            for name, info in sorted(pipe.states().items()) if info.get("pid")}


def _pings(store) -> bool:
    try:
        return bool(store.ping())
    except QueueUnavailable:
        return False


def wait_done(pipe, store, lines: int, limit: float, queues) -> float | None:
    """When the last queue emptied (Unix time), or None past ``limit``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        read = store.counts("logger_logfilewatcher").get("lines", 0)
        if read >= lines and pipe.quiet(store, queues):
            return time.time()
        time.sleep(0.05)
    return None


def run_once(workdir: Path, big: Path, lines: int, tracker, target=(), probe=None,
             stats=False) -> dict:
    """One pipeline: the big file through it, then the latency probe if asked;
    with ``stats``, the stats worker too, and the run ends when the store
    has every line as well."""
    home = Path(workdir) / f"e2e-{time.monotonic_ns()}"
    pipe = BenchPipeline(home, tracker.url, target, stats=stats)
    queues = ("pirus2", "articlelog", "otherlog", *(("stats",) if stats else ()))
    try:
        if stats:
            pipe.loglines("store", "migrate")
        pipe.start()
        store = pipe.store()
        # supervisord says RUNNING a second after the start; redis-server may take longer.
        if not wait_for(lambda: _pings(store), timeout=60):
            raise RuntimeError("end to end: the pipeline's Redis did not answer within 60 s")
        tracker.reset()
        cpu_before = {**worker_cpu(pipe), "tracker": cpu_seconds(tracker.process.pid)}
        start = time.time()
        os.link(big, pipe.home / "logs/access-big.log")
        done = wait_done(pipe, store, lines, max(120.0, lines / 1000), queues)
        if done is None:
            raise RuntimeError(f"end to end: not done in time; pirus2 counts "
                               f"{store.counts('worker_pirus2')}, "
                               f"tracker {tracker.stats()['count']}")
        tracked = tracker.stats()
        # The store's last commit is seen when the stats queue empties: its
        # items are acknowledged after the commit.
        end = max(tracked["last"], done) if stats else tracked["last"]
        cpu_after = {**worker_cpu(pipe), "tracker": cpu_seconds(tracker.process.pid)}
        result = {
            "cpu": {name: cpu_after[name] - (cpu_before.get(name) or 0)
                    for name in cpu_after if cpu_after[name] is not None},
            "lps": lines / (end - start), "seconds": end - start,
            "events": tracked["count"], "rss": worker_peaks(pipe),
            "redis_peak_mb": store.client.info("memory")["used_memory_peak"] / 2**20,
            "counts": store.counts("worker_pirus2"),
        }
        if probe:
            result.update(latency(pipe, tracker, *probe))
        return result
    finally:
        pipe.stop()
        shutil.rmtree(home, ignore_errors=True)


def _write_probes(log: Path, rate: float, total: int) -> dict:
    """Append probe lines at ``rate`` per second; the time each became readable."""
    written = {}
    start, n = time.monotonic(), 0
    with open(log, "a", encoding="utf-8") as out:
        while n < total:
            due = min(total, int((time.monotonic() - start) * rate) + 1)
            if due > n:
                now = workload.datetime.now(workload.timezone.utc)
                out.write("".join(workload.event_line(i, probe=True, when=now) + "\n"
                                  for i in range(n, due)))
                out.flush()
                stamp = time.time()
                written.update(dict.fromkeys(range(n, due), stamp))
                n = due
            time.sleep(0.002)
    return written


def latency(pipe, tracker, rate: float, seconds: float) -> dict:
    """p50 and p99 from a line's write to its event's arrival at the tracker."""
    total = int(rate * seconds)
    tracker.reset()
    tracker.record()
    written = _write_probes(pipe.log, rate, total)
    deadline = time.monotonic() + 30
    records = []
    while time.monotonic() < deadline:
        records = tracker.stats()["records"]
        if len(records) >= total:
            break
        time.sleep(0.25)
    delays = sorted((at - written[seq]) * 1000 for seq, at in records if seq in written)
    if not delays:
        return {"latency_p50_ms": None, "latency_p99_ms": None, "probes": (0, total)}
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]  # noqa: E731
    return {"latency_p50_ms": pick(0.50), "latency_p99_ms": pick(0.99),
            "probes": (len(delays), total)}
