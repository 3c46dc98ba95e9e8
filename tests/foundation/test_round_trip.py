"""Every registered record type has a strategy and round-trips through dict and JSON unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import workplan_core.testing.strategies as wst
from workplan_core.errors import Problem, ValidationError
from workplan_core.serialization import (
    dump_record,
    from_json,
    load_record,
    record_types,
    structure,
    to_json,
    unstructure,
)

LIBRARY_TYPES = sorted(
    (rt for name, rt in record_types().items() if name.split(".")[0] not in ("test", "example")),
    key=lambda rt: rt.name,
)


@pytest.mark.parametrize("record", LIBRARY_TYPES, ids=lambda rt: rt.name)
def test_every_record_type_round_trips(record: Any) -> None:
    strategy = wst.for_type(record.cls)

    @given(strategy)
    def check(value: Any) -> None:
        assert structure(unstructure(value), record.cls) == value
        assert from_json(to_json(value), record.cls) == value
        assert load_record(dump_record(value), record.cls) == value

    check()


@given(st.data())
def test_registered_strategies_cover_plain_value_types(data: st.DataObject) -> None:
    for cls, strategy in wst.registered().items():
        value = data.draw(strategy, label=cls.__name__)
        assert structure(unstructure(value), cls) == value


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


def _problems(data: object, cls: type) -> tuple[Problem, ...] | None:
    """The problems structuring `data` raises (only ValidationError may escape), or None."""
    try:
        structure(data, cls)
    except ValidationError as exc:
        return exc.problems
    return None


@pytest.mark.parametrize("record", LIBRARY_TYPES, ids=lambda rt: rt.name)
def test_arbitrary_json_raises_only_validation_error(record: Any) -> None:
    @given(JSON)
    def check(data: object) -> None:
        assert _problems(data, record.cls) != ()

    check()


@pytest.mark.parametrize("record", LIBRARY_TYPES, ids=lambda rt: rt.name)
def test_mutated_valid_records_raise_only_validation_error(record: Any) -> None:
    """Valid records with one field replaced by arbitrary JSON: never a bare exception."""

    @given(wst.for_type(record.cls), st.data())
    def check(value: Any, data: st.DataObject) -> None:
        raw = unstructure(value)
        if isinstance(raw, dict) and raw:
            field = data.draw(st.sampled_from(sorted(raw)))
            raw[field] = data.draw(JSON)
        assert _problems(raw, record.cls) != ()

    check()
