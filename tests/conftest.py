"""Shared test configuration: hypothesis profiles and the PostgreSQL switch."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The DSN of a PostgreSQL server for tests, or a skip with the reason."""
    dsn = os.environ.get("WORKPLAN_TEST_POSTGRES_DSN")
    if not dsn:
        if os.environ.get("WORKPLAN_REQUIRE_POSTGRES"):
            pytest.fail("WORKPLAN_REQUIRE_POSTGRES is set but WORKPLAN_TEST_POSTGRES_DSN is not")
        pytest.skip("set WORKPLAN_TEST_POSTGRES_DSN=postgresql://… to run PostgreSQL tests")
    return dsn
