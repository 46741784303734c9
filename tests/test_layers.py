"""The package's floors (setup.cfg [importlinter], docs/architecture.md) hold, checked by
import-linter; the check does fail when an import runs back up; every subpackage installs."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package found in ``folder`` with the config there."""
    try:
        import importlinter  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [sys.executable, "-c", code, "--config", "setup.cfg", "--no-cache"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_floors_are_kept():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 kept, 0 broken" in run.stdout


def test_an_import_running_up_breaks_the_floors(tmp_path):
    # the data's reader importing the licence rule (a folder above it) was once a cycle:
    # io -> regimes -> origin -> graph -> io
    shutil.copytree(ROOT / "supplygraph", tmp_path / "supplygraph")
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    io_module = tmp_path / "supplygraph" / "dataset" / "io.py"
    io_module.write_text(
        io_module.read_text() + "\nfrom ..scenario.licence import needs_licence  # noqa\n"
    )
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Floors" in run.stdout and "BROKEN" in run.stdout
    assert "supplygraph.dataset.io -> supplygraph.scenario.licence" in run.stdout


def test_every_subpackage_is_installed():
    # setup.cfg lists its packages one by one: a new subpackage left out installs without
    # its modules (pip install ., not -e), as supplygraph.cli nearly did
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "supplygraph").rglob("__init__.py")
    }
    assert found <= listed, found - listed


@pytest.mark.parametrize("folder", ["outputs", "cli"])
def test_no_module_imports_another_modules_private_names(folder):
    # what another module needs is public in its home (docs/architecture.md, "One home")
    import ast

    found = []
    for path in sorted((ROOT / "supplygraph" / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                private = [
                    a.name
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")  # not dunders
                ]
                found += [f"{path.name}: from {node.module} import {name}" for name in private]
    assert found == []
