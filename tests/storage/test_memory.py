"""The in-memory store passes the conformance kit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workplan_core.storage import Store, open_store
from workplan_core.storage.memory import MemoryStore
from workplan_core.testing.storage_kit import StoreConformance


class TestMemoryStore(StoreConformance):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        with open_store("memory://") as store:
            yield store


def test_memory_urls_open_fresh_stores() -> None:
    with open_store("memory://") as first, open_store("memory://") as second:
        assert isinstance(first, MemoryStore)
        assert first is not second
