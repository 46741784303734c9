"""Refresh the golden reports of tests/test_cli_simulate.py from the current code and data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# tiny-before-lines holds reports of an earlier version: never refreshed
SCENARIOS = ("2025-10-package", "2026-11-lapse")


def refresh() -> None:
    """Rerun each golden scenario and copy its CSV reports over the golden files."""
    for folder in (HERE / name for name in SCENARIOS):
        with tempfile.TemporaryDirectory() as out:
            command = ["simulate", "-s", folder.name, "--no-html", "--quiet", "--out", out]
            subprocess.run([sys.executable, "-m", "supplygraph", *command], check=True)
            for report in folder.glob("*.csv"):
                shutil.copy(Path(out) / report.name, report)
        print(f"refreshed {folder.name}")


if __name__ == "__main__":
    refresh()
