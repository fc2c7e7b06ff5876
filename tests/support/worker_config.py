"""A real Config with one worker section, for tests of the worker runtime
(WorkerContext, consume) that need no plugin or tracker."""

from pathlib import Path

from loglines.config.model import (
    Config,
    ProgramSection,
    QueueSettings,
    RetrySettings,
    SupervisorSettings,
)
from loglines.config.options import LogfromqueueOptions

SECTION = "worker_test"


def worker_config(prefix, redis_settings, queue="work", max_attempts=3, retry_delay=0.05,
                  heartbeat_interval=0.1, consumer_timeout=3.0, block_timeout=0.2):
    """Short intervals, so that a test sees beats, retries and idle waits
    within a fraction of a second."""
    queues = QueueSettings(
        prefix=prefix,
        consumer_timeout=consumer_timeout,
        heartbeat_interval=heartbeat_interval,
        block_timeout=block_timeout,
        retry=RetrySettings(max_attempts, retry_delay, retry_max_delay=1.0),
    )
    options = LogfromqueueOptions(
        kind="logfromqueue", command=None, redis="", autostart=True, autorestart="true",
        numprocs=1, priority=None, startsecs=None, startretries=None, stopwaitsecs=None,
        stdout_logfile=None, user=None, listento=queue, logfile="var/log/test.log",
        batch_size=10, retention_days=0,
    )
    section = ProgramSection(SECTION, "logfromqueue", options)
    return Config(
        path=Path("loglines.cfg"), instance_dir=Path("."), supervisor=SupervisorSettings(),
        queues=queues, redis={"": redis_settings}, programs={SECTION: section},
    )
