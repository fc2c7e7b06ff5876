"""supervisord killed with SIGKILL, then started again: its programs end
with it (none is left to run a second copy beside the new ones), the new
supervisord starts every program (Redis included: its port is free), and
each line is delivered once."""

import os
import signal

import pytest

from tests.e2e.pipeline import Pipeline
from tests.support.tracker import Tracker
from tests.support.waiting import wait_for
from tests.workers.test_singletons import alive

pytestmark = pytest.mark.timeout(300)


def test_a_killed_supervisord_leaves_no_orphans_and_a_restart_delivers_once(tmp_path):
    with Tracker() as tracker:
        pipeline = Pipeline(tmp_path, tracker.url).start()
        try:
            pipeline.write(*(f"GET /before/{i} 200" for i in range(20)))
            assert wait_for(lambda: len(tracker.accepted) >= 20, timeout=60)
            pids = [p["pid"] for p in pipeline.states().values()]
            assert len(pids) == 7
            pipeline.process.send_signal(signal.SIGKILL)
            pipeline.process.wait()
            assert wait_for(lambda: not any(alive(pid) for pid in pids), timeout=30), [
                pid for pid in pids if alive(pid)]
            pipeline.start()  # every program RUNNING again, Redis on its port
            pipeline.write(*(f"GET /after/{i} 200" for i in range(20)))
            after = lambda: sorted(p["svc_dat"] for p in tracker.accepted  # noqa: E731
                                   if p["svc_dat"].startswith("/after/"))
            assert wait_for(lambda: len(after()) >= 20, timeout=60)
            assert wait_for(lambda: pipeline.quiet(pipeline.store()), timeout=60)
            assert after() == sorted(f"/after/{i}" for i in range(20))  # once each
            assert os.path.exists(tmp_path / "var/tail/logger_logfilewatcher/.lock")
        finally:
            pipeline.stop()
