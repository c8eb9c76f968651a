"""Packages that load their public names on first use (``_LAZY`` + module ``__getattr__``, PEP 562).

Their ``__init__`` lists each public name three times: in ``__all__``, in ``_LAZY`` (which module defines it, for
run time) and in the ``TYPE_CHECKING`` imports (for type checkers and import-linter). These tests keep the three in
step and check that importing one light module of a package does not load the rest.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
LAZY_PACKAGES = ("consent", "editor", "labeler", "ledger", "media", "policies", "records", "cutproof.api")


def type_checking_imports(package: ModuleType) -> dict[str, tuple[str, ...]]:
    """``{module: names}`` of the ``from module import names`` lines under ``if TYPE_CHECKING:`` (own package only)."""
    assert package.__file__ is not None
    tree = ast.parse(Path(package.__file__).read_text())
    found: dict[str, tuple[str, ...]] = {}
    root = package.__name__.split(".")[0]
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom) and imp.module and imp.module.split(".")[0] == root:
                    found[imp.module] = tuple(a.name for a in imp.names)
    return found


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_all_lazy_table_and_type_checking_imports_agree(name: str) -> None:
    package = importlib.import_module(name)
    lazy: dict[str, tuple[str, ...]] = package._LAZY
    assert type_checking_imports(package) == lazy
    lazy_names = [n for names in lazy.values() for n in names]
    assert len(lazy_names) == len(set(lazy_names)), "a name is exported from two modules"
    eager = {n for n in package.__all__ if n in vars(package)}  # defined in the __init__ itself
    assert set(package.__all__) == set(lazy_names) | eager


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_lazy_name_is_the_defining_modules_object(name: str) -> None:
    package = importlib.import_module(name)
    for module_name, names in package._LAZY.items():
        module = importlib.import_module(module_name)
        for attribute in names:
            assert getattr(package, attribute) is getattr(module, attribute), (module_name, attribute)
            submodule = f"{name}.{attribute}"
            assert importlib.util.find_spec(submodule) is None, f"{attribute} is also a submodule of {name}"
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        package.no_such_name  # noqa: B018


def test_the_cli_error_tuple_loads_no_package_body() -> None:
    """``cutproof.core.errors`` (every command imports it) loads each package's errors module and nothing heavy."""
    code = "import json, sys; import cutproof.core.errors; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    loaded = set(json.loads(done.stdout))
    heavy = {"sqlalchemy", "pydantic", "yaml", "cryptography", "numpy", "av", "cv2", "scipy", "torch", "c2pa"}
    assert {m.split(".")[0] for m in loaded} & heavy == set()
    packages = ("store", "media", "ledger", "consent", "policies", "editor", "labeler")
    assert {m for m in loaded if m.split(".")[0] in packages} == {*packages, *(f"{p}.errors" for p in packages)}
