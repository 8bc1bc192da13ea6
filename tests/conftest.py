"""Shared fixtures. Browser fixtures live in tests/system/conftest.py, worker ones beside
the integration tests."""

import pytest
from rest_framework.test import APIClient

from commissioning.access import Role
from tests.factories import PASSWORD, CCGFactory, UserFactory, user_with_role


@pytest.fixture
def ccg(db):
    return CCGFactory(ods_code="03L", name="NHS Rotherham CCG", short_name="Rotherham")


@pytest.fixture
def other_ccg(db):
    return CCGFactory(
        ods_code="04R", name="NHS Southern Derbyshire CCG", short_name="Southern Derbyshire"
    )


@pytest.fixture
def role_user(db, ccg):
    """Make a user holding a role in `ccg`: role_user(Role.SCRUTINY)."""

    def make(role: str, in_ccg=None):
        return user_with_role(role, in_ccg or ccg)

    return make


@pytest.fixture
def planner(role_user):
    return role_user(Role.PLANNING_MANAGER)


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def password():
    return PASSWORD
