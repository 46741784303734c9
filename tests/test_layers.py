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


def private_imports(package: Path) -> list[str]:
    """Each ``from X import _name`` in the package whose ``_name`` is not a module.

    A private module (``_errors``, ``_validate``) is the package's own business and may be
    imported by its neighbours; a private function or constant of another module may not:
    what another module needs is public in its home.
    """
    import ast

    found = []
    for path in sorted(package.rglob("*.py")):
        here = path.parent
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = here
                for _ in range(node.level - 1):
                    base = base.parent
            elif (node.module or "").startswith("supplygraph"):
                base = package.parent
            else:
                continue
            target = base.joinpath(*(node.module or "").split(".")) if node.module else base
            for alias in node.names:
                name = alias.name
                is_module = (target / f"{name}.py").is_file() or (target / name).is_dir()
                if name.startswith("_") and not name.startswith("__") and not is_module:
                    where = path.relative_to(package.parent)
                    found.append(f"{where}:{node.lineno}: {name} from {node.module or '.'}")
    return found


def test_no_module_imports_a_private_name_of_another():
    assert private_imports(ROOT / "supplygraph") == []


def test_a_private_import_is_found(tmp_path):
    # the check itself fails where it should: a private function imported across modules
    shutil.copytree(ROOT / "supplygraph", tmp_path / "supplygraph")
    module = tmp_path / "supplygraph" / "analyses" / "backtest.py"
    module.write_text(module.read_text() + "\nfrom ..engine.propagate import _timed_step\n")
    found = private_imports(tmp_path / "supplygraph")
    assert found == [
        f"supplygraph/analyses/backtest.py:{len(module.read_text().splitlines())}: "
        "_timed_step from engine.propagate"
    ]
