"""Every python example in the docs and README runs, and every public name is documented."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import workplan_core

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for index, block in enumerate(blocks):
        code = compile(block, f"{page.name}[block {index}]", "exec")
        exec(code, namespace)


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
