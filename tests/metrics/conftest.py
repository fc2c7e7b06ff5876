# The worker fixtures (instance, tracker) are shared with tests/workers.
from tests.workers.conftest import instance, tracker  # noqa: F401
