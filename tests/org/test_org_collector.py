"""The collector pause used around bulk work restores the collector's previous state."""

from __future__ import annotations

import gc

import pytest

from workplan_core._collector import collector_paused


@pytest.mark.parametrize("enabled", [True, False])
def test_the_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_state_is_restored_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
