"""Public helpers for testing code that uses workplan_core.

`workplan_core.testing.strategies` holds hypothesis strategies for every public record type.
This package needs the `test` extra (pytest and hypothesis).

Under pytest, the conformance kit's modules are registered for assertion rewriting before they
are imported, so a failing check shows the values it compared (pytest rewrites the asserts of
test files only, not of an installed package). Importing this package without pytest running
does nothing of the kind.
"""

import sys

__all__: list[str] = []

_KIT_MODULES = (
    "workplan_core.testing._checks",
    "workplan_core.testing.storage_kit",
    "workplan_core.testing.storage_machine",
)


def _register_assert_rewrite() -> None:
    """Have pytest rewrite the kit's asserts, when pytest is running (it is then imported)."""
    pytest = sys.modules.get("pytest")
    register = getattr(pytest, "register_assert_rewrite", None)
    if register is not None:
        register(*(name for name in _KIT_MODULES if name not in sys.modules))


_register_assert_rewrite()
