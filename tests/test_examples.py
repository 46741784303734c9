"""Every example in README.md, docs/cli.md and the commands' --help runs as written, pasted
into a real shell (bash) in an empty folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from supplygraph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMMAND = re.compile(r"^(?:    |\s*)(supplygraph .*?)\s*(?:#.*)?$")


def documented() -> list[str]:
    """The supplygraph commands in README.md's and docs/cli.md's code (indented or fenced)."""
    found = []
    for name in ("README.md", "docs/cli.md"):
        fenced = False
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                fenced = not fenced
                continue
            code = fenced or line.startswith("    ")
            synopsis = "[" in line  # usage synopses, not examples
            if code and line.strip().startswith("supplygraph ") and not synopsis:
                found.append(COMMAND.match(line).group(1))
    return found


def in_help() -> list[str]:
    """The commands in each command's --help Example block."""
    found = []
    for command in [[], *([c] for c in cli.commands)]:
        text = CliRunner().invoke(cli, [*command, "--help"]).output
        block = text.split("Example:", 1)[1] if "Example:" in text else ""
        block = re.sub(r"\\\n\s*", "", block)  # a long example continues on the next line
        found += [
            line.strip() for line in block.splitlines() if line.strip().startswith("supplygraph ")
        ]
    return found


EXAMPLES = sorted(set(documented()) | set(in_help()))


def test_the_docs_have_examples():
    assert len(documented()) > 15 and len(in_help()) > 10


TRADE = ROOT / "tests" / "data" / "trade"


def make_trade_files(example: str, folder: Path) -> None:
    """The files a trade example names, as a user would have downloaded them: real rows."""
    if "tests/data/trade/" in example:
        shutil.copytree(TRADE, folder / "tests" / "data" / "trade")
    copies = {
        "TradeData_2024.csv": "comtrade-cn-850511-2024.csv",
        "TradeData_2024-12.csv": "comtrade-cn-850511-2024-12.csv",
    }
    for name, fixture in copies.items():
        if name in example:
            shutil.copy(TRADE / fixture, folder / name)
    if "BACI_HS22_V202601.zip" in example:
        with zipfile.ZipFile(folder / "BACI_HS22_V202601.zip", "w") as archive:
            archive.write(TRADE / "baci-cn-850511-2024.csv", "BACI_HS22_Y2024_V202601.csv")


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_runs_as_written(example: str, tmp_path: Path) -> None:
    if "--data my-data/" in example:  # the user's own folder: make one
        (tmp_path / "my-data").mkdir()
        for name in ("nodes.csv", "edges.csv"):
            (tmp_path / "my-data" / name).write_bytes(
                (ROOT / "tests/data/tiny" / name).read_bytes()
            )
    make_trade_files(example, tmp_path)
    if "examples/" in example:  # a folder of the repository a user copies (an overlay)
        shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "BROWSER": "true",  # --open: a browser that opens nothing
    }
    run = subprocess.run(
        ["bash", "-c", example], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, f"{example}\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr
