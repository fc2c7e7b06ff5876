"""The baseline of figure 5's Matomo run: Matomo's own log importer.

``import_logs.py`` of matomo-org/matomo-log-analytics (GPL; fetched by the
user, run from where it lies, never part of this repository) reads the same
big file and posts bulks to the same stand-in tracker as loglines' Matomo
target. Its clock runs from the start of its process to the tracker's
arrival time of its last request (its own start-up, one API call and its
parse included, as a user running it pays them); its CPU is the process'
user + system time from ``wait4``, the tracker's is read from /proc.

The options make it track what loglines counts as closely as its own
options allow (README, "Performance"): ``--idsite`` and ``--token-auth`` so
it asks the API nothing but the site's URL; the workload's format named
(``ncsa_extended``, Apache combined) so it does not try every format first;
``--include-path`` for the EPrints item URLs the eprints plugin counts
(downloads and abstract pages); bulks of 100 requests, loglines'
``bulk_size`` default. Its own filters stay on: robots by its user-agent
list, HTTP errors and redirects. It has no option to leave out HEAD, POST,
206 or 304 lines, or the robots of the COUNTER list that its shorter list
misses, so it tracks a few more requests than loglines: both counts are
printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.e2e import cpu_seconds

ENV = "LOGLINES_BENCH_MATOMO_IMPORTER"
IDSITE = "1"
# A made-up token: the stand-in takes any, and with one given the importer
# does not ask the API for the superuser's.
TOKEN = "0" * 32
BULK = 100
ITEM_PATHS = ("/[1-9]*/*", "/id/eprint/[1-9]*")
_IMPORTED = re.compile(r"(\d+) requests imported successfully")


class ImporterError(Exception):
    """The importer could not be run, or did not finish its import."""


def locate(given: str | None) -> Path | None:
    """The importer's path from ``--matomo-importer`` or the environment."""
    given = given or os.environ.get(ENV)
    if not given:
        return None
    path = Path(given).expanduser()
    if path.is_dir():
        path = path / "import_logs.py"
    if not path.is_file():
        raise ImporterError(f"Matomo log importer not found at {path} (from --matomo-importer or "
                            f"{ENV}); get it with git clone "
                            f"https://github.com/matomo-org/matomo-log-analytics")
    return path.resolve()


def command(importer: Path, tracker_port: int, log: Path, recorders: int) -> list:
    paths = [arg for pattern in ITEM_PATHS for arg in ("--include-path", pattern)]
    return [sys.executable, str(importer), "--url", f"http://127.0.0.1:{tracker_port}",
            "--idsite", IDSITE, "--token-auth", TOKEN, "--recorders", str(recorders),
            "--recorder-max-payload-size", str(BULK), "--log-format-name", "ncsa_extended",
            *paths, str(log)]


def _wait(process: subprocess.Popen, limit: float):
    """Exit status and rusage of ``process``; killed past ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage
        if time.monotonic() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            raise ImporterError(f"the Matomo log importer did not finish within {limit:.0f} s")
        time.sleep(0.02)


def _tail(path: Path, lines: int = 5) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])


def run_once(importer: Path, workdir: Path, log: Path, lines: int, tracker,
             recorders: int) -> dict:
    """One import of ``log`` into the stand-in tracker."""
    output = Path(workdir) / f"importer-{recorders}-{time.monotonic_ns()}.txt"
    tracker.reset()
    tracker_before = cpu_seconds(tracker.process.pid) or 0.0
    start = time.time()
    with open(output, "w") as out:
        process = subprocess.Popen(command(importer, tracker.port, log, recorders),
                                   stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        code, usage = _wait(process, max(120.0, lines / 500))
    exited = time.time()
    tracked = tracker.stats()
    if code != 0:
        raise ImporterError(f"the Matomo log importer exited with {code}: {_tail(output)}")
    imported = _IMPORTED.search(output.read_text(errors="replace"))
    if imported is None:
        raise ImporterError(f"the Matomo log importer's summary says no count of requests "
                            f"imported: {_tail(output)}")
    end = tracked["last"] or exited
    return {"lps": lines / (end - start), "seconds": end - start,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "tracker_cpu_s": (cpu_seconds(tracker.process.pid) or 0.0) - tracker_before,
            "events": tracked["count"], "imported": int(imported[1]),
            "api": tracked.get("api", {})}
