"""The plugin path end to end: the example package is found through its entry point.

`.ci/run` installs it (``pip install -e tests/plugin_example``) and sets
``WORKPLAN_REQUIRE_PLUGIN=1``; without it these tests skip, saying how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import metadata

import pytest
from hypothesis import settings

from workplan_core.storage import Store, backend_schemes, open_store
from workplan_core.testing.storage_kit import StoreConformance
from workplan_core.testing.storage_machine import StoreComparison

SCHEME = "example"


@pytest.fixture(scope="module")
def plugin_url() -> str:
    """The example plugin's URL, or a skip (a failure when the plugin is required)."""
    names = {point.name for point in metadata.entry_points(group="workplan_core.storage")}
    if SCHEME not in names:
        reason = "the example storage plugin is not installed: pip install -e tests/plugin_example"
        if os.environ.get("WORKPLAN_REQUIRE_PLUGIN"):
            pytest.fail(f"WORKPLAN_REQUIRE_PLUGIN is set but {reason}")
        pytest.skip(reason)
    return f"{SCHEME}://"


def test_the_plugin_is_found_through_its_entry_point(plugin_url: str) -> None:
    (point,) = [p for p in metadata.entry_points(group="workplan_core.storage") if p.name == SCHEME]
    assert point.value == "workplan_example_backend:open_example_store"
    assert point.dist is not None
    assert point.dist.name == "workplan-example-backend"
    assert SCHEME in backend_schemes()
    with open_store(plugin_url) as store:
        assert type(store).__module__ == "workplan_example_backend"


class TestExamplePlugin(StoreConformance):
    @pytest.fixture
    def store(self, plugin_url: str) -> Iterator[Store]:
        with open_store(plugin_url) as store:
            yield store


def test_the_plugin_behaves_like_the_reference(plugin_url: str) -> None:
    StoreComparison(
        lambda: open_store(plugin_url), settings(max_examples=30, stateful_step_count=20)
    ).run()
