"""The exception tree and ValidationError's problem list."""

from __future__ import annotations

import pytest

from workplan_core.errors import (
    ConflictError,
    NotFoundError,
    PolicyError,
    Problem,
    StorageError,
    ValidationError,
    WorkplanError,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ValidationError, ValueError),
        (NotFoundError, KeyError),
        (PolicyError, PermissionError),
        (ConflictError, WorkplanError),
        (StorageError, WorkplanError),
    ],
)
def test_every_error_is_a_workplan_error_and_its_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, WorkplanError)
    assert issubclass(cls, builtin)


def test_validation_error_lists_every_problem_in_its_message() -> None:
    err = ValidationError(
        [Problem("$.people[0].id", "duplicate id 'p1'"), Problem("$.end", "must not be before")]
    )
    assert err.problems == (
        Problem("$.people[0].id", "duplicate id 'p1'"),
        Problem("$.end", "must not be before"),
    )
    text = str(err)
    assert "2 problem(s)" in text
    assert "$.people[0].id: duplicate id 'p1'" in text
    assert "$.end: must not be before" in text


def test_prefixed_moves_paths_under_a_parent() -> None:
    err = ValidationError.single("$.end", "must not be before start")
    moved = err.prefixed("$.assignments[3]")
    assert moved.problems == (Problem("$.assignments[3].end", "must not be before start"),)


def test_validation_error_without_problems_still_has_one() -> None:
    err = ValidationError([], summary="bad")
    assert err.problems == (Problem("$", "bad"),)


def test_conflict_error_carries_every_conflicting_key() -> None:
    err = ConflictError("stale", [("people", "p1"), ("teams", "t2")])
    assert err.conflicts == (("people", "p1"), ("teams", "t2"))


def test_not_found_error_message_is_not_quoted_like_a_key_error() -> None:
    assert str(NotFoundError("no person 'p9'")) == "no person 'p9'"
