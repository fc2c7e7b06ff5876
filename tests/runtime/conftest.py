import pytest

from loglines.runtime.context import WorkerContext
from tests.support.worker_config import SECTION, worker_config


@pytest.fixture
def make_ctx(redis_server, prefix):
    """WorkerContexts on the session's Redis (or ``redis_settings``), closed
    after the test."""
    made = []

    def make(redis_settings=None, burst=True, stop=None, **config_keys):
        settings = redis_settings or redis_server.settings
        config = worker_config(prefix, settings, **config_keys)
        ctx = WorkerContext(config, config.program(SECTION), redis_settings=settings,
                            stop=stop, burst=burst)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
