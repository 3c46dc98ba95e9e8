"""Timelines: as-of lookups, corrections, staleness; equality with a brute-force replay."""

from __future__ import annotations

import datetime as dt
from random import Random

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workplan_core.cascade.status import Status
from workplan_core.checkins.timeline import Timeline, build_timelines, latest_as_of
from workplan_core.checkins.updates import StatusUpdate
from workplan_core.errors import NotFoundError, ValidationError

D = dt.date


def up(i: str, on: dt.date, progress: float, corrects: str | None = None) -> StatusUpdate:
    return StatusUpdate(
        i, "t1", on, "anna", Status.ON_TRACK, progress=progress, confidence=7, corrects=corrects
    )


def test_as_of_lookups_and_change_since_previous() -> None:
    timeline = Timeline("t1", [up("u2", D(2027, 1, 11), 0.5), up("u1", D(2027, 1, 4), 0.2)])
    assert timeline.at(D(2027, 1, 3)) is None
    first = timeline.at(D(2027, 1, 10))
    assert first is not None
    assert first.update.id == "u1"
    assert first.previous is None
    assert first.progress_change is None
    second = timeline.at(D(2027, 1, 20))
    assert second is not None
    assert (second.update.id, second.previous and second.previous.id) == ("u2", "u1")
    assert second.progress_change == pytest.approx(0.3)
    assert second.days_since_update == 9
    assert second.is_stale(7)
    assert not second.is_stale(9)


def test_a_correction_replaces_the_original_only_from_its_recording_day() -> None:
    timeline = Timeline(
        "t1",
        [
            up("u1", D(2027, 1, 4), 0.5),
            up("u2", D(2027, 1, 11), 0.6),
            up("fix", D(2027, 1, 12), 0.4, corrects="u1"),
        ],
    )
    before = timeline.at(D(2027, 1, 11))
    after = timeline.at(D(2027, 1, 12))
    assert before is not None
    assert after is not None
    assert before.previous is not None
    assert before.previous.progress == 0.5
    assert after.previous is not None
    assert after.previous.id == "fix"
    assert after.update.id == "u2"  # the correction keeps the original's place in time
    assert after.progress_change == pytest.approx(0.2)
    assert [u.id for u in timeline.history()] == ["fix", "u2"]
    assert [u.id for u in timeline.history(D(2027, 1, 11))] == ["u1", "u2"]
    assert timeline.latest().id == "u2"


def test_bad_updates_are_rejected() -> None:
    timeline = Timeline("t1", [up("u1", D(2027, 1, 4), 0.5)])
    with pytest.raises(ValidationError, match="duplicate"):
        timeline.add(up("u1", D(2027, 1, 5), 0.5))
    with pytest.raises(ValidationError, match="no update 'nope'"):
        timeline.add(up("x", D(2027, 1, 5), 0.5, corrects="nope"))
    with pytest.raises(ValidationError, match="must not be recorded before"):
        timeline.add(up("x", D(2027, 1, 3), 0.5, corrects="u1"))
    with pytest.raises(ValidationError, match="timeline is for node"):
        timeline.add(StatusUpdate("y", "t2", D(2027, 1, 5), "anna", Status.DONE))
    with pytest.raises(NotFoundError):
        Timeline("empty").latest()


@st.composite
def histories(draw: st.DrawFn) -> list[StatusUpdate]:
    count = draw(st.integers(1, 12))
    updates: list[StatusUpdate] = []
    for i in range(count):
        on = D(2027, 1, 1) + dt.timedelta(days=draw(st.integers(0, 60)))
        progress = draw(st.floats(0, 1))
        originals = [u for u in updates if u.corrects is None]
        if originals and draw(st.booleans()):
            target = draw(st.sampled_from(originals))
            latest_fix = max([target.on] + [u.on for u in updates if u.corrects == target.id])
            on = max(on, latest_fix)
            updates.append(up(f"u{i}", on, progress, corrects=target.id))
        else:
            updates.append(up(f"u{i}", on, progress))
    return updates


def _replay(updates: list[StatusUpdate], as_of: dt.date) -> StatusUpdate | None:
    """Brute force: only what was recorded by `as_of`; latest original, latest version."""
    known = [u for u in updates if u.on <= as_of]
    originals = [u for u in known if u.corrects is None]
    if not originals:
        return None
    order = {u.id: i for i, u in enumerate(updates)}
    last = max(originals, key=lambda u: (u.on, order[u.id]))
    fixes = [u for u in known if u.corrects == last.id]
    return max(fixes, key=lambda u: (u.on, order[u.id])) if fixes else last


@given(histories(), st.integers(0, 70))
def test_as_of_equals_a_replay_of_only_the_updates_known_then(
    updates: list[StatusUpdate], offset: int
) -> None:
    as_of = D(2027, 1, 1) + dt.timedelta(days=offset)
    point = build_timelines(updates)["t1"].at(as_of)
    expected = _replay(updates, as_of)
    assert (point.update if point else None) == expected


@given(histories(), st.integers(0, 70), st.booleans(), st.randoms(use_true_random=False))
def test_many_timelines_at_once_agree_with_each_timeline(
    updates: list[StatusUpdate], offset: int, unreported: bool, rng: Random
) -> None:
    as_of = D(2027, 1, 1) + dt.timedelta(days=offset)
    if unreported:  # no progress reported: the columns must say so
        updates = [attrs.evolve(u, progress=None) for u in updates]
    bulk = build_timelines(updates)["t1"]
    grown = Timeline("t1")
    for update in sorted(updates, key=lambda u: (u.corrects is not None, rng.random())):
        if update.corrects is None:
            grown.add(update)
    for update in updates:
        if update.corrects is not None:
            grown.add(update)
    for timeline in (bulk, grown):
        seen = latest_as_of([None, timeline], as_of)
        pair = timeline.pair(as_of)
        if pair is None:
            assert (seen.found, seen.current, seen.previous) == ([], [None, None], [None, None])
            continue
        current, previous = pair
        assert (current, previous) == (seen.current[1], seen.previous[1])
        assert seen.found == [1]
        assert (seen.progress, seen.statuses, seen.values) == (
            [current.progress],
            [current.status],
            [current.value],
        )


def test_a_correction_does_not_make_an_old_reading_fresh() -> None:
    # u1 (Jan 4) corrected on Jan 25: the reading still stands at Jan 4, so it is as stale
    timeline = Timeline("t1", [up("u1", D(2027, 1, 4), 0.5), up("fix", D(2027, 1, 25), 0.4, "u1")])
    point = timeline.at(D(2027, 1, 26))
    assert point is not None
    assert (point.update.id, point.reading_on) == ("fix", D(2027, 1, 4))
    assert point.days_since_update == 22
    assert point.is_stale(9)
    plain = Timeline("t1", [up("u1", D(2027, 1, 4), 0.5)]).at(D(2027, 1, 26))
    assert plain is not None
    assert (plain.reading_on, plain.days_since_update) == (D(2027, 1, 4), 22)
