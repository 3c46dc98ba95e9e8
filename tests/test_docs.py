"""Every python example in the docs and README runs, and every public name is documented."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import workplan_core

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


EXAMPLE = re.compile(
    r"^```python\n(?P<code>.*?)^```\n(?:\s*\n)*(?:^```text\n(?P<output>.*?)^```)?",
    re.DOTALL | re.MULTILINE,
)
"""A python block, and the text block right after it (blank lines between) if there is one:
what the block prints."""


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_examples_run_and_print_what_the_page_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example runs; one followed by a text block prints exactly that text."""
    examples = list(EXAMPLE.finditer(page.read_text(encoding="utf-8")))
    assert len(examples) == len(BLOCK.findall(page.read_text(encoding="utf-8")))
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for index, example in enumerate(examples):
        code = compile(example["code"], f"{page.name}[block {index}]", "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
        shown = example["output"]
        if shown is not None:
            assert _lines(printed.getvalue()) == _lines(shown), (
                f"{page.name} block {index} printed something else than the page shows"
            )


def _lines(text: str) -> list[str]:
    """The lines of printed text, without trailing spaces or blank lines at either end."""
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def _public_modules() -> list[ModuleType]:
    modules = [workplan_core]
    for info in pkgutil.walk_packages(workplan_core.__path__, "workplan_core."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


@pytest.mark.parametrize("module", _public_modules(), ids=lambda m: m.__name__)
def test_public_names_are_listed_and_documented(module: ModuleType) -> None:
    assert module.__doc__, f"{module.__name__} has no docstring"
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module.__name__} has no __all__"
    undocumented = []
    for name in names:
        obj = getattr(module, name)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and not inspect.getdoc(obj):
            undocumented.append(name)
    assert not undocumented, f"{module.__name__}: no docstring for {undocumented}"


def test_root_reexports_cover_the_error_tree() -> None:
    from workplan_core import errors

    assert set(errors.__all__) <= set(workplan_core.__all__)
