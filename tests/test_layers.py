"""The package's doors: which modules may touch the network (an allow-list, unlike
import-linter's contracts by name, so a module added later cannot slip through)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "datapedia"
NETWORK = {"requests", "urllib3", "socket", "http", "ssl"}
# One door per purpose: feeds (net), the no-network canary, GitHub's REST API.
DOORS = {"net.py", "canary.py", "github_issues.py"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_only_the_doors_import_network_libraries():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported(path) & NETWORK)
        for path in PACKAGE.rglob("*.py")
        if path.name not in DOORS or path.parent != PACKAGE
    }
    assert {name: libs for name, libs in offenders.items() if libs} == {}


def test_the_doors_are_real():
    """A door that no longer imports a network library should leave the list."""
    for name in DOORS:
        assert imported(PACKAGE / name) & NETWORK, name
