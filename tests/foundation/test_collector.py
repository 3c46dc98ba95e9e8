"""The collector helpers: bulk work pauses the collector and settles what it made, nothing more."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from workplan_core._collector import collector_paused
from workplan_core.cascade import Cascade
from workplan_core.synthetic import generate_cascade


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def _young(count: int, *, settle: bool) -> list[list[int]]:
    with collector_paused(settle=settle):
        return [[i] for i in range(count)]


def test_many_young_containers_are_collected_once_into_the_oldest(
    collections: list[int],
) -> None:
    kept = _young(5_000, settle=True)
    assert collections == [1]
    assert gc.get_count()[0] < gc.get_threshold()[0]
    assert len(kept) == 5_000


def test_few_young_containers_are_left_alone(collections: list[int]) -> None:
    kept = _young(gc.get_threshold()[0] // 2, settle=True)
    assert collections == []
    assert kept


def test_a_disabled_collector_stays_untouched(collections: list[int]) -> None:
    gc.disable()
    try:
        kept = _young(5_000, settle=True)
        assert collections == []
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert len(kept) == 5_000


def test_without_settle_the_young_are_left_to_the_collector(collections: list[int]) -> None:
    kept = _young(5_000, settle=False)
    assert 1 not in collections
    assert len(kept) == 5_000


def test_collector_paused_restores_the_state_it_found() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_build_settles_its_containers_and_leaves_frozen_ones_frozen(
    collections: list[int],
) -> None:
    nodes = generate_cascade(20_000, seed=3)
    sentinel: list[object] = [object()]  # a tracked container, frozen with the rest below
    gc.collect()
    collections.clear()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        Cascade(nodes)
        assert 1 in collections
        # Nothing was unfrozen: the sentinel is still outside the collector's generations.
        # (The count itself may drop a little: frozen objects can still be freed, e.g. the
        # weak references of a dispatch cache that a first build in the process clears.)
        assert not any(obj is sentinel for obj in gc.get_objects())
        assert gc.get_freeze_count() > frozen - 1_000
    finally:
        gc.unfreeze()


def test_a_block_ending_in_one_thread_leaves_another_threads_block_paused() -> None:
    inside, checked = threading.Event(), threading.Event()
    seen: list[bool] = []

    def hold() -> None:  # begins after the main thread's block, ends after it
        with collector_paused():
            inside.set()
            checked.wait(10)
            seen.append(gc.isenabled())

    assert gc.isenabled()
    worker = threading.Thread(target=hold)
    try:
        with collector_paused(settle=True):
            worker.start()
            assert inside.wait(10)
        assert not gc.isenabled()  # the worker's block still runs
    finally:
        checked.set()
        worker.join(10)
    assert seen == [False]
    assert gc.isenabled()  # the last block restarted it


def test_nested_blocks_restart_the_collector_once_at_the_end() -> None:
    with collector_paused():
        with collector_paused(settle=True):
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
