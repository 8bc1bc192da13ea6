import pytest

from tests.access.world import build_world


@pytest.fixture
def world(db):
    return build_world()


def pytest_terminal_summary(terminalreporter):
    """The leak tests' counts: (request, actor) checks made and leaks found, by kind."""
    from tests.access.leaks import CHECKS, LEAKS

    if CHECKS:
        terminalreporter.write_line(
            f"access leak checks: {sum(CHECKS.values())} (request, actor) checks, "
            f"{sum(LEAKS.values())} leaks; "
            + ", ".join(f"{k}={v}" for k, v in sorted(CHECKS.items()))
        )
