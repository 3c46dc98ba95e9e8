"""Public helpers for testing code that uses workplan_core.

`workplan_core.testing.strategies` holds hypothesis strategies for every public record type.
This package needs the `test` extra (pytest and hypothesis).
"""

__all__: list[str] = []
