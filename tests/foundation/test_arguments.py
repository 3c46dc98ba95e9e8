"""The shared argument checks name the wrong kinds with the right article."""

from __future__ import annotations

import pytest

from workplan_core._arguments import check_arguments, records_of
from workplan_core.checkins import ImpedimentEvent
from workplan_core.errors import ValidationError
from workplan_core.org import Person


def test_records_of_names_each_wrong_item_with_its_article() -> None:
    with pytest.raises(ValidationError) as caught:
        records_of(["x", 3], ImpedimentEvent, "$.events", "bad events")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("$.events[0]", "must be an ImpedimentEvent, got str"),
        ("$.events[1]", "must be an ImpedimentEvent, got int"),
    ]
    with pytest.raises(ValidationError) as caught:
        records_of([None], Person, "$.people", "bad people")
    assert caught.value.problems[0].message == "must be a Person, got NoneType"


def test_check_arguments_uses_the_same_words() -> None:
    with pytest.raises(ValidationError) as caught:
        check_arguments("bad", event=("x", ImpedimentEvent), person=(1, Person))
    assert [p.message for p in caught.value.problems] == [
        "must be an ImpedimentEvent, got str",
        "must be a Person, got int",
    ]
