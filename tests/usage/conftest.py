import pytest

from .dspace_api import FakeDSpace


@pytest.fixture
def dspace_api():
    api = FakeDSpace().start()
    yield api
    api.stop()
