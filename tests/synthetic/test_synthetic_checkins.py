"""Synthetic check-in histories ask real people for help."""

from __future__ import annotations

from workplan_core.synthetic import generate_cascade
from workplan_core.synthetic.checkins import generate_checkins


def test_help_is_asked_of_another_task_owner() -> None:
    nodes = generate_cascade(3_000, 1)
    history = generate_checkins(nodes, seed=1, weeks=13)
    owners = {c.subject.id for c in history.cadences}
    asked = [
        (event.by, event.help_from)
        for checkin in history.checkins
        for event in checkin.impediments
        if event.help_from is not None
    ]
    assert asked  # the history holds help requests at this size
    assert all(helper in owners and helper != by for by, helper in asked)
