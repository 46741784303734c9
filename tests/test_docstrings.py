"""Every public function and method of the library has a numpydoc docstring with its
Parameters and Returns sections (docs/architecture.md, "Conventions")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "supplygraph"


def public_functions() -> list[tuple[str, ast.FunctionDef]]:
    """Module-level functions and methods of public classes whose names do not start with _."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        # private modules, and the CLI (its docstrings are its help)
        if path.name.startswith("_") or module.startswith("cli."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                found.append((f"{module}.{node.name}", node))
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for item in node.body:
                    decorators = (
                        {ast.unparse(d) for d in item.decorator_list}
                        if isinstance(item, ast.FunctionDef)
                        else set()
                    )
                    if (
                        isinstance(item, ast.FunctionDef)
                        and not item.name.startswith("_")
                        and not decorators & {"property", "cached_property"}
                    ):
                        found.append((f"{module}.{node.name}.{item.name}", item))
    return found


def needs_parameters(function: ast.FunctionDef) -> bool:
    names = [
        a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs
    ]
    return any(name not in ("self", "cls") for name in names)


def needs_returns(function: ast.FunctionDef) -> bool:
    return function.returns is not None and ast.unparse(function.returns) != "None"


FUNCTIONS = public_functions()


def test_the_library_has_public_functions():
    assert len(FUNCTIONS) > 30


@pytest.mark.parametrize(("name", "function"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_numpydoc_sections(name: str, function: ast.FunctionDef) -> None:
    doc = ast.get_docstring(function) or ""
    assert doc, f"{name} has no docstring"
    if needs_parameters(function):
        assert "\nParameters\n----------\n" in doc, f"{name}: no Parameters section"
    if needs_returns(function):
        assert "\nReturns\n-------\n" in doc, f"{name}: no Returns section"
