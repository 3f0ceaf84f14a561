"""The house rules of the package that import-linter cannot state: the network doors
as an allow-list (a module added later cannot slip through), module and function
sizes, a docstring per package that says what it may touch, and no module-level
state changed at run time."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "datapedia"
NETWORK = {"requests", "urllib3", "socket", "http", "ssl"}
# One door per purpose: feeds and the no-network canary (the modules of the probe.transport
# package that need the network), GitHub's REST API.
TRANSPORT = ("addresses", "body", "connections", "deadline", "errors", "fetcher")
DOORS = {*(f"probe/transport/{name}.py" for name in TRANSPORT), "github/client.py"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MODULES = sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@functools.cache  # each rule walks every module; parse each once
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_only_the_doors_import_network_libraries():
    offenders = {
        name_of(path): sorted(imported(path) & NETWORK)
        for path in MODULES
        if name_of(path) not in DOORS
    }
    assert {name: libs for name, libs in offenders.items() if libs} == {}


def test_the_doors_are_real():
    """A door that no longer imports a network library should leave the list."""
    for name in DOORS:
        assert imported(PACKAGE / name) & NETWORK, name


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_a_module_stays_small_enough_to_read(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name_of(path)}: {lines} regels"


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_a_function_fits_on_a_screen(path: Path):
    long = {
        node.name: node.end_lineno - node.lineno + 1
        for node in ast.walk(tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}, name_of(path)


@pytest.mark.parametrize(
    "package", sorted(p.parent for p in MODULES if p.name == "__init__.py"), ids=name_of
)
def test_every_package_says_what_it_may_touch(package: Path):
    doc = ast.get_docstring(tree(package / "__init__.py"))
    assert doc and len(doc) > 60, name_of(package)


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_no_module_state_is_changed_at_run_time(path: Path):
    """``global`` is how a module's state gets changed from inside a function; steps that
    need state carry it in an object they pass along."""
    assert not [node for node in ast.walk(tree(path)) if isinstance(node, ast.Global)]


def printing_or_exiting(path: Path) -> list[str]:
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"print", "exit", "quit"}:
                found.append(f"{node.func.id}() op regel {node.lineno}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "sys" and node.attr in {"exit", "stdout", "stderr"}:
                found.append(f"sys.{node.attr} op regel {node.lineno}")
        elif isinstance(node, ast.Name) and node.id == "SystemExit":
            found.append(f"SystemExit op regel {node.lineno}")
    return found


@pytest.mark.parametrize(
    "path", [p for p in MODULES if not name_of(p).startswith("cli/")], ids=name_of
)
def test_only_the_cli_prints_or_exits(path: Path):
    """The library returns typed results; the CLI alone prints them and picks the exit code."""
    assert printing_or_exiting(path) == []


def test_the_printing_check_can_fail():
    assert printing_or_exiting(PACKAGE / "cli" / "main.py")
