"""Public surfaces are declared with `__all__`, and the declarations are honest (as httpx does).

For every package of ours: its `__init__` declares `__all__`; every name in it can be imported;
every public name the package binds (other than its submodules) is in it. For every other module
that declares `__all__`: every name in it can be imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

#: The packages whose surfaces this test keeps (the simulator is its own, separate program).
ROOTS = ("arcadia_cloud_core", "arcadia_cloud_assets", "arcadia_cloud_ops")


def _modules() -> list[ModuleType]:
    found = []
    for root in ROOTS:
        package = importlib.import_module(root)
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{root}."):
            if ".migrations" in info.name:  # Alembic scripts, run by Alembic only
                continue
            found.append(importlib.import_module(info.name))
    return found


MODULES = _modules()
PACKAGES = [m for m in MODULES if hasattr(m, "__path__")]
DECLARING = [m for m in MODULES if hasattr(m, "__all__")]


def _public_names(package: ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(package).items()
        if not name.startswith("_")
        and not (isinstance(value, ModuleType) and value.__name__ == f"{package.__name__}.{name}")
    }


def test_the_walk_finds_our_packages() -> None:
    names = {m.__name__ for m in PACKAGES}
    assert {"arcadia_cloud_core.digitalocean", "arcadia_cloud_core.saga", *ROOTS} <= names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda m: m.__name__)
def test_every_package_declares_its_public_names(package: ModuleType) -> None:
    declared = getattr(package, "__all__", None)
    assert declared is not None, f"{package.__name__} has no __all__"
    assert len(declared) == len(set(declared)), f"{package.__name__}.__all__ repeats a name"
    assert _public_names(package) == set(declared)


@pytest.mark.parametrize("module", DECLARING, ids=lambda m: m.__name__)
def test_every_declared_name_can_be_imported(module: ModuleType) -> None:
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{module.__name__}.__all__ names what it lacks: {missing}"
