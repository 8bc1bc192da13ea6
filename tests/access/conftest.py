import pytest

from tests.access.world import build_world


@pytest.fixture
def world(db):
    return build_world()
