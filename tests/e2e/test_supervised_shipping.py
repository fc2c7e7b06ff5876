"""The shipper as a supervised program: started by supervisord with the
rest of the instance, it gathers the finished days and ships each package
once; stopped and started again, it ships nothing twice."""

from pathlib import Path

import pytest

from loglines.shipping.periods import text
from tests.e2e.pipeline import Pipeline
from tests.shipping.conftest import START
from tests.support.ingress import Ingress
from tests.support.tracker import Tracker
from tests.support.waiting import wait_for

SITE = Path(__file__).resolve().parents[1] / "shipping/plugins/site.py"


@pytest.fixture
def ingress():
    with Ingress() as i:
        yield i


def test_the_supervised_shipper_ships_each_finished_day_once(tmp_path, ingress):
    with Tracker() as tracker:
        pipeline = Pipeline(tmp_path, tracker.url, extra=f"""
            [worker_shipper]
            kind = shipper
            target = post
            url = {ingress.url}
            auth = basic
            username = ship
            password = s3cret-ingress
            collectors = {SITE}
            groups = site
            period = day
            start = {text(START)}
            settle = 0
            interval = 1
            max_package_bytes = 1000
        """)
        try:
            pipeline.start()
            assert wait_for(lambda: len(ingress.kept) == 6, timeout=60)
            assert pipeline.supervisorctl("restart", "worker_shipper").returncode == 0
            # started again, it looks, and finds nothing due
            assert wait_for(lambda: "nothing due" in
                            pipeline.worker_log("worker_shipper").split("stopped")[-1],
                            timeout=30)
            status = pipeline.loglines("ship", "status").stdout
        finally:
            pipeline.stop()
    assert len(ingress.uploads) == 6 and ingress.problems == []
    assert "waiting: 0 packages" in status and "shipped (latest 6):" in status
    assert "s3cret-ingress" not in pipeline.worker_log("worker_shipper")
