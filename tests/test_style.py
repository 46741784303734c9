"""The code passes ruff's linter and is formatted by ruff (configured in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


PATHS = ["supplygraph", "tests", "benchmarks", "docs", "data/derive"]


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(check):
    try:
        import ruff  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("ruff is not installed (pip install '.[test]')")
    command = [sys.executable, "-m", "ruff", *check, *PATHS]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
